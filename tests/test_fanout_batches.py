"""A fan-out's batches: built together, moved together, still one row at a time for safety.

On the real database with the Web API stand-in: the worker builds a claimed
batch in one unit of work (the message once per session, language and
attendance), the sending threads' 'sending' and 'sent' moves share
transactions, and none of it loosens a row's compare-and-set or the
freshness of its re-checks.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, select, update

from bot.clock import FixedClock
from bot.delivery import claims, reminder_messages
from bot.delivery import worker as worker_module
from bot.delivery.group_commit import GroupCommitter
from bot.delivery.pacing import Pacer
from bot.delivery.scheduler import run_planners
from bot.delivery.slack_sender import make_delivery_client
from bot.delivery.worker import DeliveryWorker
from bot.models import Delivery, DeliveryState, ProgrammeSession
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from tests.support import factories as make
from tests.support.conversation import text_of

NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)
STARTS = NOW + timedelta(minutes=30)  # the PT1H reminder is overdue: due at once


@pytest.fixture
def runtime(runtime: Runtime) -> Runtime:
    """Only the one-hour reminder (the week's and the day's would be superseded rows)."""
    reminders = dataclasses.replace(
        runtime.settings.reminders, offsets=(timedelta(hours=1),), offset_names=("PT1H",)
    )
    return dataclasses.replace(
        runtime, settings=dataclasses.replace(runtime.settings, reminders=reminders)
    )


def _crowd(runtime: Runtime, members: list[tuple[str, str, str]]) -> int:
    """(user, language, attendance) registered for one session; its reminders planned."""
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(
            db, "batch", starts=STARTS, now=NOW - timedelta(days=3), online_url="https://m.example"
        )
        for user, language, attendance in members:
            member = make.add_member(db, user, now=NOW - timedelta(days=3), language=language)
            make.add_registration(
                db, session, member, registered_at=NOW - timedelta(days=2), attendance=attendance
            )
        session_id = session.id
    run_planners(runtime, NOW)
    return session_id


def _sent(standin: SlackStandIn) -> Counter[str]:
    return Counter(
        str(call.args["channel"])
        for call in standin.calls_to("chat.postMessage")
        if call.status == 200 and call.response.get("ok")
    )


def test_a_batch_builds_the_message_once_per_language_and_attendance(
    runtime: Runtime, standin: SlackStandIn, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = (
        [(f"UEN{i}", "en", "room") for i in range(10)]
        + [(f"UDA{i}", "da", "room") for i in range(6)]
        + [(f"UON{i}", "en", "online") for i in range(4)]
    )
    _crowd(runtime, members)
    rendered: list[str] = []
    real = reminder_messages.reminder_message

    def counting(*args: Any, **kwargs: Any) -> Any:
        rendered.append(kwargs["attendance"])
        return real(*args, **kwargs)

    monkeypatch.setattr(reminder_messages, "reminder_message", counting)
    clock.set(NOW)
    # A fast pacer: at the default 20/s the last rows would wait over a second
    # for their turn and be built again, alone (see the next test).
    worker = DeliveryWorker(runtime, make_delivery_client(runtime.settings), pacer=Pacer(1000))
    report = worker.run(lambda: NOW)

    assert report.sent == 20 and report.possible_duplicates == 0
    assert sorted(rendered) == ["online", "room", "room"]
    assert _sent(standin) == Counter({user: 1 for user, _, _ in members})
    texts = {
        str(call.args["channel"]): text_of(call.args)
        for call in standin.calls_to("chat.postMessage")
    }
    assert "begynder om 30 minutter" in texts["UDA3"]
    assert "starts in 30 minutes" in texts["UEN7"]
    assert "https://m.example" in texts["UON1"] and "https://m.example" not in texts["UEN1"]
    with runtime.unit_of_work() as db:
        states = set(db.scalars(select(Delivery.state)))
    assert states == {DeliveryState.SENT}


def test_a_message_that_waited_long_for_its_turn_is_checked_again(
    runtime: Runtime, standin: SlackStandIn, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session is cancelled after the batch was built: the rebuilt rows are skipped."""
    session_id = _crowd(runtime, [(f"U{i}", "en", "room") for i in range(5)])
    monkeypatch.setattr(worker_module, "MAX_BUILT_AGE_SECONDS", -1.0)  # every build is old

    class CancellingPacer(Pacer):
        def acquire(self) -> bool:
            with runtime.unit_of_work(write=True) as db:
                db.execute(
                    update(ProgrammeSession)
                    .where(ProgrammeSession.id == session_id)
                    .values(cancelled_at=NOW)
                )
            return super().acquire()

    clock.set(NOW)
    worker = DeliveryWorker(
        runtime, make_delivery_client(runtime.settings), pacer=CancellingPacer(1000)
    )
    report = worker.run(lambda: NOW)

    assert report.sent == 0 and report.skipped == 5
    assert _sent(standin) == Counter()


