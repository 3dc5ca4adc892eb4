"""Worker heartbeats and the shared budget, on a real database and as pure arithmetic."""

from __future__ import annotations

import math
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery import heartbeat
from bot.delivery.pacing import Pacer, replica_rate
from bot.delivery.scheduler import DeliveryScheduler
from bot.delivery.slack_sender import make_delivery_client
from bot.models import Worker
from bot.runtime import Runtime

TIMEOUT = timedelta(seconds=5)


def test_a_worker_is_live_until_its_heartbeat_is_older_than_the_timeout(runtime: Runtime) -> None:
    now = runtime.clock.now()
    me = heartbeat.identity("w-1", now)
    with runtime.unit_of_work(write=True) as db:
        heartbeat.beat(db, me, now)
        heartbeat.beat(db, me, now + timedelta(seconds=2))  # the same row, refreshed
        heartbeat.beat(db, heartbeat.identity("w-2", now), now)
    with runtime.unit_of_work() as db:
        assert db.scalar(select(Worker.last_seen).where(Worker.id == "w-1")) == now + timedelta(
            seconds=2
        )
        assert heartbeat.live_worker_count(db, now + timedelta(seconds=5), TIMEOUT) == 2
        assert heartbeat.live_worker_count(db, now + timedelta(seconds=6), TIMEOUT) == 1
        assert heartbeat.live_worker_count(db, now + timedelta(seconds=8), TIMEOUT) == 0
    assert heartbeat.worker_timeout(runtime.settings) == TIMEOUT  # the default


def test_the_scheduler_counts_live_workers_for_metrics(runtime: Runtime) -> None:
    scheduler = DeliveryScheduler(runtime, make_delivery_client(runtime.settings))
    now = runtime.clock.now()
    scheduler.worker.beat(now)
    with runtime.unit_of_work(write=True) as db:
        heartbeat.beat(db, heartbeat.identity("other", now), now - timedelta(seconds=1))
        heartbeat.beat(db, heartbeat.identity("dead", now), now - timedelta(minutes=1))
    with runtime.unit_of_work() as db:
        assert scheduler.live_workers(db) == 2


def test_leaving_and_long_dead_workers_are_removed(runtime: Runtime) -> None:
    now = runtime.clock.now()
    with runtime.unit_of_work(write=True) as db:
        heartbeat.beat(db, heartbeat.identity("gone", now), now - timedelta(hours=2))
        heartbeat.beat(db, heartbeat.identity("stopping", now), now)
        heartbeat.leave(db, "stopping")
        assert heartbeat.forget_long_dead(db, now) == 1
    with runtime.unit_of_work() as db:
        assert list(db.scalars(select(Worker.id))) == []


def test_a_restart_drops_this_hosts_workers_whose_process_is_gone(runtime: Runtime) -> None:
    now = runtime.clock.now()
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        me = heartbeat.identity("me", now)
        with runtime.unit_of_work(write=True) as db:
            for worker_id, pid in (("dead", int(ended.stdout)), ("alive", running.pid)):
                db.add(Worker(id=worker_id, host=me.host, pid=pid, started=now, last_seen=now))
            db.add(Worker(id="elsewhere", host="other-host", pid=1, started=now, last_seen=now))
            heartbeat.beat(db, me, now)
            db.flush()
            assert heartbeat.forget_dead_on_this_host(db, me) == ["dead"]
        with runtime.unit_of_work() as db:
            assert set(db.scalars(select(Worker.id))) == {"me", "alive", "elsewhere"}
    finally:
        running.kill()
        running.wait()


@pytest.mark.parametrize(
    "budget,replicas,rate",
    [(100, 1, 97.02), (100, 3, 32.34), (60, 3, 18.62), (60, 2, 28.42), (20, 3, 5.88), (1, 2, 0.49)],
)
def test_the_budget_is_shared_just_under_whole_calls_per_second(
    budget: int, replicas: int, rate: float
) -> None:
    share = replica_rate(budget, replicas)
    assert share == pytest.approx(rate)
    # Calls spaced 1/share apart: at most ceil(share) in any second per replica,
    # so however their phases fall, the replicas' sum stays a call short of the budget.
    if share >= 1:
        assert replicas * math.ceil(share) <= budget - 1
    assert replicas * share <= budget


def test_a_pacer_follows_a_new_share() -> None:
    clock = [0.0]
    pacer = Pacer(10, monotonic=lambda: clock[0])
    assert pacer.acquire()  # the one token
    pacer.set_rate(20)
    clock[0] += 0.05  # one token at 20/s, half a token at 10/s
    guard = threading.Timer(2, pacer.stop)  # the fake clock stands still: fail, not hang
    guard.start()
    try:
        assert pacer.acquire()
    finally:
        guard.cancel()


def test_a_newcomer_sends_once_the_others_pace_for_it(runtime: Runtime) -> None:
    client = make_delivery_client(runtime.settings)
    first = DeliveryScheduler(runtime, client).worker
    newcomer = DeliveryScheduler(runtime, client).worker
    now = runtime.clock.now()
    assert first.beat(now) == 1
    assert first.pacer.rate == pytest.approx(replica_rate(first.budget, 1))
    assert newcomer.beat(now) == 2  # it paces for two at once; the first does not yet
    stopping = threading.Event()
    # The first one's share shrinks at its next heartbeat, 0.4 s on.
    later = threading.Timer(0.4, first.beat, args=(now,))
    later.start()
    try:
        waited = newcomer.wait_for_shares(stopping, limit=5.0)
    finally:
        later.join()
    assert 0.35 <= waited < 2.0
    assert first.pacer.rate == pytest.approx(replica_rate(first.budget, 2))
    with runtime.unit_of_work() as db:
        assert dict(db.execute(select(Worker.id, Worker.pacing_for)).tuples().all()) == {
            first.identity.id: 2,
            newcomer.identity.id: 2,
        }
    # A process that never says what it paces for is waited for as long as the limit.
    with runtime.unit_of_work(write=True) as db:
        heartbeat.beat(db, heartbeat.identity("older-version", now), now)
    newcomer.beat(now)
    assert 0.3 <= newcomer.wait_for_shares(stopping, limit=0.3) < 1.5
