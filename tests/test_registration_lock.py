"""What a registration does while it holds its session's row lock, and what it does not.

In a burst of first-time members for one session every registration queues
on that lock; what runs under it is what all the others wait for.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.clock import FixedClock
from bot.config import FeeSettings
from bot.errors import ProfileRequired
from bot.models import ProgrammeSession
from bot.runtime import Runtime
from bot.services import registration
from tests.conftest import BACKEND
from tests.support.factories import TEAM_ID, add_member, add_organisation, add_session

FEES = FeeSettings(member_price=10000, extra_participant_discount=0.25, currency="DKK")
postgres_only = pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="SQLite's write transaction is the only writer: no row lock to wait for",
)


@pytest.fixture
def now(clock: FixedClock) -> datetime:
    return clock.now()


@pytest.fixture
def full_session(runtime: Runtime, now: datetime) -> str:
    """One seat, taken, and four members on the waiting list; U9 has no registration yet."""
    with runtime.unit_of_work(write=True) as db:
        add_session(db, "meeting", starts=now + timedelta(days=30), now=now, capacity=1)
        organisation = add_organisation(db, "Aarhus Kommune")
        for user in ("U0", "U1", "U2", "U3", "U4", "U9"):
            add_member(db, user, now=now, organisation=organisation)
    for user in ("U0", "U1", "U2", "U3", "U4"):
        register(runtime, user, now)
    return "meeting"


def register(runtime: Runtime, user: str, now: datetime) -> registration.RegistrationOutcome:
    with runtime.unit_of_work(write=True) as db:
        return registration.register_member(db, TEAM_ID, user, "meeting", None, now, fees=FEES)


class Statements:
    """The SQL an engine runs while recording."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.texts.append(statement)


@pytest.fixture
def statements(runtime: Runtime) -> Iterator[Statements]:
    recorded = Statements()
    engine = runtime.database.engine
    event.listen(engine, "before_cursor_execute", recorded)
    yield recorded
    event.remove(engine, "before_cursor_execute", recorded)


def test_a_full_room_does_not_read_its_waiting_list(
    runtime: Runtime, full_session: str, now: datetime, statements: Statements
) -> None:
    outcome = register(runtime, "U9", now)
    assert outcome.status == "waiting" and outcome.waiting_position == 5
    assert statements.texts, "nothing recorded"
    # The waiting list in its order is read only when a seat is free to give away.
    assert not [s for s in statements.texts if "ORDER BY registrations.queued_at" in s]


def test_a_freed_seat_still_goes_to_the_first_waiting_member(
    runtime: Runtime, full_session: str, now: datetime
) -> None:
    with runtime.unit_of_work(write=True) as db:
        registration.raise_capacity(db, TEAM_ID, full_session, 3, now)
        mine = registration.my_registrations(db, TEAM_ID, "U3", now)
    assert [r.status for r in mine] == ["waiting"] and mine[0].waiting_position == 1


def read_session(db: Session, key: str) -> ProgrammeSession:
    """The session read without a lock, as register_member first reads it."""
    session = db.scalar(select(ProgrammeSession).where(ProgrammeSession.key == key))
    assert session is not None
    return session


class HeldLock:
    """Another transaction holding the session's row lock (SELECT ... FOR UPDATE)."""

    def __init__(self, runtime: Runtime, key: str) -> None:
        self.connection = runtime.database.engine.connect()
        self.transaction = self.connection.begin()
        self.connection.execute(
            select(ProgrammeSession.id).where(ProgrammeSession.key == key).with_for_update()
        )

    def release(self) -> None:
        self.transaction.rollback()
        self.connection.close()


def register_waiting_at_most(
    runtime: Runtime, user: str, now: datetime, seconds: float
) -> registration.RegistrationOutcome:
    with runtime.unit_of_work(write=True) as db:
        db.execute(text(f"SET LOCAL lock_timeout = '{int(seconds * 1000)}ms'"))
        return registration.register_member(db, TEAM_ID, user, "meeting", None, now, fees=FEES)


@postgres_only
def test_answers_that_write_nothing_do_not_wait_for_the_session_lock(
    runtime: Runtime, full_session: str, now: datetime
) -> None:
    with runtime.unit_of_work(write=True) as db:
        add_member(db, "UNEW", now=now, role=None)  # no profile yet
    held = HeldLock(runtime, full_session)
    try:
        with pytest.raises(ProfileRequired):
            register_waiting_at_most(runtime, "UNEW", now, 1.0)
        again = register_waiting_at_most(runtime, "U2", now, 1.0)
        assert again.already and again.waiting_position == 2
        # A registration that writes still waits for the lock (here: gives up).
        with pytest.raises(OperationalError, match="lock timeout"):
            register_waiting_at_most(runtime, "U9", now, 0.3)
    finally:
        held.release()
    assert register(runtime, "U9", now).waiting_position == 5


@postgres_only
def test_a_session_changed_after_it_was_read_is_read_again_under_the_lock(
    runtime: Runtime, full_session: str, now: datetime
) -> None:
    with runtime.unit_of_work(write=True) as db:
        session = read_session(db, full_session)
        assert session.capacity == 1
        with runtime.database.engine.begin() as other:
            other.execute(
                update(ProgrammeSession).where(ProgrammeSession.id == session.id).values(capacity=7)
            )
        registration.lock_read_session(db, session)
        assert session.capacity == 7


@postgres_only
def test_an_unchanged_session_is_locked_in_one_statement(
    runtime: Runtime, full_session: str, statements: Statements
) -> None:
    with runtime.unit_of_work(write=True) as db:
        session = read_session(db, full_session)
        statements.texts.clear()
        registration.lock_read_session(db, session)
    assert len([s for s in statements.texts if "programme_sessions" in s]) == 1
    assert "FOR UPDATE" in statements.texts[0]
