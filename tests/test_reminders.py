"""Reminders: planned rows, timing rules, quiet hours, Slack faults, leases.

Service and worker level, on the real database, with the Web API stand-in and
a fixed clock that each test moves by hand.
"""

from __future__ import annotations

import dataclasses
import io
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update

from bot.app import build_app
from bot.clock import FixedClock, ShiftableClock
from bot.config import QuietHours, Settings
from bot.console.executor import TrackingExecutor
from bot.console.session import Console
from bot.delivery import claims, heartbeat
from bot.delivery.quiet_hours import holiday_country, quiet_until
from bot.delivery.registry import message_builders
from bot.delivery.reminder_messages import build_reminder
from bot.delivery.scheduler import run_due_work, run_planners
from bot.delivery.slack_sender import make_delivery_client
from bot.delivery.worker import DeliveryWorker, WorkReport
from bot.i18n import Translator
from bot.ids import ActionId
from bot.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.rendering.reminders import duration_text, reminder_message
from bot.runtime import Runtime
from bot.sandbox.slack_standin import RecordedCall
from bot.services.registration import SessionSummary
from handlers import register_listeners
from tests.support import factories as make
from tests.support.conversation import buttons_of, text_of
from tests.support.faulty_standin import FaultyStandIn

CPH = "Europe/Copenhagen"
NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)  # Monday 10:00 in Copenhagen


def local(text: str, zone: str = CPH) -> datetime:
    """An aware datetime from ``2027-05-20 12:00`` wall time in *zone*."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def delivered(standin: FaultyStandIn) -> list[RecordedCall]:
    """chat.postMessage calls Slack accepted (faults and errors excluded)."""
    return [
        call
        for call in standin.calls_to("chat.postMessage")
        if call.status == 200 and call.response.get("ok")
    ]


def per_channel(standin: FaultyStandIn) -> Counter[str]:
    return Counter(str(call.args["channel"]) for call in delivered(standin))


def texts_to(standin: FaultyStandIn, channel: str) -> list[str]:
    return [text_of(call.args) for call in delivered(standin) if call.args["channel"] == channel]


def rows(runtime: Runtime, kind: str = DeliveryKind.REMINDER) -> list[Delivery]:
    with runtime.unit_of_work() as db:
        return list(
            db.scalars(
                select(Delivery)
                .where(Delivery.kind == str(kind))
                .order_by(Delivery.recipient, Delivery.due_at)
            )
        )


Tick = Callable[[datetime], WorkReport]


@pytest.fixture
def tick(runtime: Runtime, clock: FixedClock) -> Tick:
    """One scheduler tick at a given moment, as `sdgbot serve` would run it."""
    client = make_delivery_client(runtime.settings)

    def run(at: datetime) -> WorkReport:
        clock.set(at)
        return run_due_work(runtime, client, at)

    return run


def only_hour_reminders(runtime: Runtime) -> Runtime:
    return with_settings(runtime, offsets=(timedelta(hours=1),), offset_names=("PT1H",))


def with_settings(runtime: Runtime, **reminders: Any) -> Runtime:
    settings = runtime.settings
    changed = dataclasses.replace(
        settings, reminders=dataclasses.replace(settings.reminders, **reminders)
    )
    return dataclasses.replace(runtime, settings=changed)


# --- each member, each reminder, once ---------------------------------------------------


def test_each_confirmed_member_gets_each_reminder_once(
    runtime: Runtime, standin: FaultyStandIn, tick: Tick
) -> None:
    starts = local("2027-05-20 12:00")
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(
            db, "2027-05-20-middelfart", starts=starts, now=NOW, online_url="https://meet.example/1"
        )
        room = make.add_member(db, "UROOM", now=NOW, language="en", tz="Atlantic/Reykjavik")
        online = make.add_member(db, "UONLINE", now=NOW, language="da")
        waiting = make.add_member(db, "UWAIT", now=NOW)
        gone = make.add_member(db, "UGONE", now=NOW)
        make.add_registration(db, session, room, registered_at=NOW)
        make.add_registration(db, session, online, registered_at=NOW, attendance="online")
        make.add_registration(db, session, waiting, registered_at=NOW, status="waiting")
        make.add_registration(db, session, gone, registered_at=NOW, status="cancelled")

    for offset in (timedelta(days=7), timedelta(days=1), timedelta(hours=1)):
        due = starts - offset
        tick(due - timedelta(minutes=1))
        tick(due)
        tick(due)  # a second tick at the same moment sends nothing more
        tick(due + timedelta(minutes=5))

    assert per_channel(standin) == {"UROOM": 3, "UONLINE": 3}
    in_the_room = texts_to(standin, "UROOM")
    assert ["starts in 7 days" in t for t in in_the_room] == [True, False, False]
    assert "starts in 1 day" in in_the_room[1] and "starts in 1 hour" in in_the_room[2]
    assert all("Middelfart Rådhus" in t and "meet.example" not in t for t in in_the_room)
    # Their own zone: noon in Copenhagen is 10:00 in Reykjavik.
    assert "Thursday, 20 May 2027 at 10:00–12:00 (Reykjavik time)" in in_the_room[0]
    online_texts = texts_to(standin, "UONLINE")
    assert "begynder om 7 dage" in online_texts[0]
    assert all("https://meet.example/1" in t and "Middelfart" not in t for t in online_texts)
    last = delivered(standin)[-1].args
    cancel = buttons_of(last)[ActionId.CANCEL_REGISTRATION]
    assert cancel["value"] == "2027-05-20-middelfart"
    sent = rows(runtime)
    assert {r.state for r in sent} == {DeliveryState.SENT}
    assert all(r.message_ts for r in sent)


def test_a_tick_with_nothing_to_plan_opens_no_write_transaction(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Planners read first: on SQLite a writer holds the lock every sender's commit waits for."""
    hourly = only_hour_reminders(runtime)
    with hourly.unit_of_work(write=True) as db:
        session = make.add_session(db, "s", starts=NOW + timedelta(days=2), now=NOW)
        make.add_confirmed_crowd(db, session, ["U1", "U2"], registered_at=NOW)
    assert run_planners(hourly, NOW) == 2
    writers: list[bool] = []
    opened = hourly.database.unit_of_work

    def counted(*, write: bool = False) -> Any:
        writers.append(write)
        return opened(write=write)

    monkeypatch.setattr(hourly.database, "unit_of_work", counted)
    assert run_planners(hourly, NOW + timedelta(minutes=1)) == 0
    assert writers and not any(writers)

    # Something to change: that planner, and only it, runs again as a writer.
    with opened(write=True) as db:
        session = db.scalars(select(ProgrammeSession)).one()
        make.add_confirmed_crowd(db, session, ["U3"], registered_at=NOW)
    writers.clear()
    assert run_planners(hourly, NOW + timedelta(minutes=2)) == 1
    assert writers.count(True) == 1
    assert sorted(r.recipient for r in rows(hourly)) == ["U1", "U2", "U3"]


