"""Pacing chat.postMessage: a token bucket, and one shared pause after a 429.

Slack allows about one message per second per channel (each DM is its own
channel) and a workspace-wide budget on top.  A fan-out of thousands of DMs
therefore goes through one bucket per process; when Slack answers 429 the
whole process waits for Retry-After, not just the thread that got it.

With several replicas the budget is shared: each process paces at its part
of ``[reminders] send_rate_per_second`` (see :func:`replica_rate`), set again
after every heartbeat as replicas come and go.  The bucket paces the work;
right before each call :meth:`Pacer.space` keeps the calls on an ideal
timeline (one slot every ``WINDOW / rate`` seconds, so a late wake-up is
caught up by the next call rather than lost) and never lets more than
*rate* calls leave within any ``WINDOW`` seconds, so a replica never goes
above its part in any second where Slack counts, even while it catches up.

Pacing is about real elapsed time, so it uses a monotonic clock, not the
domain clock that tests and the console move by hand.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

# Each replica paces a little below its part of the budget, and counts its
# calls over a window a little longer than Slack's second: calls arrive at
# slightly uneven moments (threads, GC, the network), and the workspace limit
# is counted where they arrive.
BUDGET_MARGIN = 0.99
WINDOW = 1.02
# How far behind its timeline a process may fall and still catch up (late
# wake-ups, a slow commit); beyond that the timeline starts again from now,
# so an idle pacer does not send a burst.
MAX_LAG = 0.05
# The most calls a window can hold ([reminders] send_rate_per_second <= 1000).
_MOST_IN_WINDOW = 1000


def replica_rate(budget: float, live_replicas: int) -> float:
    """This process's messages per second when *live_replicas* share *budget*.

    A whole number where it can be: a replica sends at most *rate* calls in
    any window (:meth:`Pacer.space`), so the replicas' sum stays within the
    budget however their phases align.
    """
    share = budget * BUDGET_MARGIN / max(1, live_replicas)
    return float(math.floor(share)) if share >= 1 else share


class Pacer:
    """Thread-safe token bucket of *rate* tokens per second with a shared pause."""

    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        # A tenth of a second's worth: enough that a thread busy with the
        # database does not cost the bucket its refill.  What keeps every second
        # within the rate is the spacing at the wire (space()), not the bucket.
        self._fixed_burst = burst
        self.burst = burst if burst is not None else max(1.0, rate / 10)
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self.burst
        self._updated = monotonic()
        self._paused_until = 0.0
        self._stopped = threading.Event()
        self._gate = threading.Lock()
        self._next_slot = float("-inf")
        self._calls: deque[float] = deque(maxlen=_MOST_IN_WINDOW)

    def set_rate(self, rate: float) -> None:
        """Another replica came or went: pace at *rate* from now on."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        with self._lock:
            now = self._monotonic()
            if now > self._paused_until:
                self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.pace)
                self._updated = now
            if rate != self.rate:
                # The window counts calls at this rate only: a replica that joins
                # waits for the others' shares to shrink (see DeliveryScheduler.start)
                # rather than them pausing for their calls at the larger share.
                with self._gate:
                    self._calls.clear()
            self.rate = rate
            if self._fixed_burst is None:
                self.burst = max(1.0, rate / 10)
                self._tokens = min(self._tokens, self.burst)

    def pause(self, seconds: float) -> None:
        """Slack said 429: nobody in this process sends for *seconds*."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._monotonic() + seconds)
            self._tokens = 0.0

    def refund(self) -> None:
        """Give back a token that was not used (the message was skipped or held)."""
        with self._lock:
            self._tokens = min(self.burst, self._tokens + 1)

    def stop(self) -> None:
        """Wake every waiting thread; acquire() then returns False."""
        self._stopped.set()

    @property
    def pace(self) -> float:
        """Calls per second on the timeline: *rate* calls per ``WINDOW``."""
        return self.rate / WINDOW

    def space(self) -> None:
        """Right before the call: wait for this call's slot on the timeline.

        The token (:meth:`acquire`) paces the work, taken before the row is
        built and committed as 'sending'; database waits in between can
        bunch calls up, so they are paced once more at the wire.  Slots are
        ``WINDOW / rate`` apart from the previous *slot*, not from the
        previous call, so a call that left late lets the next one go sooner;
        and a call never leaves while the last *rate* calls all left within
        ``WINDOW``, so catching up never crowds a second.  The wait is short
        (the tokens already keep the average), and the row is 'sending' by
        then, so a stop does not cut it short of its call.
        """
        with self._gate:
            now = self._monotonic()
            # Behind by more than MAX_LAG: idle, not late; the timeline starts again.
            slot = self._next_slot if now - self._next_slot <= MAX_LAG else now
            most = max(1, math.floor(self.rate))
            if len(self._calls) >= most:
                slot = max(slot, self._calls[-most] + WINDOW)
            if slot > now:
                self._sleep(slot - now)
            self._calls.append(self._monotonic())
            self._next_slot = slot + 1 / self.pace

    def acquire(self) -> bool:
        """Wait for a token; False when the pacer was stopped while waiting."""
        while not self._stopped.is_set():
            with self._lock:
                now = self._monotonic()
                wait = self._paused_until - now
                if wait <= 0:
                    self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.pace)
                    self._updated = now
                    if self._tokens >= 1:
                        self._tokens -= 1
                        return True
                    wait = (1 - self._tokens) / self.pace
                else:
                    self._updated = max(self._updated, self._paused_until)
            self._stopped.wait(min(wait, 1.0))
        return False
