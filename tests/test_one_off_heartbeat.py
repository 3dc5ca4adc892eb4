"""A one-off run (the console's /time, the CLI) keeps its heartbeat while it sends.

On the real database with the Web API stand-in: a fan-out that lasts longer
than ``[reminders] worker_timeout_seconds`` must never look like a dead
process's, or another process would take its claims over and send them again.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.delivery import heartbeat
from bot.delivery.scheduler import run_due_work
from bot.delivery.slack_sender import make_delivery_client
from bot.models import Delivery, DeliveryState
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from tests.support import factories as make

NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)
STARTS = NOW + timedelta(minutes=30)  # the PT1H reminder is overdue: due at once
MEMBERS = 12


@pytest.fixture
def runtime(runtime: Runtime) -> Runtime:
    """One reminder per member, 3 sent per second, dead after 2 silent seconds."""
    reminders = dataclasses.replace(
        runtime.settings.reminders,
        offsets=(timedelta(hours=1),),
        offset_names=("PT1H",),
        send_rate_per_second=4,
        worker_timeout_seconds=2,
    )
    return dataclasses.replace(
        runtime, settings=dataclasses.replace(runtime.settings, reminders=reminders)
    )


def test_a_one_off_fan_out_longer_than_the_timeout_keeps_its_claims(
    runtime: Runtime, standin: SlackStandIn
) -> None:
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "long", starts=STARTS, now=NOW - timedelta(days=3))
        for i in range(MEMBERS):
            member = make.add_member(db, f"U{i:03d}", now=NOW - timedelta(days=3))
            make.add_registration(db, session, member, registered_at=NOW - timedelta(days=2))
    timeout = timedelta(seconds=runtime.settings.reminders.worker_timeout_seconds)
    # What another process would see, as the run's time passes: claims of dead workers.
    seen: list[tuple[float, int, int]] = []
    done = threading.Event()
    started = time.monotonic()

    def watch() -> None:
        while not done.wait(0.2):
            elapsed = time.monotonic() - started
            moment = NOW + timedelta(seconds=elapsed)
            with runtime.unit_of_work() as db:
                dead = heartbeat.claims_of_dead_workers(db, moment, timeout)
                claimed = db.scalar(
                    select(func.count())
                    .select_from(Delivery)
                    .where(
                        Delivery.claimed_by.is_not(None),
                        Delivery.state.in_([DeliveryState.PENDING, DeliveryState.SENDING]),
                    )
                )
            seen.append((elapsed, claimed, dead))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        report = run_due_work(runtime, make_delivery_client(runtime.settings), NOW)
    finally:
        done.set()
        watcher.join()

    assert report.sent == MEMBERS and report.possible_duplicates == 0
    late = [(elapsed, claimed, dead) for elapsed, claimed, dead in seen if elapsed > 2.5]
    # The run outlasted the timeout with rows in hand, and none looked abandoned.
    assert any(claimed for _, claimed, _ in late), seen
    assert all(dead == 0 for _, _, dead in late), seen