def test_a_late_registrant_gets_no_stale_reminder(
    runtime: Runtime, standin: FaultyStandIn, tick: Tick
) -> None:
    starts = NOW + timedelta(hours=20)
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "soon", starts=starts, now=NOW)
        late = make.add_member(db, "ULATE", now=NOW)
        make.add_registration(db, session, late, registered_at=NOW)
        # Waiting for 10 days, promoted two days before the start: no week reminder.
        later = make.add_session(db, "later", starts=NOW + timedelta(days=2), now=NOW)
        promoted = make.add_member(db, "UPROMOTED", now=NOW)
        make.add_registration(
            db,
            later,
            promoted,
            registered_at=NOW - timedelta(days=10),
            promoted_at=NOW,
        )

    tick(NOW)
    assert delivered(standin) == []
    reasons = {(r.recipient, r.offset_key): (r.state, r.skip_reason) for r in rows(runtime)}
    assert reasons[("ULATE", "P7D")] == ("skipped", "registered after due time")
    assert reasons[("ULATE", "P1D")] == ("skipped", "registered after due time")
    assert reasons[("ULATE", "PT1H")] == ("pending", None)
    assert reasons[("UPROMOTED", "P7D")] == ("skipped", "registered after due time")
    assert reasons[("UPROMOTED", "P1D")] == ("pending", None)

    tick(starts - timedelta(hours=1))
    texts = texts_to(standin, "ULATE")
    assert len(texts) == 1 and "starts in 1 hour" in texts[0]


def test_a_moved_session_moves_its_reminders(
    runtime: Runtime, standin: FaultyStandIn, tick: Tick
) -> None:
    starts = local("2027-05-13 14:00")
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "moving", starts=starts, now=NOW)
        make.add_registration(db, session, make.add_member(db, "U1", now=NOW), registered_at=NOW)
    tick(NOW)
    moved = starts + timedelta(days=2, hours=1)
    with runtime.unit_of_work(write=True) as db:
        db.execute(
            update(ProgrammeSession)
            .where(ProgrammeSession.key == "moving")
            .values(starts_at=moved, ends_at=moved + timedelta(hours=2))
        )

    tick(starts - timedelta(days=7))  # the old due time: nothing
    assert delivered(standin) == []
    due = {r.offset_key: r.due_at for r in rows(runtime)}
    assert due == {
        "P7D": moved - timedelta(days=7),
        "P1D": moved - timedelta(days=1),
        "PT1H": moved - timedelta(hours=1),
    }
    tick(moved - timedelta(days=7))
    assert len(delivered(standin)) == 1
    assert "starts in 7 days" in texts_to(standin, "U1")[0]


