"""The spacing of calls at the wire (Pacer.space), on a clock the test moves."""

from __future__ import annotations

import random

import pytest

from bot.delivery.pacing import Pacer, replica_rate
from tests.support.rates import max_in_one_second

BUDGET = 100


class LateClock:
    """A monotonic clock whose sleeps end *late(seconds)* after they should."""

    def __init__(self, late: float | random.Random) -> None:
        self.now = 0.0
        self._late = late

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        late = self._late if isinstance(self._late, float) else self._late.uniform(0, 0.005)
        self.now += seconds + late


def calls_at(pacer: Pacer, clock: LateClock, count: int) -> list[float]:
    moments = []
    for _ in range(count):
        pacer.space()
        moments.append(clock.now)
    return moments


def test_a_late_wake_up_is_made_up_at_the_next_call_not_lost() -> None:
    rate = replica_rate(BUDGET, 1)  # 97.02/s
    clock = LateClock(0.002)
    pacer = Pacer(rate, monotonic=clock.monotonic, sleep=clock.sleep)
    moments = calls_at(pacer, clock, 971)
    # 970 intervals of 1/rate are 10.0 s; losing 2 ms at each would make it 11.9 s.
    assert moments[-1] - moments[0] < 10.01


def test_no_second_holds_more_calls_than_the_share_allows_however_late_threads_wake() -> None:
    for replicas in (1, 3):
        rate = replica_rate(BUDGET, replicas)
        whole = (BUDGET - 1) // replicas  # the calls per second the share is built under
        clock = LateClock(random.Random(replicas))
        pacer = Pacer(rate, monotonic=clock.monotonic, sleep=clock.sleep)
        moments = calls_at(pacer, clock, 20 * int(rate))
        assert max_in_one_second(moments) <= whole
        assert (len(moments) - 1) / (moments[-1] - moments[0]) > 0.995 * rate


def test_after_a_lull_the_calls_start_again_one_interval_apart() -> None:
    clock = LateClock(0.0)
    pacer = Pacer(10, monotonic=clock.monotonic, sleep=clock.sleep)
    calls_at(pacer, clock, 3)
    clock.now += 5.0  # nothing to send for a while: no slots are saved up
    first, second = calls_at(pacer, clock, 2)
    assert second - first == pytest.approx(0.1)
