"""Seasons, the season membership, seat offers and money formats, at the service level."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.config import ConfigError, FeeSettings, Settings, load_settings
from bot.errors import MembershipLocked, MembersOnly, NoOpenOffer, UnknownSeason
from bot.models import Delivery, DeliveryKind, Organisation, Registration, RegistrationStatus
from bot.programme_file import ProgrammeError, parse_programme
from bot.rendering.money import format_money
from bot.runtime import Runtime
from bot.services import enrolment, membership, offers, personal_data, registration, seasons
from bot.services.fees import season_invoices
from bot.services.programme import import_programme
from tests.support.factories import TEAM_ID, add_member, add_organisation, add_session

CPH = ZoneInfo("Europe/Copenhagen")
FEES = FeeSettings(member_price=10000, extra_participant_discount=0.25, currency="DKK")
NOW = datetime(2026, 8, 20, 8, 0, tzinfo=UTC)

SEASONS = """
[[season]]
key = "2026-2027"
title = "SDG Leadership 2026-2027"
starts = 2026-08-01
ends = 2027-07-31

[[season]]
key = "efteraar-2027"
title = "Efterår 2027"
starts = 2027-08-15
ends = 2027-12-20
membership_price = 6000

[[session]]
key = "m1"
title = "Netværksmøde 1"
kind = "network_meeting"
starts = 2026-09-17T10:00:00
ends = 2026-09-17T15:00:00
location = "Middelfart Rådhus"
capacity = 2
members_only = true

[[session]]
key = "m2"
title = "Netværksmøde 2"
kind = "network_meeting"
starts = 2027-01-21T10:00:00
ends = 2027-01-21T15:00:00
location = "Aarhus Rådhus"
members_only = true