def test_cancelled_registrations_and_sessions_skip_their_pending_reminders(
    runtime: Runtime, standin: FaultyStandIn, tick: Tick
) -> None:
    starts = local("2027-05-20 12:00")
    with runtime.unit_of_work(write=True) as db:
        kept = make.add_session(db, "kept", starts=starts, now=NOW)
        dropped = make.add_session(db, "dropped", starts=starts, now=NOW)
        leaver = make.add_member(db, "ULEAVER", now=NOW)
        stayer = make.add_member(db, "USTAYER", now=NOW)
        make.add_registration(db, kept, leaver, registered_at=NOW)
        make.add_registration(db, kept, stayer, registered_at=NOW)
        make.add_registration(db, dropped, stayer, registered_at=NOW)
    tick(NOW)
    with runtime.unit_of_work(write=True) as db:
        db.execute(
            update(Registration)
            .where(Registration.member_id == leaver.id)
            .values(status=RegistrationStatus.CANCELLED, cancelled_at=NOW)
        )
        db.execute(
            update(ProgrammeSession)
            .where(ProgrammeSession.key == "dropped")
            .values(cancelled_at=NOW)
        )
    tick(starts - timedelta(days=7))

    assert per_channel(standin) == {"USTAYER": 1}
    skipped = {
        (r.session_id, r.recipient): r.skip_reason for r in rows(runtime) if r.offset_key == "P7D"
    }
    assert skipped[(kept.id, "ULEAVER")] == "registration cancelled"
    assert skipped[(dropped.id, "USTAYER")] == "session cancelled"


def test_the_worker_rechecks_just_before_sending(
    runtime: Runtime, standin: FaultyStandIn, tick: Tick
) -> None:
    """A cancellation between planning and sending still stops the message."""
    starts = local("2027-05-20 12:00")
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "recheck", starts=starts, now=NOW)
        member = make.add_member(db, "U1", now=NOW)
        make.add_registration(db, session, member, registered_at=NOW)
    tick(NOW)
    with runtime.unit_of_work(write=True) as db:
        db.execute(update(Registration).values(status=RegistrationStatus.CANCELLED))
    worker = DeliveryWorker(runtime, make_delivery_client(runtime.settings))
    report = worker.run(lambda: starts - timedelta(days=7))  # no planner run
    assert report.skipped == 1 and delivered(standin) == []


def test_a_registration_again_before_the_due_time_revives_the_reminder(
    runtime: Runtime, standin: FaultyStandIn, tick: Tick
) -> None:
    starts = local("2027-05-20 12:00")
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "again", starts=starts, now=NOW)
        member = make.add_member(db, "U1", now=NOW)
        make.add_registration(db, session, member, registered_at=NOW)
    tick(NOW)
    with runtime.unit_of_work(write=True) as db:
        db.execute(update(Registration).values(status=RegistrationStatus.CANCELLED))
    tick(NOW + timedelta(hours=1))
    with runtime.unit_of_work(write=True) as db:
        db.execute(
            update(Registration).values(
                status=RegistrationStatus.CONFIRMED, registered_at=NOW + timedelta(hours=2)
            )
        )
    tick(NOW + timedelta(hours=3))  # the planner sees the new registration
    tick(starts - timedelta(days=7))
    assert per_channel(standin) == {"U1": 1}


# --- restarts, downtime, leases ---------------------------------------------------------


def test_a_restart_sends_nothing_twice(
    runtime: Runtime, standin: FaultyStandIn, tick: Tick
) -> None:
    starts = local("2027-05-20 12:00")
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "crowd", starts=starts, now=NOW)
        make.add_confirmed_crowd(db, session, [f"UC{i:04d}" for i in range(40)], registered_at=NOW)
    due = starts - timedelta(hours=1)
    for at in (due, due, due + timedelta(minutes=1), due + timedelta(minutes=30)):
        tick(at)  # each run_due_work is a fresh worker: a restarted process
    assert len(delivered(standin)) == 40
    assert set(per_channel(standin).values()) == {1}


