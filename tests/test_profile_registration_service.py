"""save_profile_and_register: the first registration's one transaction, on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from bot.config import FeeSettings
from bot.errors import RegistrationClosed, UnknownOrganisation
from bot.models import Member, Registration, RegistrationStatus
from bot.runtime import Runtime
from bot.services.profile_registration import ProfileAndRegistration, save_profile_and_register
from tests.support.factories import add_organisation, add_session

FEES = FeeSettings()


def submit(
    runtime: Runtime, key: str | None, organisation: str, user_id: str = "U1"
) -> ProfileAndRegistration:
    with runtime.unit_of_work(write=True) as db:
        return save_profile_and_register(
            db,
            runtime.settings.home_team_id,
            user_id,
            name="Anna Holm",
            organisation=organisation,
            other_organisation=None,
            role="leader",
            session_key=key,
            attendance=None,
            now=runtime.clock.now(),
            fees=FEES,
        )


@pytest.fixture
def organisation(runtime: Runtime) -> str:
    now = runtime.clock.now()
    with runtime.unit_of_work(write=True) as db:
        add_session(db, "open", starts=now + timedelta(days=3), now=now, capacity=1)
        add_session(db, "over", starts=now - timedelta(hours=1), now=now - timedelta(days=9))
        return f"o:{add_organisation(db, 'Aarhus Kommune').id}"


def test_profile_and_seat_are_one_transaction(runtime: Runtime, organisation: str) -> None:
    begun: list[str] = []

    def count_begin(_conn: object) -> None:
        begun.append("begin")

    event.listen(runtime.database.engine, "begin", count_begin)
    try:
        saved = submit(runtime, "open", organisation)
    finally:
        event.remove(runtime.database.engine, "begin", count_begin)
    assert begun == ["begin"]
    assert saved.outcome is not None and saved.outcome.status == RegistrationStatus.CONFIRMED
    with runtime.unit_of_work() as db:
        member = db.scalar(select(Member).where(Member.slack_user_id == "U1"))
        assert member is not None and member.has_profile
        assert db.scalar(select(Registration.status)) == RegistrationStatus.CONFIRMED


def test_a_refused_registration_keeps_the_profile(runtime: Runtime, organisation: str) -> None:
    saved = submit(runtime, "over", organisation)
    assert isinstance(saved.refused, RegistrationClosed)
    with runtime.unit_of_work() as db:
        member = db.scalar(select(Member).where(Member.slack_user_id == "U1"))
        assert member is not None and member.has_profile
        assert db.scalar(select(Registration.id)) is None


def test_an_unknown_organisation_saves_nothing(runtime: Runtime, organisation: str) -> None:
    with pytest.raises(UnknownOrganisation):
        submit(runtime, "open", "o:999999")
    with runtime.unit_of_work() as db:
        assert db.scalar(select(Member.id)) is None
        assert db.scalar(select(Registration.id)) is None