def test_moves_of_several_rows_keep_each_rows_owner(runtime: Runtime) -> None:
    session_id = _crowd(runtime, [(f"U{i}", "en", "room") for i in range(3)])
    with runtime.unit_of_work(write=True) as db:
        ids = list(db.scalars(select(Delivery.id).where(Delivery.session_id == session_id)))
        db.execute(update(Delivery).values(claimed_by="me"))
        db.execute(update(Delivery).where(Delivery.id == ids[2]).values(claimed_by="other"))
    with runtime.unit_of_work(write=True) as db:
        started = claims.start_sending_many(
            db, ids, claimer="me", now=NOW, timeout=timedelta(seconds=5)
        )
    assert started == set(ids[:2])
    with runtime.unit_of_work(write=True) as db:
        # ids[1] was taken over by another process meanwhile: its move must not land.
        db.execute(update(Delivery).where(Delivery.id == ids[1]).values(claimed_by="other"))
    with runtime.unit_of_work(write=True) as db:
        sent = claims.record_sent_many(
            db, [(ids[0], NOW, "1.1"), (ids[1], NOW, "1.2"), (ids[2], NOW, "1.3")], claimer="me"
        )
    assert sent == {ids[0]}
    with runtime.unit_of_work() as db:
        rows = {d.id: d for d in db.scalars(select(Delivery))}
    assert (rows[ids[0]].state, rows[ids[0]].message_ts, rows[ids[0]].attempts) == (
        DeliveryState.SENT,
        "1.1",
        1,
    )
    assert (rows[ids[1]].state, rows[ids[1]].message_ts) == (DeliveryState.SENDING, None)
    assert (rows[ids[2]].state, rows[ids[2]].attempts) == (DeliveryState.PENDING, 0)


def test_one_failing_move_does_not_fail_the_others_in_its_transaction(runtime: Runtime) -> None:
    session_id = _crowd(runtime, [(f"U{i}", "en", "room") for i in range(2)])
    with runtime.unit_of_work() as db:
        first, second = db.scalars(select(Delivery.id).where(Delivery.session_id == session_id))
    committer = GroupCommitter(runtime)
    holding = threading.Event()
    release = threading.Event()

    def hold_the_committer(db: Connection) -> str:
        holding.set()
        release.wait(10)
        return "held"

    def note(delivery_id: int, text: str) -> Any:
        def move(db: Connection) -> int:
            db.execute(update(Delivery).where(Delivery.id == delivery_id).values(last_error=text))
            return delivery_id

        return move

    def broken(db: Connection) -> None:
        db.execute(update(Delivery).values(last_error="everyone"))
        raise RuntimeError("a bug in one move")

    results: dict[str, Any] = {}

    def commit(name: str, move: Any) -> None:
        try:
            results[name] = committer.commit(move)
        except RuntimeError as exc:
            results[name] = exc

    threads = [threading.Thread(target=commit, args=("hold", hold_the_committer))]
    threads[0].start()
    assert holding.wait(10)
    # These two queue up behind the held transaction and are committed together.
    for name, move in (
        ("broken", broken),
        ("first", note(first, "one")),
        ("two", note(second, "two")),
    ):
        thread = threading.Thread(target=commit, args=(name, move))
        thread.start()
        threads.append(thread)
    while committer._queue.qsize() < 3:
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(10)
    committer.close()

    assert results["hold"] == "held"
    assert isinstance(results["broken"], RuntimeError)
    assert (results["first"], results["two"]) == (first, second)
    with runtime.unit_of_work() as db:
        errors = dict(db.execute(select(Delivery.id, Delivery.last_error)).tuples().all())
    assert errors == {first: "one", second: "two"}