def test_overdue_reminders_after_downtime_say_the_true_time_left(
    runtime: Runtime, standin: FaultyStandIn, tick: Tick
) -> None:
    """The bot was down for days: only the latest due reminder goes, with the real time left."""
    with runtime.unit_of_work(write=True) as db:
        soon = make.add_session(db, "soon", starts=NOW + timedelta(minutes=40), now=NOW)
        later = make.add_session(db, "later", starts=NOW + timedelta(days=1, hours=12), now=NOW)
        member = make.add_member(db, "U1", now=NOW)
        make.add_registration(db, soon, member, registered_at=NOW - timedelta(days=10))
        make.add_registration(db, later, member, registered_at=NOW - timedelta(days=10))

    tick(NOW)

    texts = texts_to(standin, "U1")
    assert len(texts) == 2
    assert any("Session soon* starts in 40 minutes" in t for t in texts)
    assert any("Session later* starts in 1 day and 12 hours" in t for t in texts)
    states = {(r.session_id, r.offset_key): (r.state, r.skip_reason) for r in rows(runtime)}
    superseded = "superseded by a later reminder due at the same time"
    assert states[(soon.id, "P7D")] == ("skipped", superseded)
    assert states[(soon.id, "P1D")] == ("skipped", superseded)
    assert states[(later.id, "P1D")] == ("pending", None)


def test_a_reminder_overdue_past_the_start_is_skipped(
    runtime: Runtime, standin: FaultyStandIn, tick: Tick
) -> None:
    starts = local("2027-05-20 12:00")
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "missed", starts=starts, now=NOW)
        make.add_registration(db, session, make.add_member(db, "U1", now=NOW), registered_at=NOW)
    tick(NOW)
    tick(starts + timedelta(minutes=5))  # down from before the first due time until after the start
    assert delivered(standin) == []
    assert {r.skip_reason for r in rows(runtime)} == {"session has started"}


def test_a_dead_workers_claims_are_taken_over_once_its_heartbeat_is_stale(
    runtime: Runtime, standin: FaultyStandIn
) -> None:
    hourly = only_hour_reminders(runtime)
    client = make_delivery_client(hourly.settings)
    starts = NOW + timedelta(days=2)
    due = starts - timedelta(hours=1)
    with hourly.unit_of_work(write=True) as db:
        session = make.add_session(db, "lease", starts=starts, now=NOW)
        make.add_confirmed_crowd(db, session, ["UCLAIMED", "USENDING"], registered_at=NOW)
    run_due_work(hourly, client, NOW)
    timeout = timedelta(seconds=hourly.settings.reminders.worker_timeout_seconds)
    # A process beats, claims both rows, starts sending one of them, and dies.
    dead = heartbeat.identity("dead-1", due)
    with hourly.unit_of_work(write=True) as db:
        heartbeat.beat(db, dead, due)
        taken = claims.claim_due(
            db, claims.Claimant("dead-1"), kinds=["reminder"], now=due, timeout=timeout, limit=10
        )
        assert len(taken) == 2
        sending = db.scalar(select(Delivery.id).where(Delivery.recipient == "USENDING"))
        assert sending is not None
        assert claims.start_sending(db, sending, claimer="dead-1", now=due, timeout=timeout)

    # Its last beat is still fresh: however slow it is, it is not robbed.
    assert run_due_work(hourly, client, due + timeout - timedelta(seconds=1)).sent == 0
    with hourly.unit_of_work() as db:
        assert heartbeat.live_worker_count(db, due + timeout, timeout) == 1
    report = run_due_work(hourly, client, due + timeout + timedelta(seconds=1))
    assert report.sent == 2 and report.taken_over == 1
    marked = [r.recipient for r in rows(hourly) if r.last_error == claims.TAKEN_OVER]
    assert marked == ["USENDING"]
    with hourly.unit_of_work() as db:
        assert heartbeat.live_worker_count(db, due + timeout + timedelta(seconds=1), timeout) == 0


def _claimed_and_one_sending(runtime: Runtime, worker: str, at: datetime) -> None:
    """Two due reminders, both claimed by *worker* (beating at *at*), one of them 'sending'."""
    starts = at + timedelta(minutes=30)
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "held", starts=starts, now=NOW - timedelta(days=2))
        make.add_confirmed_crowd(
            db, session, ["UCLAIMED", "USENDING"], registered_at=NOW - timedelta(days=1)
        )
    run_planners(runtime, NOW)
    timeout = timedelta(seconds=runtime.settings.reminders.worker_timeout_seconds)
    with runtime.unit_of_work(write=True) as db:
        heartbeat.beat(db, heartbeat.identity(worker, at), at)
        taken = claims.claim_due(
            db, claims.Claimant(worker), kinds=["reminder"], now=at, timeout=timeout, limit=10
        )
        assert len(taken) == 2
        sending = db.scalar(select(Delivery.id).where(Delivery.recipient == "USENDING"))
        assert sending is not None
        assert claims.start_sending(db, sending, claimer=worker, now=at, timeout=timeout)


