"""Worker heartbeats and the shared budget, on a real database and as pure arithmetic."""

from __future__ import annotations

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
    [(100, 1, 96.0), (60, 3, 19.0), (60, 2, 28.0), (20, 3, 6.0), (1, 2, 0.48)],
)
def test_the_budget_is_shared_in_whole_calls_per_second(
    budget: int, replicas: int, rate: float
) -> None:
    assert replica_rate(budget, replicas) == pytest.approx(rate)
    # However their phases fall, the replicas' sum stays within the budget.
    assert replicas * replica_rate(budget, replicas) <= budget


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
