"""Guests and colleague sign-ups in the services: memberships, held seats everywhere seats count."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.errors import FieldCode, FormErrors, NotRegistered
from bot.models import (
    ColleagueInvitation,
    Delivery,
    DeliveryKind,
    Guest,
    Membership,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.runtime import Runtime
from bot.services import colleagues, enrolment, guests, manage, offers, registration, sessions
from bot.services.erasure import erase_member
from bot.services.fees import season_invoices
from bot.services.personal_data import collect_personal_data
from tests.support.factories import TEAM_ID, add_member, add_organisation, add_session

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
MEETING = "2026-10-01-netvaerk"
MEETING_2 = "2026-11-05-netvaerk"
ZONE = ZoneInfo("Europe/Copenhagen")
OLE = guests.GuestInput("Ole Hansen", "ole@example.org", "politician")


@pytest.fixture
def world(runtime: Runtime) -> None:
    with runtime.unit_of_work(write=True) as db:
        aarhus = add_organisation(db, "Aarhus Kommune")
        for user_id, name in (("U_ANNA", "Anna Berg"), ("U_BO", "Bo Holm"), ("U_CAI", "Cai Juul")):
            add_member(db, user_id, now=NOW, name=name, organisation=aarhus)
        for key, days in ((MEETING, 30), (MEETING_2, 65)):
            add_session(
                db, key, starts=NOW + timedelta(days=days), now=NOW, capacity=3, members_only=True
            )


def test_a_guest_at_members_only_meetings_is_enrolled_once_and_priced_as_a_further_member(
    runtime: Runtime, world: None
) -> None:
    fees = runtime.settings.fees
    with runtime.unit_of_work(write=True) as db:
        enrolment.join_membership(db, TEAM_ID, "U_ANNA", NOW, ZONE, fees)
        registration.register_member(db, TEAM_ID, "U_ANNA", MEETING, None, NOW, fees=fees)
        registration.register_member(db, TEAM_ID, "U_ANNA", MEETING_2, None, NOW, fees=fees)
        guests.add_guests(db, TEAM_ID, "U_ANNA", MEETING, [OLE], NOW, language="da")
        guests.add_guests(db, TEAM_ID, "U_ANNA", MEETING_2, [OLE], NOW, language="da")
        invoices = season_invoices(db, TEAM_ID, "2026-2027", fees, "Europe/Copenhagen")
        (aarhus,) = invoices.organisations
        lines = [(line.participant, line.amount, line.kind, line.guest) for line in aarhus.lines]
        # One enrolment for Ole across both meetings: 10,000 + 7,500.
        assert lines == [
            ("Anna Berg", 10000, "membership", False),
            ("Ole Hansen", 7500, "membership", True),
        ]
    # Only a member registered for the meeting brings guests to it.
    with runtime.unit_of_work(write=True) as db, pytest.raises(NotRegistered):
        guests.add_guests(db, TEAM_ID, "U_BO", MEETING, [OLE], NOW, language="da")
    # Cancelling the guest's last meeting before the season's first one ends the enrolment.
    with runtime.unit_of_work(write=True) as db:
        for guest in guests.my_guests(db, TEAM_ID, "U_ANNA", NOW):
            guests.cancel_guest(db, TEAM_ID, "U_ANNA", guest.id, NOW)
        left = db.scalars(select(Membership.left_at).where(Membership.member_id.is_(None))).all()
        assert left == [NOW]


def test_held_seats_count_on_the_card_and_in_the_capacity_check(
    runtime: Runtime, world: None
) -> None:
    fees = runtime.settings.fees
    valid = runtime.settings.registration.offer_valid
    with runtime.unit_of_work(write=True) as db:
        enrolment.join_membership(db, TEAM_ID, "U_ANNA", NOW, ZONE, fees)
        registration.register_member(db, TEAM_ID, "U_ANNA", MEETING, None, NOW, fees=fees)
        outcome = colleagues.sign_up_colleagues(
            db, TEAM_ID, "U_ANNA", MEETING, ["U_BO", "U_CAI"], NOW, offer_valid=valid
        )
        assert [s.slack_user_id for s in outcome.signed_up] == ["U_BO", "U_CAI"]
        card = sessions.session_by_key(db, TEAM_ID, MEETING)
        assert card.seats_left == 0
        statuses = db.scalars(select(Registration.status).order_by(Registration.id)).all()
        assert statuses == ["confirmed", "offered", "offered"]
    draft = None
    with runtime.unit_of_work() as db:
        draft = manage.editable_session(db, TEAM_ID, MEETING)
    with runtime.unit_of_work(write=True) as db, pytest.raises(FormErrors) as lower:
        manage.update_session(db, TEAM_ID, dataclasses.replace(draft, capacity=2), NOW)
    assert lower.value.codes() == {"capacity": FieldCode.CAPACITY_BELOW_SEATS}


def test_a_full_room_refuses_guests_and_colleagues_and_nothing_is_saved(
    runtime: Runtime, world: None
) -> None:
    fees = runtime.settings.fees
    valid = runtime.settings.registration.offer_valid
    with runtime.unit_of_work(write=True) as db:
        enrolment.join_membership(db, TEAM_ID, "U_ANNA", NOW, ZONE, fees)
        registration.register_member(db, TEAM_ID, "U_ANNA", MEETING, None, NOW, fees=fees)
    four = [dataclasses.replace(OLE, email=f"g{i}@example.org") for i in range(3)]
    with runtime.unit_of_work(write=True) as db, pytest.raises(guests.GuestsNoRoom):
        guests.add_guests(db, TEAM_ID, "U_ANNA", MEETING, four, NOW, language="en")
    with runtime.unit_of_work() as db:
        assert db.scalar(select(Registration).where(Registration.member_id.is_(None))) is None
    with runtime.unit_of_work(write=True) as db:
        guests.add_guests(db, TEAM_ID, "U_ANNA", MEETING, four[:2], NOW, language="en")
        outcome = colleagues.sign_up_colleagues(
            db, TEAM_ID, "U_ANNA", MEETING, ["U_BO"], NOW, offer_valid=valid
        )
        assert outcome.refused == (("U_BO", colleagues.Refusal.FULL),)
        assert (
            db.scalar(
                select(Registration.status).where(Registration.status == RegistrationStatus.OFFERED)
            )
            is None
        )


@pytest.mark.parametrize(
    ("email", "ok"),
    [
        ("ole@example.org", True),
        ("ole.hansen+sdg@kommune.dk", True),
        ("ole(at)example.org", False),
        ("ole@example", False),
        ("ole@@example.org", False),
        ("ole hansen@example.org", False),
        ("a@b.dk, c@d.dk", False),
        ("", False),
    ],
)
def test_guest_email_addresses_are_checked_simply(email: str, ok: bool) -> None:
    problems = guests.validate_guest("Ole Hansen", email, "politician")
    assert (guests.FIELD_EMAIL not in problems.errors) is ok


def test_forget_me_takes_the_members_guests_with_them_and_frees_their_seats(
    runtime: Runtime, world: None
) -> None:
    fees = runtime.settings.fees
    with runtime.unit_of_work(write=True) as db:
        enrolment.join_membership(db, TEAM_ID, "U_ANNA", NOW, ZONE, fees)
        enrolment.join_membership(db, TEAM_ID, "U_BO", NOW, ZONE, fees)
        registration.register_member(db, TEAM_ID, "U_ANNA", MEETING, None, NOW, fees=fees)
        guests.add_guests(db, TEAM_ID, "U_ANNA", MEETING, [OLE], NOW, language="da")
        registration.register_member(db, TEAM_ID, "U_BO", MEETING, None, NOW, fees=fees)
        session = db.scalar(select(ProgrammeSession).where(ProgrammeSession.key == MEETING))
        assert session is not None
        session.capacity = 4
        enrolment.join_membership(db, TEAM_ID, "U_CAI", NOW, ZONE, fees)
        guests.add_guests(
            db,
            TEAM_ID,
            "U_BO",
            MEETING,
            [dataclasses.replace(OLE, name="Pia Lund", email="pia@example.org")],
            NOW,
            language="da",
        )
        waiting = registration.register_member(db, TEAM_ID, "U_CAI", MEETING, None, NOW, fees=fees)
        assert waiting.status == "waiting"
    with runtime.unit_of_work(write=True) as db:
        erase_member(db, TEAM_ID, "U_ANNA", NOW + timedelta(hours=1))
    with runtime.unit_of_work() as db:
        assert [g.name for g in db.scalars(select(Guest))] == ["Pia Lund"]
        assert guests.my_guests(db, TEAM_ID, "U_BO", NOW)[0].name == "Pia Lund"
        cai = registration.my_registrations(db, TEAM_ID, "U_CAI", NOW)
        assert [r.status for r in cai] == ["confirmed"]  # the seats went to the waiting list


def test_mydata_lists_the_guests_a_member_entered_and_nobody_elses(
    runtime: Runtime, world: None
) -> None:
    fees = runtime.settings.fees
    with runtime.unit_of_work(write=True) as db:
        enrolment.join_membership(db, TEAM_ID, "U_ANNA", NOW, ZONE, fees)
        registration.register_member(db, TEAM_ID, "U_ANNA", MEETING, None, NOW, fees=fees)
        guests.add_guests(db, TEAM_ID, "U_ANNA", MEETING, [OLE], NOW, language="da")
    retain = runtime.settings.privacy.retain_personal_data
    with runtime.unit_of_work() as db:
        anna = collect_personal_data(db, TEAM_ID, "U_ANNA", fees=fees, retain=retain)
        bo = collect_personal_data(db, TEAM_ID, "U_BO", fees=fees, retain=retain)
    assert [(g.name, g.email, g.status) for g in anna.guests] == [
        ("Ole Hansen", "ole@example.org", "confirmed")
    ]
    assert bo.guests == ()


def _answers_queued(db: Session, recipient: str) -> list[dict[str, Any] | None]:
    rows = db.scalars(
        select(Delivery).where(
            Delivery.kind == DeliveryKind.COLLEAGUE_ANSWER, Delivery.recipient == recipient
        )
    )
    return [row.details for row in rows]


def test_the_inviter_is_told_of_accept_decline_and_lapse_but_not_of_a_withdrawal(
    runtime: Runtime, world: None
) -> None:
    fees = runtime.settings.fees
    valid = runtime.settings.registration.offer_valid
    with runtime.unit_of_work(write=True) as db:
        db.execute(
            update(ProgrammeSession)
            .where(ProgrammeSession.key == MEETING)
            .values(members_only=False)
        )
        registration.register_member(db, TEAM_ID, "U_ANNA", MEETING, None, NOW, fees=fees)
        colleagues.sign_up_colleagues(
            db, TEAM_ID, "U_ANNA", MEETING, ["U_BO", "U_CAI"], NOW, offer_valid=valid
        )
        colleagues.accept_invitation(
            db, TEAM_ID, "U_BO", MEETING, NOW, fees=fees, offer_valid=valid
        )
        colleagues.accept_invitation(
            db, TEAM_ID, "U_BO", MEETING, NOW, fees=fees, offer_valid=valid
        )
        (withdrawable,) = colleagues.open_invitations_by(db, TEAM_ID, "U_ANNA", NOW, valid)
        colleagues.withdraw_invitation(db, TEAM_ID, "U_ANNA", withdrawable.id, NOW)
        assert _answers_queued(db, "U_ANNA") == [{"answer": "accepted", "colleague": "U_BO"}]

        # Cai signed up again, does not answer: the lapse is the inviter's news too.
        colleagues.sign_up_colleagues(
            db, TEAM_ID, "U_ANNA", MEETING, ["U_CAI"], NOW, offer_valid=valid
        )
        later = NOW + valid + timedelta(minutes=1)
        assert offers.expire_offers(db, runtime.settings, later) == 1
        assert offers.expire_offers(db, runtime.settings, later) == 0
        assert _answers_queued(db, "U_ANNA") == [
            {"answer": "accepted", "colleague": "U_BO"},
            {"answer": "lapsed", "colleague": "U_CAI"},
        ]
        answers = db.scalars(
            select(ColleagueInvitation.answer).order_by(ColleagueInvitation.id)
        ).all()
        assert answers == ["accepted", "withdrawn", "lapsed"]