def test_a_worker_whose_heartbeat_is_late_never_takes_its_own_rows_as_a_dead_ones(
    runtime: Runtime,
) -> None:
    """A long write transaction on SQLite holds back the heartbeat of a process that is
    sending: its own claims are still in its threads' hands, sending them again would
    be a duplicate."""
    hourly = only_hour_reminders(runtime)
    _claimed_and_one_sending(hourly, "busy-1", NOW)
    timeout = timedelta(seconds=hourly.settings.reminders.worker_timeout_seconds)
    late = NOW + timeout + timedelta(seconds=3)
    with hourly.unit_of_work(write=True) as db:
        mine = claims.claim_due(
            db, claims.Claimant("busy-1"), kinds=["reminder"], now=late, timeout=timeout, limit=10
        )
        assert mine == []
        # Between its runs (no call in flight) its own 'sending' row is an orphan it retries.
        between_runs = claims.Claimant("busy-1", own_orphans=True)
        retried = claims.claim_due(
            db, between_runs, kinds=["reminder"], now=late, timeout=timeout, limit=10
        )
        assert [row.taken_over for row in retried] == [True]


def test_the_others_heartbeats_are_judged_as_of_the_takers_previous_one(
    runtime: Runtime, standin: FaultyStandIn
) -> None:
    """After a stall that held every heartbeat back, the others get a heartbeat interval
    to beat again before anything of theirs is taken."""
    hourly = only_hour_reminders(runtime)
    _claimed_and_one_sending(hourly, "queued-1", NOW)
    timeout = timedelta(seconds=hourly.settings.reminders.worker_timeout_seconds)
    taker = DeliveryWorker(hourly, make_delivery_client(hourly.settings))
    before_the_stall = NOW + timedelta(seconds=1)
    after_the_stall = NOW + timeout + timedelta(seconds=3)
    taker.beat(before_the_stall)
    taker.beat(after_the_stall)
    # As of its previous beat, queued-1 was silent for 1 s only: not robbed.
    assert taker.run(lambda: after_the_stall, beat=False).sent == 0
    assert delivered(standin) == []
    # A beat later queued-1 is still silent: dead, its rows go out, the one marked.
    taker.beat(after_the_stall + timedelta(seconds=1))
    report = taker.run(lambda: after_the_stall + timedelta(seconds=1), beat=False)
    assert (report.sent, report.taken_over) == (2, 1)


def test_a_row_left_in_sending_by_a_live_worker_is_taken_over_by_its_next_run(
    runtime: Runtime, standin: FaultyStandIn
) -> None:
    """The outcome of a call could not be recorded: the same worker retries it, marked."""
    hourly = only_hour_reminders(runtime)
    client = make_delivery_client(hourly.settings)
    with hourly.unit_of_work(write=True) as db:
        session = make.add_session(db, "s", starts=NOW + timedelta(minutes=30), now=NOW)
        make.add_confirmed_crowd(db, session, ["U1"], registered_at=NOW - timedelta(days=9))
    run_planners(hourly, NOW)
    worker = DeliveryWorker(hourly, client)
    timeout = worker.timeout
    worker.beat(NOW)
    with hourly.unit_of_work(write=True) as db:
        taken = claims.claim_due(
            db,
            claims.Claimant(worker.claimer),
            kinds=["reminder"],
            now=NOW,
            timeout=timeout,
            limit=1,
        )
        assert claims.start_sending(
            db, taken[0].delivery_id, claimer=worker.claimer, now=NOW, timeout=timeout
        )
    report = worker.run(lambda: NOW)
    assert (report.sent, report.taken_over) == (1, 1)
    assert rows(hourly)[0].last_error == claims.TAKEN_OVER


def test_a_call_that_never_left_is_retried_unmarked_and_an_unanswered_one_marked(
    runtime: Runtime, standin: FaultyStandIn
) -> None:
    hourly = only_hour_reminders(runtime)
    with hourly.unit_of_work(write=True) as db:
        session = make.add_session(db, "s", starts=NOW + timedelta(minutes=30), now=NOW)
        make.add_confirmed_crowd(db, session, ["U1"], registered_at=NOW - timedelta(days=9))
    nobody_listens = WebClient(
        token="xoxb-1", base_url="http://127.0.0.1:9/api/", retry_handlers=[]
    )
    report = run_due_work(hourly, nobody_listens, NOW)
    assert (report.retried, report.possible_duplicates) == (1, 0)
    assert (rows(hourly)[0].last_error or "").startswith("not sent")

    # Slack answers after the client has given up: it did post the message.
    standin.set_latency("chat.postMessage", 1.5)
    impatient = WebClient(token="xoxb-1", base_url=standin.api_url, timeout=1, retry_handlers=[])
    report = run_due_work(hourly, impatient, NOW + timedelta(minutes=1))
    assert (report.retried, report.unanswered) == (1, 1)
    standin.set_latency("chat.postMessage", 0)
    standin.wait_for("chat.postMessage", 1)  # Slack got the first call, late
    report = run_due_work(hourly, make_delivery_client(hourly.settings), NOW + timedelta(minutes=2))
    assert report.sent == 1
    row = rows(hourly)[0]
    assert (row.state, row.last_error) == ("sent", claims.UNANSWERED)
    # The documented duplicate: counted, and marked on the row.
    assert per_channel(standin) == {"U1": 2}


