"""Pacing chat.postMessage: a token bucket, and one shared pause after a 429.

Slack allows about one message per second per channel (each DM is its own
channel) and a workspace-wide budget on top.  A fan-out of thousands of DMs
therefore goes through one bucket per process; when Slack answers 429 the
whole process waits for Retry-After, not just the thread that got it.

Pacing is about real elapsed time, so it uses a monotonic clock, not the
domain clock that tests and the console move by hand.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Pacer:
    """Thread-safe token bucket of *rate* tokens per second with a shared pause."""

    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        # A burst of one second's worth: smooth, but no idle time wasted at start.
        self.burst = burst if burst is not None else max(1.0, rate)
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._tokens = self.burst
        self._updated = monotonic()
        self._paused_until = 0.0
        self._stopped = threading.Event()

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
