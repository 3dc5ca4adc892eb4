"""Counting calls the way a rate limit counts them."""

from __future__ import annotations


def max_in_one_second(times: list[float]) -> int:
    """The most calls that arrived within any one-second window."""
    times = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most