def test_rows_of_a_kind_nobody_builds_yet_stay_pending(
    runtime: Runtime, standin: FaultyStandIn
) -> None:
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "s", starts=NOW + timedelta(days=3), now=NOW)
        member = make.add_member(db, "U1", now=NOW)
        make.add_registration(db, session, member, registered_at=NOW - timedelta(days=9))
        db.add(
            Delivery(
                team_id=session.team_id,
                session_id=session.id,
                member_id=member.id,
                recipient="U1",
                kind=DeliveryKind.FEEDBACK_PROMPT,
                offset_key="",
                due_at=NOW - timedelta(hours=1),
                state=DeliveryState.PENDING,
                attempts=0,
                created_at=NOW,
            )
        )
    worker = DeliveryWorker(
        runtime,
        make_delivery_client(runtime.settings),
        builders={DeliveryKind.REMINDER: build_reminder},
    )
    run_due_work(runtime, worker.client, NOW, worker=worker)
    prompt = rows(runtime, DeliveryKind.FEEDBACK_PROMPT)[0]
    assert (prompt.state, prompt.claimed_by, prompt.attempts) == ("pending", None, 0)
    assert per_channel(standin) == {"U1": 1}  # the overdue P7D reminder went


def test_one_broken_member_does_not_hold_up_the_others(
    runtime: Runtime, standin: FaultyStandIn
) -> None:
    hourly = only_hour_reminders(runtime)
    with hourly.unit_of_work(write=True) as db:
        session = make.add_session(db, "s", starts=NOW + timedelta(minutes=30), now=NOW)
        ids = [f"U{i:03d}" for i in range(12)]
        make.add_confirmed_crowd(db, session, ids, registered_at=NOW - timedelta(days=9))

    def breaks_for_u005(db: Any, delivery: Delivery, settings: Settings, now: datetime) -> Any:
        if delivery.recipient == "U005":
            raise RuntimeError("a bug that only this member triggers")
        return build_reminder(db, delivery, settings, now)

    worker = DeliveryWorker(
        hourly,
        make_delivery_client(hourly.settings),
        builders={DeliveryKind.REMINDER: breaks_for_u005},
    )
    standin.fail_next("chat.postMessage", status=200, error="user_not_found")
    report = run_due_work(hourly, worker.client, NOW, worker=worker)
    assert (report.sent, report.retried, report.failed) == (10, 1, 1)
    assert len(per_channel(standin)) == 10
    broken = next(r for r in rows(hourly) if r.recipient == "U005")
    assert broken.state == "pending" and broken.not_before is not None
    assert "a bug that only this member triggers" in (broken.last_error or "")
    failed = [r for r in rows(hourly) if r.state == "failed"]
    assert len(failed) == 1 and failed[0].last_error == "user_not_found"


# --- Slack's pace -----------------------------------------------------------------------


def test_429s_and_ten_percent_of_5xx_still_deliver_everything_once(
    runtime: Runtime, standin: FaultyStandIn, clock: FixedClock
) -> None:
    fast = with_settings(runtime, send_rate_per_second=500)
    starts = NOW + timedelta(minutes=30)
    members = [f"UF{i:04d}" for i in range(200)]
    with fast.unit_of_work(write=True) as db:
        session = make.add_session(db, "fanout", starts=starts, now=NOW)
        make.add_confirmed_crowd(db, session, members, registered_at=NOW - timedelta(days=9))
    standin.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    standin.set_failure_rate("chat.postMessage", 0.10, status=503, seed=7)
    client = make_delivery_client(fast.settings)

    at = NOW
    total = WorkReport()
    for _ in range(30):
        total.add(run_due_work(fast, client, at))
        if len(per_channel(standin)) == len(members):
            break
        at += timedelta(minutes=5)  # past any backoff of the retried rows
        clock.set(at)
    assert set(per_channel(standin)) == set(members)
    assert set(per_channel(standin).values()) == {1}
    assert total.rate_limited == 2 and total.retried > 0 and total.failed == 0
    assert {r.state for r in rows(fast) if r.offset_key == "PT1H"} == {"sent"}


