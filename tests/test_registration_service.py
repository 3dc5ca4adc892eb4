"""Registration services on a real database: seats, waiting list, promotions, fees, profiles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.config import FeeSettings, Settings
from bot.delivery.promotion import build_promotion
from bot.delivery.registry import OutgoingMessage, SkipDelivery, message_builders
from bot.errors import (
    AttendanceRequired,
    CancellationClosed,
    FieldCode,
    NothingToCancel,
    NotRegistered,
    ProfileRequired,
    RegistrationClosed,
    UnknownOrganisation,
    UnknownSeason,
)
from bot.models import (
    Delivery,
    DeliveryKind,
    Member,
    Organisation,
    ProgrammeSession,
    Registration,
)
from bot.runtime import Runtime
from bot.seasons import default_first_year, default_season
from bot.services import fees as fee_service
from bot.services import profiles, registration
from bot.services.registration import CancelOutcome, RegistrationOutcome
from tests.support.factories import TEAM_ID, add_member, add_organisation, add_session

FEES = FeeSettings(member_price=10000, extra_participant_discount=0.25, currency="DKK")


@pytest.fixture
def now(clock: FixedClock) -> datetime:
    return clock.now()


@pytest.fixture
def session_in_a_month(runtime: Runtime, now: datetime) -> Callable[..., str]:
    def make(key: str = "meeting", **fields: Any) -> str:
        with runtime.unit_of_work(write=True) as db:
            add_session(db, key, starts=now + timedelta(days=30), now=now, **fields)
        return key

    return make


@pytest.fixture
def members(runtime: Runtime, now: datetime) -> Callable[..., list[str]]:
    """Members with complete profiles from one organisation (created once per name)."""

    def make(count: int, organisation: str = "Aarhus Kommune", prefix: str = "U") -> list[str]:
        with runtime.unit_of_work(write=True) as db:
            org = db.scalar(select(Organisation).where(Organisation.name == organisation))
            org = org or add_organisation(db, organisation)
            ids = [f"{prefix}{org.id:02d}{n:03d}" for n in range(count)]
            for user_id in ids:
                add_member(db, user_id, now=now, organisation=org)
        return ids

    return make


def register(
    runtime: Runtime,
    user_id: str,
    key: str | None,
    attendance: str | None = None,
    at: datetime | None = None,
) -> RegistrationOutcome:
    with runtime.unit_of_work(write=True) as db:
        return registration.register_member(
            db, TEAM_ID, user_id, key, attendance, at or runtime.clock.now(), fees=FEES
        )


def cancel(
    runtime: Runtime, user_id: str, key: str | None, at: datetime | None = None
) -> CancelOutcome:
    with runtime.unit_of_work(write=True) as db:
        return registration.cancel_registration(
            db, TEAM_ID, user_id, key, at or runtime.clock.now()
        )


def fee_of(outcome: RegistrationOutcome) -> int | None:
    return outcome.fee.amount if outcome.fee else None


def statuses(runtime: Runtime, key: str) -> dict[str, str]:
    with runtime.unit_of_work() as db:
        rows = db.execute(
            select(Member.slack_user_id, Registration.status)
            .join(Registration, Registration.member_id == Member.id)
            .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
            .where(ProgrammeSession.key == key)
        )
        return dict(rows.tuples().all())


def promotion_rows(runtime: Runtime) -> list[tuple[str, str]]:
    with runtime.unit_of_work() as db:
        rows = db.execute(
            select(Delivery.recipient, Delivery.offset_key)
            .where(Delivery.kind == DeliveryKind.PROMOTION)
            .order_by(Delivery.id)
        )
        return list(rows.tuples().all())


# --- seats and the waiting list ------------------------------------------------------------


def test_seats_fill_then_the_waiting_list_is_first_come_first_served(
    runtime: Runtime, clock: FixedClock, session_in_a_month, members
) -> None:
    key = session_in_a_month(capacity=2)
    a, b, c, d = members(4)
    outcomes = []
    for user in (a, b, c, d):
        clock.advance(timedelta(minutes=1))
        outcomes.append(register(runtime, user, key))
    assert [o.status for o in outcomes] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert [o.waiting_position for o in outcomes] == [None, None, 1, 2]
    assert outcomes[0].attendance == "room" and not outcomes[0].already


def test_registering_twice_leaves_one_registration(
    runtime: Runtime, session_in_a_month, members
) -> None:
    key = session_in_a_month(capacity=1)
    a, b = members(2)
    register(runtime, a, key)
    again = register(runtime, a, key)
    waiting = register(runtime, b, key)
    waiting_again = register(runtime, b, key)
    assert again.already and again.status == "confirmed"
    assert waiting_again.already and waiting_again.waiting_position == 1
    assert not waiting.already
    with runtime.unit_of_work() as db:
        assert db.scalar(select(func.count()).select_from(Registration)) == 2


def test_cancelling_a_seat_promotes_the_first_waiting_member_once(
    runtime: Runtime, clock: FixedClock, session_in_a_month, members
) -> None:
    key = session_in_a_month(capacity=2)
    a, b, c, d = members(4)
    for user in (a, b, c, d):
        clock.advance(timedelta(minutes=1))
        register(runtime, user, key)

    outcome = cancel(runtime, a, key)

    assert outcome.previous_status == "confirmed" and not outcome.already
    assert [p.slack_user_id for p in outcome.promoted] == [c]
    assert statuses(runtime, key) == {a: "cancelled", b: "confirmed", c: "confirmed", d: "waiting"}
    assert promotion_rows(runtime) == [(c, "1")]
    assert register(runtime, d, key).waiting_position == 1
    # Cancelling again changes nothing and queues nothing.
    assert cancel(runtime, a, key).already
    assert promotion_rows(runtime) == [(c, "1")]


def test_leaving_the_waiting_list_promotes_nobody(
    runtime: Runtime, session_in_a_month, members
) -> None:
    key = session_in_a_month(capacity=1)
    a, b, c = members(3)
    for user in (a, b, c):
        register(runtime, user, key)
    outcome = cancel(runtime, b, key)
    assert outcome.previous_status == "waiting" and outcome.promoted == ()
    assert register(runtime, c, key).waiting_position == 1
    assert promotion_rows(runtime) == []


def test_a_member_promoted_twice_gets_two_notices(
    runtime: Runtime, clock: FixedClock, session_in_a_month, members
) -> None:
    key = session_in_a_month(capacity=1)
    a, b, c = members(3)
    register(runtime, a, key)
    register(runtime, b, key)
    cancel(runtime, a, key)  # b promoted (notice 1)
    cancel(runtime, b, key)  # the seat is free again
    register(runtime, c, key)  # c takes it
    again = register(runtime, b, key)  # b waits again
    assert again.status == "waiting" and not again.already
    cancel(runtime, c, key)  # b promoted again (notice 2), at the same instant
    assert promotion_rows(runtime) == [(b, "1"), (b, "2")]


def test_raising_capacity_moves_the_waiting_list_up_in_order(
    runtime: Runtime, clock: FixedClock, session_in_a_month, members, now: datetime
) -> None:
    key = session_in_a_month(capacity=2)
    users = members(5)
    for user in users:
        clock.advance(timedelta(seconds=10))
        register(runtime, user, key)
    with runtime.unit_of_work(write=True) as db:
        result = registration.raise_capacity(db, TEAM_ID, key, 4, runtime.clock.now())
    assert [p.slack_user_id for p in result.promoted] == users[2:4]
    assert promotion_rows(runtime) == [(users[2], "1"), (users[3], "1")]
    assert register(runtime, users[4], key).waiting_position == 1


def test_capacity_zero_means_no_limit(runtime: Runtime, session_in_a_month, members) -> None:
    key = session_in_a_month(capacity=0)
    assert {register(runtime, u, key).status for u in members(30)} == {"confirmed"}


# --- attendance --------------------------------------------------------------------------


def test_online_seats_are_never_full_and_never_counted(
    runtime: Runtime, session_in_a_month, members
) -> None:
    key = session_in_a_month(capacity=1, online_url="https://teams.example.org/m/1")
    a, b, c, d = members(4)
    assert register(runtime, a, key, "room").status == "confirmed"
    assert register(runtime, b, key, "online").status == "confirmed"
    assert register(runtime, c, key, "online").status == "confirmed"
    waiting = register(runtime, d, key, "room")
    assert waiting.status == "waiting" and waiting.waiting_position == 1
    # An online participant leaving frees no room seat.
    assert cancel(runtime, b, key).promoted == ()
    assert [p.slack_user_id for p in cancel(runtime, a, key).promoted] == [d]


def test_a_hybrid_session_asks_room_or_online_and_writes_nothing_until_told(
    runtime: Runtime, session_in_a_month, members
) -> None:
    key = session_in_a_month(capacity=5, online_url="https://teams.example.org/m/1")
    (a,) = members(1)
    with pytest.raises(AttendanceRequired) as raised:
        register(runtime, a, key)
    assert raised.value.key == key
    assert statuses(runtime, key) == {}


def test_online_only_and_place_only_sessions_need_no_choice(
    runtime: Runtime, session_in_a_month, members
) -> None:
    online = session_in_a_month("webinar", location="online", capacity=1)
    room = session_in_a_month("meeting", capacity=1)
    a, b = members(2)
    assert register(runtime, a, online).attendance == "online"
    assert register(runtime, b, online).status == "confirmed"  # online is never full
    assert register(runtime, a, room, "online").attendance == "room"


# --- when registering is not possible ------------------------------------------------------


def test_first_registration_needs_a_profile(
    runtime: Runtime, session_in_a_month, now: datetime
) -> None:
    hybrid = session_in_a_month(capacity=5, online_url="https://teams.example.org/m/1")
    with runtime.unit_of_work(write=True) as db:
        add_member(db, "UNEW", now=now, organisation=None)
    with pytest.raises(ProfileRequired) as raised:
        register(runtime, "UNEW", hybrid)
    assert raised.value.key == hybrid and raised.value.ask_attendance
    with pytest.raises(ProfileRequired):
        register(runtime, "UNEVERSEEN", hybrid, "room")
    assert statuses(runtime, hybrid) == {}


def test_cancelling_after_the_start_is_refused(
    runtime: Runtime, clock: FixedClock, session_in_a_month, members
) -> None:
    key = session_in_a_month(capacity=1)
    a, b = members(2)
    register(runtime, a, key)
    register(runtime, b, key)
    clock.advance(timedelta(days=30, minutes=1))
    with pytest.raises(CancellationClosed):
        cancel(runtime, a, key)
    with pytest.raises(RegistrationClosed):
        register(runtime, "U_LATE", key)
    assert statuses(runtime, key) == {a: "confirmed", b: "waiting"}


def test_cancel_without_a_key_cancels_the_next_registration(
    runtime: Runtime, session_in_a_month, members
) -> None:
    (a,) = members(1)
    with pytest.raises(NothingToCancel):
        cancel(runtime, a, None)
    later = session_in_a_month("later")
    with pytest.raises(NotRegistered):
        cancel(runtime, a, later)
    register(runtime, a, later)
    assert cancel(runtime, a, None).session.key == later


def test_register_without_a_key_takes_the_next_session(
    runtime: Runtime, session_in_a_month, members, now: datetime
) -> None:
    session_in_a_month("later")
    with runtime.unit_of_work(write=True) as db:
        add_session(db, "sooner", starts=now + timedelta(days=3), now=now)
    (a,) = members(1)
    assert register(runtime, a, None).session.key == "sooner"


def test_my_registrations_lists_seats_and_waiting_places(
    runtime: Runtime, session_in_a_month, members, now: datetime
) -> None:
    full = session_in_a_month("full", capacity=1)
    free = session_in_a_month("free", location="online")
    a, b = members(2)
    register(runtime, a, full)
    register(runtime, b, full)
    register(runtime, b, free)
    with runtime.unit_of_work() as db:
        mine = registration.my_registrations(db, TEAM_ID, b, now)
    assert [(m.session.key, m.status, m.waiting_position, m.can_cancel) for m in mine] == [
        ("free", "confirmed", None, True),
        ("full", "waiting", 1, True),
    ]


# --- fees --------------------------------------------------------------------------------


def test_three_participants_from_one_municipality_pay_one_full_and_two_discounted(
    runtime: Runtime, clock: FixedClock, session_in_a_month, members
) -> None:
    key = session_in_a_month(capacity=0, price=10000)
    aarhus = members(3, "Aarhus Kommune")
    (oslo,) = members(1, "Oslo kommune")
    outcomes = []
    for user in [aarhus[0], oslo, aarhus[1], aarhus[2]]:
        clock.advance(timedelta(minutes=1))
        outcomes.append(register(runtime, user, key))
    assert [o.fee.amount for o in outcomes if o.fee] == [10000, 10000, 7500, 7500]
    assert outcomes[2].fee is not None
    assert outcomes[2].fee.colleague_organisation == "Aarhus Kommune"
    assert outcomes[1].fee is not None and not outcomes[1].fee.discounted

    with runtime.unit_of_work() as db:
        invoices = fee_service.season_invoices(db, TEAM_ID, "2026-2027", FEES, "Europe/Copenhagen")
    by_org = {inv.organisation: inv for inv in invoices.organisations}
    assert [line.amount for line in by_org["Aarhus Kommune"].lines] == [10000, 7500, 7500]
    assert by_org["Aarhus Kommune"].total == 25000
    assert by_org["Oslo kommune"].total == 10000
    assert invoices.total == 35000


def test_when_the_first_participant_cancels_the_next_pays_full_price(
    runtime: Runtime, clock: FixedClock, session_in_a_month, members
) -> None:
    key = session_in_a_month(capacity=0, price=10000)
    a, b = members(2)
    register(runtime, a, key)
    clock.advance(timedelta(minutes=1))
    assert fee_of(register(runtime, b, key)) == 7500
    cancel(runtime, a, key)
    assert fee_of(register(runtime, b, key)) == 10000


def test_a_session_price_wins_and_zero_is_free_and_waiting_pays_nothing(
    runtime: Runtime, session_in_a_month, members
) -> None:
    priced = session_in_a_month("priced", capacity=1)
    free = session_in_a_month("free")
    with runtime.unit_of_work(write=True) as db:
        for session in db.scalars(select(ProgrammeSession)):
            session.price = {"priced": 1500, "free": 0}[session.key]
    a, b = members(2)
    assert fee_of(register(runtime, a, priced)) == 1500
    assert register(runtime, b, priced).fee is None  # waiting
    assert fee_of(register(runtime, a, free)) == 0


def test_seasons_run_from_august_to_july() -> None:
    season = default_season(2026, ZoneInfo("Europe/Copenhagen"))
    assert season.key == "2026-2027"
    assert (season.starts.isoformat(), season.ends.isoformat()) == (
        "2026-07-31T22:00:00+00:00",
        "2027-07-31T22:00:00+00:00",
    )
    assert default_first_year("2026/27") == default_first_year("2026-2027") == 2026
    for wrong in ("2026", "2026-2028", "next"):
        assert default_first_year(wrong) is None


def test_an_unknown_season_names_the_known_ones(runtime: Runtime, session_in_a_month) -> None:
    session_in_a_month()
    with runtime.unit_of_work() as db, pytest.raises(UnknownSeason) as raised:
        fee_service.season_invoices(db, TEAM_ID, "next", FEES, "Europe/Copenhagen")
    assert raised.value.known == ("2026-2027",)


def test_discounts_round_to_whole_units() -> None:
    assert fee_service.discounted_price(10000, 0.25) == 7500
    assert fee_service.discounted_price(1999, 0.25) == 1499  # 1499.25
    assert fee_service.discounted_price(1998, 0.25) == 1499  # 1498.5 rounds up


# --- the promotion DM --------------------------------------------------------------------


def test_the_promotion_builder_tells_the_member_and_skips_when_they_left_meanwhile(
    runtime: Runtime, settings: Settings, session_in_a_month, members, now: datetime
) -> None:
    assert message_builders()[DeliveryKind.PROMOTION] is build_promotion
    key = session_in_a_month(capacity=1, title="Netværksmøde i Vejle")
    a, b, c = members(3)
    for user in (a, b, c):
        register(runtime, user, key)
    cancel(runtime, a, key)  # b promoted
    with runtime.unit_of_work() as db:
        delivery = db.scalar(select(Delivery).where(Delivery.recipient == b))
        assert delivery is not None
        message = build_promotion(db, delivery, settings, now)
    assert isinstance(message, OutgoingMessage)
    assert "Netværksmøde i Vejle" in message.text
    assert "Free of charge" in str(message.blocks)

    cancel(runtime, b, key)  # b leaves before the DM went out; c is promoted
    with runtime.unit_of_work() as db:
        stale = db.scalar(select(Delivery).where(Delivery.recipient == b))
        assert stale is not None
        assert isinstance(build_promotion(db, stale, settings, now), SkipDelivery)


# --- profiles and the organisation type-ahead --------------------------------------------


def test_the_municipality_list_is_complete() -> None:
    listed = profiles.municipalities()
    assert sum(m.country == "DK" for m in listed) == 98
    assert sum(m.country == "NO" for m in listed) == 357
    names = {m.name for m in listed}
    assert {"Aarhus Kommune", "Københavns Kommune", "Oslo kommune", "Haram kommune"} <= names


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("aarhus", "Aarhus Kommune"),
        ("Århus", "Aarhus Kommune"),
        ("kobenhavn", "Københavns Kommune"),
        ("tromso", "Tromsø kommune"),
        ("Kárášjohka", "Karasjok kommune"),
        ("herøy", "Herøy kommune (Møre og Romsdal)"),
    ],
)
def test_typing_finds_municipalities(runtime: Runtime, query: str, expected_first: str) -> None:
    with runtime.unit_of_work() as db:
        found = profiles.search_organisations(db, TEAM_ID, query)
    assert found[0].name == expected_first


def test_type_ahead_never_offers_more_than_slack_shows(runtime: Runtime) -> None:
    with runtime.unit_of_work() as db:
        assert len(profiles.search_organisations(db, TEAM_ID, "a")) == profiles.MAX_SUGGESTIONS


def test_saving_a_profile_stores_each_organisation_once(runtime: Runtime, now: datetime) -> None:
    with runtime.unit_of_work(write=True) as db:
        first = profiles.save_profile(
            db,
            TEAM_ID,
            "U1",
            name=" Anna  Holm ",
            organisation="m:DK:Aarhus Kommune",
            other_organisation=None,
            role="leader",
            now=now,
        )
        profiles.save_profile(
            db,
            TEAM_ID,
            "U2",
            name="Jens",
            organisation="other",
            other_organisation="aarhus kommune",
            role="politician",
            now=now,
        )
        profiles.save_profile(
            db,
            TEAM_ID,
            "U3",
            name="Eva",
            organisation="other",
            other_organisation="KL – Kommunernes Landsforening",
            role="other",
            now=now,
        )
    assert first.complete and first.name == "Anna Holm"
    with runtime.unit_of_work() as db:
        orgs = {o.name: o for o in db.scalars(select(Organisation))}
        assert set(orgs) == {"Aarhus Kommune", "KL – Kommunernes Landsforening"}
        assert orgs["Aarhus Kommune"].is_municipality and orgs["Aarhus Kommune"].country == "DK"
        # A written organisation is offered to the next colleague who types it.
        found = profiles.search_organisations(db, TEAM_ID, "landsfor")
        assert [c.name for c in found] == ["KL – Kommunernes Landsforening"]
        assert profiles.profile_of(db, TEAM_ID, "U3").organisation == found[0]


def test_a_forged_organisation_value_is_refused(runtime: Runtime, now: datetime) -> None:
    for value in ("m:DK:Atlantis Kommune", "o:999", "x:1"):
        with pytest.raises(UnknownOrganisation), runtime.unit_of_work(write=True) as db:
            profiles.save_profile(
                db,
                TEAM_ID,
                "U1",
                name="A",
                organisation=value,
                other_organisation="",
                role="other",
                now=now,
            )


def test_profile_validation_names_each_problem() -> None:
    assert profiles.validate_profile("", None, "", None).codes() == {
        "name": FieldCode.NAME_MISSING,
        "organisation": FieldCode.ORGANISATION_MISSING,
        "role": FieldCode.ROLE_MISSING,
    }
    assert profiles.validate_profile("A", "other", " ", "leader").codes() == {
        "other": FieldCode.ORGANISATION_NAME_MISSING
    }
    assert not profiles.validate_profile("A", "m:DK:Aarhus Kommune", "", "leader")
