"""Fault injection for the Slack Web API stand-in: rate limits, 5xx, API errors, latency.

Only tests and benches make Slack fail on purpose, so this lives here and not in
the sandbox that the console uses (``bot/sandbox/slack_standin.py``).
"""

from __future__ import annotations

import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.http_server import HttpReply
from bot.sandbox.slack_standin import SlackStandIn


@dataclass(frozen=True)
class _Fault:
    status: int
    retry_after: int
    error: str


@dataclass
class _FailureRate:
    rate: float
    status: int
    rng: random.Random


@dataclass
class _RateLimit:
    """At most *per_second* calls in any one-second window, counted on arrival."""

    per_second: int
    arrivals: deque[float] = field(default_factory=deque)

    def admit(self, at: float) -> bool:
        while self.arrivals and self.arrivals[0] <= at - 1.0:
            self.arrivals.popleft()
        if len(self.arrivals) >= self.per_second:
            return False
        self.arrivals.append(at)
        return True


class FaultyStandIn(SlackStandIn):
    """The stand-in, plus faults a test injects: ``fail_next``, ``set_failure_rate``,
    ``set_latency`` and ``limit_rate``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self._faults: dict[str, deque[_Fault]] = {}
        self._failure_rates: dict[str, _FailureRate] = {}
        self._latency: dict[str, float] = {}
        self._rate_limits: dict[str, _RateLimit] = {}

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        error: str = "ratelimited",
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls to ``method`` (``"*"`` = any) fail.

        * 429: header ``Retry-After`` and body ``{"ok": false, "error": error}``
        * 5xx: body text ``upstream error``
        * 200: a Slack API error, body ``{"ok": false, "error": error}``
        * any other status: body ``{"ok": false, "error": error}``
        """
        with self._cond:
            queue = self._faults.setdefault(method, deque())
            for _ in range(times):
                queue.append(_Fault(status, retry_after, error))

    def set_failure_rate(self, method: str, rate: float, status: int = 500, seed: int = 0) -> None:
        """Fail a (deterministic, seeded) random fraction of calls to ``method``."""
        with self._cond:
            if rate <= 0:
                self._failure_rates.pop(method, None)
            else:
                self._failure_rates[method] = _FailureRate(rate, status, random.Random(seed))

    def set_latency(self, method: str, seconds: float) -> None:
        """Delay answers to ``method`` (``"*"`` = any) by ``seconds``."""
        with self._cond:
            if seconds <= 0:
                self._latency.pop(method, None)
            else:
                self._latency[method] = seconds

    def limit_rate(self, method: str, per_second: int) -> None:
        """Answer 429 (Retry-After: 1) to calls of ``method`` beyond *per_second* in any
        one-second window, as Slack's workspace limits do; 0 removes the limit."""
        with self._cond:
            if per_second <= 0:
                self._rate_limits.pop(method, None)
            else:
                self._rate_limits[method] = _RateLimit(per_second)

    def reset_faults(self) -> None:
        """Remove all injected faults, failure rates, latencies and rate limits."""
        with self._cond:
            self._faults.clear()
            self._failure_rates.clear()
            self._latency.clear()
            self._rate_limits.clear()

    def _delay_for(self, method: str) -> float:
        with self._cond:
            return self._latency.get(method, self._latency.get("*", 0.0))

    def _fault_for(self, method: str) -> tuple[HttpReply, dict[str, Any]] | None:
        fault = self._take_fault(method)
        return None if fault is None else self._fault_reply(fault)

    def _take_fault(self, method: str) -> _Fault | None:
        limit = self._rate_limits.get(method)
        if limit is not None and not limit.admit(time.monotonic()):
            return _Fault(429, 1, "ratelimited")
        for key in (method, "*"):
            queue = self._faults.get(key)
            if queue:
                return queue.popleft()
        for key in (method, "*"):
            rate = self._failure_rates.get(key)
            if rate is not None and rate.rng.random() < rate.rate:
                return _Fault(rate.status, 1, "ratelimited" if rate.status == 429 else "")
        return None

    @staticmethod
    def _fault_reply(fault: _Fault) -> tuple[HttpReply, dict[str, Any]]:
        if fault.status >= 500:
            return HttpReply.text("upstream error", fault.status), {
                "ok": False,
                "error": "upstream error",
            }
        response = {"ok": False, "error": fault.error or "ratelimited"}
        reply = HttpReply.json(response, fault.status)
        if fault.status == 429:
            reply.headers["Retry-After"] = str(fault.retry_after)
        return reply, response