# --- quiet hours and holidays -----------------------------------------------------------


def test_quiet_hours_hold_a_day_reminder_until_morning(
    runtime: Runtime, standin: FaultyStandIn
) -> None:
    starts = local("2027-05-13 22:30")  # Thursday evening
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "late-evening", starts=starts, now=NOW)
        make.add_registration(db, session, make.add_member(db, "U1", now=NOW), registered_at=NOW)
    no_week = with_settings(
        runtime, offsets=(timedelta(days=1), timedelta(hours=1)), offset_names=("P1D", "PT1H")
    )
    client = make_delivery_client(runtime.settings)

    def at(moment: datetime) -> WorkReport:
        return run_due_work(no_week, client, moment)

    assert at(starts - timedelta(days=1)).held == 1  # 22:30 the evening before
    assert at(local("2027-05-13 06:59")).sent == 0
    assert at(local("2027-05-13 07:00")).sent == 1
    assert "starts in 15 hours and 30 minutes" in texts_to(standin, "U1")[0]
    assert at(starts - timedelta(hours=1)).sent == 1  # 21:30: an hour-scale reminder is not held


def test_a_danish_holiday_holds_until_the_next_working_morning(
    runtime: Runtime, standin: FaultyStandIn, tick: Tick
) -> None:
    starts = local("2027-05-07 12:00")  # the Friday after Kristi himmelfartsdag
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "after-ascension", starts=starts, now=NOW)
        make.add_registration(db, session, make.add_member(db, "U1", now=NOW), registered_at=NOW)
    tick(NOW)
    assert tick(local("2027-05-06 12:00")).held == 1  # the P1D reminder, on the holiday
    held = next(r for r in rows(runtime) if r.offset_key == "P1D")
    assert held.not_before == local("2027-05-07 07:00")
    tick(local("2027-05-06 23:00"))
    assert delivered(standin) == []
    tick(local("2027-05-07 07:00"))
    assert per_channel(standin) == {"U1": 1}


def test_a_hold_that_would_outlast_the_start_is_not_made(
    runtime: Runtime, standin: FaultyStandIn, tick: Tick
) -> None:
    starts = local("2027-12-26 10:00")  # 2. juledag; its P1D reminder falls on Christmas Day
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "christmas", starts=starts, now=NOW)
        make.add_registration(db, session, make.add_member(db, "U1", now=NOW), registered_at=NOW)
    tick(NOW)
    assert tick(starts - timedelta(days=1)).sent == 1  # waiting would mean 27 December


def test_norwegian_members_keep_norwegian_holidays(
    runtime: Runtime, standin: FaultyStandIn, tick: Tick
) -> None:
    starts = local("2028-05-02 12:00")  # P1D falls on 1 May: a holiday in Norway only
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "may", starts=starts, now=NOW)
        bergen = make.add_organisation(db, "Bergen kommune", country="NO")
        norwegian = make.add_member(db, "UNO", now=NOW, organisation=bergen, language="en")
        danish = make.add_member(db, "UDK", now=NOW, language="da")
        for member in (norwegian, danish):
            make.add_registration(db, session, member, registered_at=NOW)
    tick(starts - timedelta(days=1))
    assert per_channel(standin) == {"UDK": 1}
    tick(local("2028-05-02 07:00"))
    assert per_channel(standin) == {"UDK": 1, "UNO": 1}


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2027-05-12 20:59", None),
        ("2027-05-12 21:00", "2027-05-13 07:00"),
        ("2027-05-13 03:00", "2027-05-13 07:00"),
        ("2027-05-13 07:00", None),
        ("2027-05-06 12:00", "2027-05-07 07:00"),  # Kristi himmelfartsdag
        ("2027-12-24 22:00", "2027-12-27 07:00"),  # over both Christmas days
        ("2027-10-30 23:00", "2027-10-31 07:00"),  # the night summer time ends
    ],
)
def test_quiet_until_in_copenhagen(moment: str, expected: str | None) -> None:
    quiet = QuietHours(time(21, 0), time(7, 0))
    end = quiet_until(local(moment), quiet, CPH, "DK")
    assert end == (local(expected) if expected else None)


def test_quiet_hours_off_holds_nothing() -> None:
    assert quiet_until(local("2027-12-25 03:00"), None, CPH, "DK") is None


@pytest.mark.parametrize(
    ("organisation", "language", "bot_language", "country"),
    [
        ("NO", "da", "da", "NO"),
        ("DK", "nb", "nb", "DK"),
        ("", "nb", "da", "NO"),
        ("", "en", "nb", "NO"),
        ("", "en", "da", "DK"),
        ("SE", "da", "da", "DK"),
    ],
)
def test_holiday_country(organisation: str, language: str, bot_language: str, country: str) -> None:
    assert holiday_country(organisation, language, bot_language) == country


