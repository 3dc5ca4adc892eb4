"""Pacing chat.postMessage: a token bucket, and one shared pause after a 429.

Slack allows about one message per second per channel (each DM is its own
channel) and a workspace-wide budget on top.  A fan-out of thousands of DMs
therefore goes through one bucket per process; when Slack answers 429 the
whole process waits for Retry-After, not just the thread that got it.

With several replicas the budget is shared: each process paces at its part
of ``[reminders] send_rate_per_second`` (see :func:`replica_rate`), set again
after every heartbeat as replicas come and go.  The bucket paces the work;
every call waits for a slot of its own, the slots 1/rate apart
(:meth:`Pacer.space`), so a replica never goes above its part in any second.

Pacing is about real elapsed time, so it uses a monotonic clock, not the
domain clock that tests and the console move by hand.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

# Each replica paces a little below its part of the budget: calls leave the
# processes at slightly uneven moments (threads, GC, the network), and the
# workspace limit is counted where they arrive.  2 % of a second is 20 ms of
# such unevenness in any second before a call could arrive early.
BUDGET_MARGIN = 0.98


def replica_rate(budget: float, live_replicas: int) -> float:
    """This process's messages per second when *live_replicas* share *budget*.

    Just under a whole number of calls where it can be: calls spaced at least
    1/rate apart, with rate below the whole number k, put at most k calls in
    any second.  The replicas' k add up to at most one call short of the
    budget however their phases align, and the margin is left for calls that
    arrive unevenly.
    """
    replicas = max(1, live_replicas)
    whole = math.floor((budget - 1) / replicas)
    if whole >= 1:
        return whole * BUDGET_MARGIN
    return budget * BUDGET_MARGIN / replicas


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
        self._last_slot = float("-inf")

    def set_rate(self, rate: float) -> None:
        """Another replica came or went: pace at *rate* from now on."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        with self._lock:
            now = self._monotonic()
            if now > self._paused_until:
                self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
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

    def space(self) -> None:
        """Right before the call: wait for this call's slot, 1/rate after the previous slot.

        The token (:meth:`acquire`) paces the work, taken before the row is
        built and committed as 'sending'; database waits in between can
        bunch calls up, so they are spaced once more at the wire.  The wait
        is short (the tokens already keep the average), and the row is
        'sending' by then, so a stop does not cut it short of its call.

        Slots follow each other at exactly 1/rate (or start now, after a
        lull), not 1/rate after the moment a thread woke: a thread wakes a
        little late (another thread holds the interpreter for up to its
        switch interval), and counting from the wake-up lost that lateness at
        every call, 2 % of the rate at 100/s.  A call is never before its
        slot, so any second holds at most the slots of that second and of
        the lateness before it, which BUDGET_MARGIN covers.
        """
        with self._gate:
            slot = max(self._last_slot + 1 / self.rate, self._monotonic())
            wait = slot - self._monotonic()
            if wait > 0:
                self._sleep(wait)
            self._last_slot = slot

    def acquire(self) -> bool:
        """Wait for a token; False when the pacer was stopped while waiting."""
        while not self._stopped.is_set():
            with self._lock:
                now = self._monotonic()
                wait = self._paused_until - now
                if wait <= 0:
                    self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
                    self._updated = now
                    if self._tokens >= 1:
                        self._tokens -= 1
                        return True
                    wait = (1 - self._tokens) / self.rate
                else:
                    self._updated = max(self._updated, self._paused_until)
            self._stopped.wait(min(wait, 1.0))
        return False