[[session]]
key = "webinar"
title = "Webinar"
kind = "webinar"
starts = 2026-11-12T09:00:00
ends = 2026-11-12T10:00:00
location = "online"
"""


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def world(runtime: Runtime) -> None:
    programme = parse_programme(SEASONS)
    with runtime.unit_of_work(write=True) as db:
        import_programme(db, TEAM_ID, programme, NOW)


@pytest.fixture
def members(runtime: Runtime) -> Callable[..., list[str]]:
    def make(count: int, organisation: str = "Aarhus Kommune", prefix: str = "U") -> list[str]:
        with runtime.unit_of_work(write=True) as db:
            org = db.scalar(select(Organisation).where(Organisation.name == organisation))
            org = org or add_organisation(db, organisation)
            ids = [f"{prefix}{org.id:02d}{n:03d}" for n in range(count)]
            for user_id in ids:
                add_member(db, user_id, now=NOW, organisation=org)
        return ids

    return make


def join(runtime: Runtime, user_id: str, at: datetime | None = None) -> membership.MembershipChange:
    with runtime.unit_of_work(write=True) as db:
        return enrolment.join_membership(db, TEAM_ID, user_id, at or runtime.clock.now(), CPH, FEES)


def leave(
    runtime: Runtime, user_id: str, at: datetime, facilitator: str | None = None
) -> membership.MembershipChange:
    with runtime.unit_of_work(write=True) as db:
        return enrolment.leave_membership(
            db, TEAM_ID, user_id, at, CPH, FEES, facilitator=facilitator
        )


def register(runtime: Runtime, user_id: str, key: str, at: datetime | None = None):
    with runtime.unit_of_work(write=True) as db:
        return registration.register_member(
            db, TEAM_ID, user_id, key, None, at or runtime.clock.now(), fees=FEES
        )


def status_of(runtime: Runtime, user_id: str, key: str) -> str | None:
    with runtime.unit_of_work() as db:
        return db.scalar(
            select(Registration.status)
            .join(Registration.member)
            .join(Registration.session)
            .where(Registration.member.has(slack_user_id=user_id))
            .where(Registration.session.has(key=key))
        )


# --- the programme file's [[season]] tables ----------------------------------------------


def test_seasons_are_read_from_the_programme_file() -> None:
    programme = parse_programme(SEASONS)
    assert [(s.key, s.first_day, s.last_day, s.membership_price) for s in programme.seasons] == [
        ("2026-2027", date(2026, 8, 1), date(2027, 7, 31), None),
        ("efteraar-2027", date(2027, 8, 15), date(2027, 12, 20), 6000),
    ]
    assert [s.members_only for s in programme.sessions] == [True, True, False]


@pytest.mark.parametrize(
    ("table", "needle", "reason"),
    [
        ('key = "a"\nstarts = 2026-08-01T00:00:00\nends = 2027-07-31\n', "starts =", "a date"),
        ('key = "a"\nstarts = 2026-08-01\nends = 2026-07-31\n', "ends =", "on or after"),
        (
            'key = "a"\nstarts = 2026-08-01\nends = 2027-07-31\nprice = 5\n',
            "price =",
            "unknown key 'price'",
        ),
        ('key = "a b"\nstarts = 2026-08-01\nends = 2027-07-31\n', "key =", "key must be"),
        ("starts = 2026-08-01\nends = 2027-07-31\n", "[[season]]", "no 'key'"),
    ],
)
def test_a_wrong_season_is_refused_with_its_line(table: str, needle: str, reason: str) -> None:
    text = "[[season]]\n" + table + '\n[[session]]\nkey = "w"\ntitle = "W"\nkind = "webinar"\n'
    text += 'starts = 2026-11-12T09:00:00\nends = 2026-11-12T10:00:00\nlocation = "online"\n'
    with pytest.raises(ProgrammeError) as raised:
        parse_programme(text, path="program.toml")
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert raised.value.line == lines[0]
    assert reason in raised.value.reason


def test_overlapping_seasons_and_priced_members_only_sessions_are_refused() -> None:
    overlapping = SEASONS.replace("starts = 2027-08-15", "starts = 2027-07-01")
    with pytest.raises(ProgrammeError) as raised:
        parse_programme(overlapping)
    assert "overlaps season '2026-2027'" in raised.value.reason
    priced = SEASONS.replace("members_only = true", "members_only = true\nprice = 500", 1)
    with pytest.raises(ProgrammeError) as raised:
        parse_programme(priced)
    assert "members-only" in raised.value.reason


# --- one season model ---------------------------------------------------------------------


def test_a_defined_season_wins_and_the_default_fills_the_gaps(runtime: Runtime, world) -> None:
    with runtime.unit_of_work() as db:
        assert seasons.season_at(db, TEAM_ID, NOW, CPH).title == "SDG Leadership 2026-2027"
        autumn = seasons.season_at(db, TEAM_ID, datetime(2027, 9, 1, tzinfo=UTC), CPH)
        assert (autumn.key, autumn.membership_price, autumn.defined) == (
            "efteraar-2027",
            6000,
            True,
        )
        # Between two defined seasons: the 1 August - 31 July default.
        gap = seasons.season_at(db, TEAM_ID, datetime(2027, 8, 5, tzinfo=UTC), CPH)
        assert (gap.key, gap.defined) == ("2027-2028", False)
        assert seasons.season_by_key(db, TEAM_ID, "2026/27", CPH).title == (
            "SDG Leadership 2026-2027"
        )
        assert seasons.season_by_key(db, TEAM_ID, "2024-2025", CPH).starts == datetime(
            2024, 8, 1, tzinfo=CPH
        )
        with pytest.raises(UnknownSeason) as raised:
            seasons.season_by_key(db, TEAM_ID, "spring", CPH)
        assert raised.value.known == ("2026-2027", "efteraar-2027")
        season = seasons.season_by_key(db, TEAM_ID, "2026-2027", CPH)
        assert [s.key for s in seasons.sessions_in(db, TEAM_ID, season)] == ["m1", "webinar", "m2"]


def test_the_season_ends_at_local_midnight_after_its_last_day(runtime: Runtime, world) -> None:
    with runtime.unit_of_work() as db:
        season = seasons.season_by_key(db, TEAM_ID, "2026-2027", CPH)
    assert season.ends == datetime(2027, 8, 1, tzinfo=CPH)
    assert season.contains(datetime(2027, 7, 31, 21, 59, tzinfo=UTC))
    assert not season.contains(datetime(2027, 7, 31, 22, 0, tzinfo=UTC))


# --- the membership -----------------------------------------------------------------------


def test_three_from_one_municipality_pay_10000_7500_7500(
    runtime: Runtime, clock: FixedClock, world, members
) -> None:
    aarhus = members(3, "Aarhus Kommune")
    (oslo,) = members(1, "Oslo kommune")
    prices = []
    for user in [aarhus[0], oslo, aarhus[1], aarhus[2]]:
        with runtime.unit_of_work() as db:
            before = membership.membership_status(db, TEAM_ID, user, clock.now(), CPH, FEES)
        change = join(runtime, user)
        assert change.status.price_now == before.price_now  # what was shown is what is paid
        prices.append(change.status.price_now)
        clock.advance(timedelta(minutes=1))
    assert prices == [10000, 10000, 7500, 7500]
    assert join(runtime, aarhus[1]).already
    with runtime.unit_of_work() as db:
        enrolments = membership.memberships_of_season(db, TEAM_ID, "2026-2027", FEES)
        status = membership.membership_status(db, TEAM_ID, aarhus[2], clock.now(), CPH, FEES)
        invoices = season_invoices(db, TEAM_ID, "2026-2027", FEES, "Europe/Copenhagen")
    assert [(e.organisation, e.price, e.discounted) for e in enrolments] == [
        ("Aarhus Kommune", 10000, False),
        ("Oslo kommune", 10000, False),
        ("Aarhus Kommune", 7500, True),
        ("Aarhus Kommune", 7500, True),
    ]
    assert (status.enrolled, status.enrolled_from_organisation, status.price_now) == (True, 3, 7500)
    totals = {i.organisation: i.total for i in invoices.organisations}
    assert totals == {"Aarhus Kommune": 25000, "Oslo kommune": 10000}
    assert all(line.kind == "membership" for i in invoices.organisations for line in i.lines)


def test_the_season_sets_its_own_price(runtime: Runtime, world, members) -> None:
    a, b = members(2)
    later = datetime(2027, 9, 1, tzinfo=UTC)
    with runtime.unit_of_work(write=True) as db:
        first = enrolment.join_membership(db, TEAM_ID, a, later, CPH, FEES)
        second = enrolment.join_membership(db, TEAM_ID, b, later, CPH, FEES)
    assert first.status.season.key == "efteraar-2027"
    assert (first.status.price_now, second.status.price_now) == (6000, 4500)


def test_members_only_sessions_are_for_members_and_webinars_are_free(
    runtime: Runtime, world, members
) -> None:
    (anna,) = members(1)
    with pytest.raises(MembersOnly) as refused:
        register(runtime, anna, "m1")
    assert (refused.value.key, refused.value.season_key) == ("m1", "2026-2027")
    assert status_of(runtime, anna, "m1") is None
    webinar = register(runtime, anna, "webinar")
    assert webinar.fee is not None and (webinar.fee.amount, webinar.fee.included) == (0, False)
    join(runtime, anna)
    meeting = register(runtime, anna, "m1")
    assert meeting.confirmed and meeting.fee is not None
    assert (meeting.fee.amount, meeting.fee.included) == (0, True)


def test_leaving_is_open_until_the_first_members_meeting_then_only_facilitators(
    runtime: Runtime, world, members
) -> None:
    a, b, c = members(3)
    for user in (a, b, c):
        join(runtime, user)
    register(runtime, a, "m1")
    register(runtime, b, "m1")
    register(runtime, c, "m1")  # waiting: capacity 2
    assert status_of(runtime, c, "m1") == RegistrationStatus.WAITING

    change = leave(runtime, a, NOW + timedelta(days=1))
    assert not change.status.enrolled and change.cancelled_sessions == ("Netværksmøde 1",)
    assert status_of(runtime, a, "m1") == RegistrationStatus.CANCELLED
    # Members-only meetings are free for members: the freed seat is given, not offered.
    assert status_of(runtime, c, "m1") == RegistrationStatus.CONFIRMED
    assert leave(runtime, a, NOW + timedelta(days=1)).already

    started = datetime(2026, 9, 17, 8, 0, tzinfo=UTC)  # 10:00 in Copenhagen
    with runtime.unit_of_work() as db:
        status = membership.membership_status(db, TEAM_ID, b, started, CPH, FEES)
    assert not status.may_leave
    with pytest.raises(MembershipLocked):
        leave(runtime, b, started)
    assert leave(runtime, b, started, facilitator="U0FACIL").status.enrolled is False


def test_rejoining_takes_a_new_place_in_the_order(
    runtime: Runtime, clock: FixedClock, world, members
) -> None:
    a, b = members(2)
    join(runtime, a)
    clock.advance(timedelta(minutes=1))
    join(runtime, b)
    leave(runtime, a, clock.now())
    clock.advance(timedelta(minutes=1))
    assert join(runtime, a).status.price_now == 7500
    with runtime.unit_of_work() as db:
        prices = [
            (e.slack_user_id, e.price)
            for e in membership.memberships_of_season(db, TEAM_ID, "2026-2027", FEES)
        ]
    assert prices == [(b, 10000), (a, 7500)]


# --- seat offers --------------------------------------------------------------------------


@pytest.fixture
def priced(runtime: Runtime) -> str:
    with runtime.unit_of_work(write=True) as db:
        add_session(
            db, "summit", starts=NOW + timedelta(days=30), now=NOW, capacity=1, price=1500,
            kind="symposium",
        )  # fmt: skip
    return "summit"


def offers_to(runtime: Runtime) -> list[str]:
    with runtime.unit_of_work() as db:
        return list(
            db.scalars(
                select(Delivery.recipient)
                .where(Delivery.kind == DeliveryKind.SEAT_OFFER)
                .order_by(Delivery.id)
            )
        )


def test_a_promotion_to_a_priced_session_is_an_offer_until_accepted(
    runtime: Runtime, clock: FixedClock, priced: str, members
) -> None:
    a, b = members(2)
    register(runtime, a, priced)
    register(runtime, b, priced)
    with runtime.unit_of_work(write=True) as db:
        registration.cancel_registration(db, TEAM_ID, a, priced, clock.now())
    assert status_of(runtime, b, priced) == RegistrationStatus.OFFERED
    assert offers_to(runtime) == [b]
    with runtime.unit_of_work() as db:
        assert membership_free_promotions(db) == []
    clock.advance(timedelta(hours=3))
    with runtime.unit_of_work(write=True) as db:
        outcome = offers.accept_offer(
            db, TEAM_ID, b, priced, clock.now(), fees=FEES, offer_valid=timedelta(days=2)
        )
    assert outcome.confirmed and outcome.fee is not None and outcome.fee.amount == 1500
    with runtime.unit_of_work(write=True) as db:
        again = offers.accept_offer(
            db, TEAM_ID, b, priced, clock.now(), fees=FEES, offer_valid=timedelta(days=2)
        )
    assert again.already


def membership_free_promotions(db) -> list[str]:
    return list(
        db.scalars(select(Delivery.recipient).where(Delivery.kind == DeliveryKind.PROMOTION))
    )


def test_an_unanswered_offer_goes_to_the_next_in_line(
    runtime: Runtime, settings: Settings, clock: FixedClock, priced: str, members
) -> None:
    a, b, c = members(3)
    for user in (a, b, c):
        register(runtime, user, priced)
        clock.advance(timedelta(minutes=1))
    with runtime.unit_of_work(write=True) as db:
        registration.cancel_registration(db, TEAM_ID, a, priced, clock.now())
    offered_at = clock.now()
    with runtime.unit_of_work(write=True) as db:
        assert offers.expire_offers(db, settings, offered_at + timedelta(days=2, seconds=-1)) == 0
    assert status_of(runtime, b, priced) == RegistrationStatus.OFFERED
    with runtime.unit_of_work(write=True) as db:
        assert offers.expire_offers(db, settings, offered_at + timedelta(days=2)) == 1
    assert status_of(runtime, b, priced) == RegistrationStatus.CANCELLED
    assert status_of(runtime, c, priced) == RegistrationStatus.OFFERED
    assert offers_to(runtime) == [b, c]
    with runtime.unit_of_work(write=True) as db, pytest.raises(NoOpenOffer):
        offers.accept_offer(
            db, TEAM_ID, b, priced, offered_at + timedelta(days=2), fees=FEES,
            offer_valid=settings.registration.offer_valid,
        )  # fmt: skip


def test_declining_gives_the_seat_to_the_next_and_free_sessions_promote_at_once(
    runtime: Runtime, clock: FixedClock, priced: str, members
) -> None:
    a, b, c = members(3)
    for user in (a, b, c):
        register(runtime, user, priced)
    with runtime.unit_of_work(write=True) as db:
        registration.cancel_registration(db, TEAM_ID, a, priced, clock.now())
        declined = offers.decline_offer(db, TEAM_ID, b, priced, clock.now())
    assert not declined.already
    assert status_of(runtime, c, priced) == RegistrationStatus.OFFERED

    with runtime.unit_of_work(write=True) as db:
        add_session(db, "free", starts=NOW + timedelta(days=9), now=NOW, capacity=1)
    register(runtime, a, "free")
    register(runtime, b, "free")
    with runtime.unit_of_work(write=True) as db:
        registration.cancel_registration(db, TEAM_ID, a, "free", clock.now())
        assert membership_free_promotions(db) == [b]
    assert status_of(runtime, b, "free") == RegistrationStatus.CONFIRMED


# --- money and config ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "amounts"),
    [
        ("da_DK", ["10.000\xa0kr.", "7.500\xa0kr.", "0\xa0kr."]),
        ("nb_NO", ["10\xa0000\xa0DKK", "7\xa0500\xa0DKK", "0\xa0DKK"]),
        ("en_GB", ["DKK\xa010,000", "DKK\xa07,500", "DKK\xa00"]),
    ],
)
def test_money_is_formatted_for_the_readers_locale(locale: str, amounts: list[str]) -> None:
    assert [format_money(n, "DKK", locale) for n in (10000, 7500, 0)] == amounts


def test_norwegian_kroner_for_norwegian_readers() -> None:
    assert format_money(10000, "NOK", "nb_NO") == "10\xa0000\xa0kr"
    assert format_money(1499.5, "NOK", "en_GB") == "NOK\xa01,499.50"  # type: ignore[arg-type]


def test_offer_valid_is_a_validated_config_key(tmp_path) -> None:
    assert load_settings(env={}).registration.offer_valid == timedelta(days=2)
    assert load_settings(
        env={"SDGBOT_REGISTRATION_OFFER_VALID": "PT12H"}
    ).registration.offer_valid == (timedelta(hours=12))
    for wrong in ("two days", "PT0S"):
        with pytest.raises(ConfigError) as raised:
            load_settings(env={"SDGBOT_REGISTRATION_OFFER_VALID": wrong})
        assert raised.value.key == "registration.offer_valid"


def test_the_members_data_file_lists_their_memberships_only(
    runtime: Runtime, world, members
) -> None:
    a, b = members(2)
    join(runtime, a)
    join(runtime, b)
    leave(runtime, b, NOW + timedelta(hours=1))
    with runtime.unit_of_work() as db:
        data = personal_data.collect_personal_data(
            db, TEAM_ID, b, fees=FEES, retain=timedelta(days=180)
        )
    assert [(m.season, m.organisation, m.left_at) for m in data.memberships] == [
        ("2026-2027", "Aarhus Kommune", NOW + timedelta(hours=1))
    ]