@pytest.mark.parametrize(
    ("delta", "language", "text"),
    [
        (timedelta(days=7), "en", "7 days"),
        (timedelta(days=1, hours=12), "en", "1 day and 12 hours"),
        (timedelta(hours=15, minutes=30), "da", "15 timer og 30 minutter"),
        (timedelta(hours=1), "nb", "1 time"),
        (timedelta(seconds=20), "en", "1 minute"),
    ],
)
def test_time_left_is_said_in_the_readers_language(
    delta: timedelta, language: str, text: str
) -> None:
    assert duration_text(delta, Translator(language, CPH)) == text


def test_a_reminder_escapes_programme_text_and_says_how_to_join() -> None:
    starts = local("2027-06-10 13:30")
    facts = SessionSummary(
        key="k",
        title="Data <for> SDGs & more",
        starts=starts,
        ends=starts + timedelta(hours=2),
        timezone="Europe/Oslo",
        location="Microsoft Teams",
        online_url="https://teams.example/1",
        is_online_only=True,
    )
    reply = reminder_message(
        facts, Translator("nb", "Europe/Oslo"), now=starts - timedelta(hours=1), attendance="room"
    )
    body = reply.blocks[0]["text"]["text"]
    assert "*Data &lt;for&gt; SDGs &amp; more* starter om 1 time." in body
    assert "<https://teams.example/1|" in body and ":round_pushpin:" not in body
    assert "kl. 13:30–15:30 (tid i Oslo)" in body
    assert buttons_of({"blocks": reply.blocks})[ActionId.CANCEL_REGISTRATION]["value"] == "k"


# --- the channel heads-up ---------------------------------------------------------------


def test_the_channel_heads_up_is_posted_once(
    runtime: Runtime, standin: FaultyStandIn, clock: FixedClock
) -> None:
    settings = dataclasses.replace(
        runtime.settings,
        slack=dataclasses.replace(runtime.settings.slack, announce_channel="C0ANNOUNCE"),
    )
    announcing = dataclasses.replace(runtime, settings=settings)
    starts = local("2027-05-20 12:00")
    with announcing.unit_of_work(write=True) as db:
        make.add_session(db, "announced", starts=starts, now=NOW)
    client = make_delivery_client(settings)
    for at in (
        NOW,
        starts - timedelta(days=7),
        starts - timedelta(days=1),
        starts - timedelta(days=1),
    ):
        run_due_work(announcing, client, at)
    assert per_channel(standin) == {"C0ANNOUNCE": 1}
    post = texts_to(standin, "C0ANNOUNCE")[0]
    assert "Session announced* begynder om 1 dag" in post  # the network's language: da
    assert ActionId.REGISTER in buttons_of(delivered(standin)[0].args)


def test_the_registry_knows_the_reminder_kinds() -> None:
    builders = message_builders()
    assert DeliveryKind.REMINDER in builders and DeliveryKind.CHANNEL_HEADS_UP in builders


# --- the console ------------------------------------------------------------------------


@pytest.fixture
def console(runtime: Runtime, standin: FaultyStandIn) -> Iterator[tuple[Console, io.StringIO]]:
    # Real time plus the sandbox's shift, like `sdgbot console`; no quiet hours, so the
    # test does not depend on the hour it runs at.
    sandbox = dataclasses.replace(with_settings(runtime, quiet_hours=None), clock=ShiftableClock())
    executor = TrackingExecutor()
    app = build_app(sandbox, register_listeners, listener_executor=executor)
    out = io.StringIO()
    yield Console(sandbox, app, standin, executor, "U0CONSOLE", out, lambda _prompt: None), out
    executor.shutdown(wait=True)


def test_the_console_shows_reminders_when_its_clock_moves(
    console: tuple[Console, io.StringIO],
) -> None:
    sandbox, out = console
    now = sandbox.runtime.clock.now()
    with sandbox.runtime.unit_of_work(write=True) as db:
        session = make.add_session(
            db, "console", starts=now + timedelta(days=7, hours=3), now=now, title="Reflection"
        )
        member = make.add_member(db, "U0CONSOLE", now=now, language="en")
        make.add_registration(db, session, member, registered_at=now)
    sandbox.handle("/time +2h")
    assert "message in DM" not in out.getvalue()
    sandbox.handle("/time +1h")
    sandbox.handle("/time +1h")
    printed = out.getvalue()
    assert printed.count("--- message in DM to you ---") == 1
    assert "*Reflection* starts in 7 days" in printed
    assert "[1] Cancel registration" in printed
