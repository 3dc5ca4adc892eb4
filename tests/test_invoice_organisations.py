"""Invoices that do not move: a registration is invoiced to the organisation it was made for.

On the real database, through the real services: a profile change moves only
registrations of sessions that have not started; erasure and retention detach
registrations without changing who pays what; an organisation the erased
member wrote under "Other" goes, and its registrations are left with none.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.config import FeeSettings
from bot.i18n import Translator
from bot.models import (
    Member,
    Organisation,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    Role,
)
from bot.rendering.csv_files import registrations_csv
from bot.rendering.invoices import invoice_table
from bot.runtime import Runtime
from bot.services import exports, profiles, registration
from bot.services.erasure import erase_member
from bot.services.fees import InvoiceList, season_invoices, session_fees
from bot.services.personal_data import collect_personal_data
from bot.services.retention import expire_personal_data
from tests.support import factories as make

TEAM = make.TEAM_ID
FEES = FeeSettings(member_price=10000, extra_participant_discount=0.25, currency="DKK")
NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)  # the conftest clock
BEFORE = NOW - timedelta(days=30)  # when everyone registered
PAST = "2027-04-23-netvaerk"  # started ten days before NOW
AHEAD = "2027-05-23-symposium"  # starts in twenty days
SEASON = "2026-2027"
AARHUS = "m:DK:Aarhus Kommune"
ODENSE = "m:DK:Odense Kommune"
RETAIN = timedelta(days=180)


def add_sessions(runtime: Runtime) -> None:
    with runtime.unit_of_work(write=True) as db:
        # Priced sessions: the per-session fee rule these tests are about.
        make.add_session(db, PAST, starts=NOW - timedelta(days=10), now=BEFORE, price=10000)
        make.add_session(db, AHEAD, starts=NOW + timedelta(days=20), now=BEFORE, price=10000)


def save_profile(
    runtime: Runtime,
    user_id: str,
    organisation: str | None,
    *,
    other: str | None = None,
    at: datetime = BEFORE,
) -> None:
    with runtime.unit_of_work(write=True) as db:
        profiles.save_profile(
            db,
            TEAM,
            user_id,
            name=f"Name {user_id}",
            organisation=organisation,
            other_organisation=other,
            role=Role.PRACTITIONER,
            now=at,
        )


def register(runtime: Runtime, user_id: str, key: str, at: datetime) -> None:
    with runtime.unit_of_work(write=True) as db:
        registration.register_member(db, TEAM, user_id, key, None, at, fees=FEES)


def invoices(runtime: Runtime) -> InvoiceList:
    with runtime.unit_of_work() as db:
        return season_invoices(db, TEAM, SEASON, FEES, "Europe/Copenhagen")


def amounts(invoice_list: InvoiceList) -> dict[str, list[tuple[str, str, int]]]:
    """organisation -> (session, participant, amount) in confirmation order."""
    return {
        invoice.organisation: [
            (line.session_key, line.participant, line.amount) for line in invoice.lines
        ]
        for invoice in invoice_list.organisations
    }


def totals(invoice_list: InvoiceList) -> dict[str, int]:
    return {invoice.organisation: invoice.total for invoice in invoice_list.organisations}


def organisation_of(runtime: Runtime, key: str, user_id: str) -> str | None:
    with runtime.unit_of_work() as db:
        found = collect_personal_data(db, TEAM, user_id, fees=FEES, retain=RETAIN)
    return next(r.organisation for r in found.registrations if r.session.key == key)


def export_rows(runtime: Runtime, key: str) -> list[tuple[str, str, int | None]]:
    with runtime.unit_of_work() as db:
        export = exports.session_export(db, TEAM, key, FEES)
    return [(row.name, row.organisation, row.fee) for row in export.registrations]


def test_a_profile_change_moves_only_registrations_of_sessions_not_started(
    runtime: Runtime,
) -> None:
    add_sessions(runtime)
    for user_id, organisation in (("U0ODA", ODENSE), ("U0ANNA", AARHUS), ("U0BO", AARHUS)):
        save_profile(runtime, user_id, organisation)
    # Odense's participant is first for AHEAD; Anna is Aarhus's first for both.
    for minute, (user_id, key) in enumerate(
        [("U0ODA", AHEAD), ("U0ANNA", PAST), ("U0ANNA", AHEAD), ("U0BO", PAST)]
    ):
        register(runtime, user_id, key, BEFORE + timedelta(minutes=minute))
    before = amounts(invoices(runtime))
    assert before["Aarhus Kommune"] == [
        (PAST, "Name U0ANNA", 10000),
        (PAST, "Name U0BO", 7500),
        (AHEAD, "Name U0ANNA", 10000),
    ]

    save_profile(runtime, "U0ANNA", ODENSE, at=NOW)

    after = amounts(invoices(runtime))
    # PAST had started: its invoice is the same, Bo still a colleague of Anna's there.
    assert [line for line in after["Aarhus Kommune"] if line[0] == PAST] == [
        (PAST, "Name U0ANNA", 10000),
        (PAST, "Name U0BO", 7500),
    ]
    # AHEAD follows her to Odense, where a colleague already registered: discounted.
    assert [line for line in after["Aarhus Kommune"] if line[0] == AHEAD] == []
    assert after["Odense Kommune"] == [(AHEAD, "Name U0ODA", 10000), (AHEAD, "Name U0ANNA", 7500)]
    assert organisation_of(runtime, PAST, "U0ANNA") == "Aarhus Kommune"
    assert organisation_of(runtime, AHEAD, "U0ANNA") == "Odense Kommune"
    # The export shows the organisation the registration is invoiced to.
    assert export_rows(runtime, PAST) == [
        ("Name U0ANNA", "Aarhus Kommune", 10000),
        ("Name U0BO", "Aarhus Kommune", 7500),
    ]
    assert export_rows(runtime, AHEAD)[1:] == [("Name U0ANNA", "Odense Kommune", 7500)]


def registration_organisations(runtime: Runtime, key: str) -> dict[str, tuple[str, str | None]]:
    """slack user id -> (status, organisation) of the session's registrations."""
    with runtime.unit_of_work() as db:
        rows = db.execute(
            select(Member.slack_user_id, Registration.status, Organisation.name)
            .join(Member, Member.id == Registration.member_id)
            .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
            .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
            .where(ProgrammeSession.key == key)
        ).tuples()
        return {user_id: (status, name) for user_id, status, name in rows}


def test_registering_again_takes_todays_organisation_and_a_promotion_keeps_it(
    runtime: Runtime,
) -> None:
    add_sessions(runtime)
    with runtime.unit_of_work(write=True) as db:
        ahead = db.scalar(select(ProgrammeSession).where(ProgrammeSession.key == AHEAD))
        assert ahead is not None
        ahead.capacity = 1
    save_profile(runtime, "U0ANNA", AARHUS)
    save_profile(runtime, "U0WENCHE", ODENSE)
    register(runtime, "U0ANNA", AHEAD, BEFORE)
    register(runtime, "U0WENCHE", AHEAD, BEFORE + timedelta(minutes=1))
    with runtime.unit_of_work(write=True) as db:
        # Rows without an organisation (as written before registrations kept one):
        # the promotion leaves Wenche's as it is, registering anew fills Anna's.
        db.execute(
            update(Registration)
            .where(Registration.session_id == ahead.id)
            .values(organisation_id=None)
        )
        registration.cancel_registration(db, TEAM, "U0ANNA", AHEAD, BEFORE + timedelta(minutes=2))
    register(runtime, "U0ANNA", AHEAD, BEFORE + timedelta(minutes=3))
    assert registration_organisations(runtime, AHEAD) == {
        # Promoted (an offer, the session has a price): kept as it was.
        "U0WENCHE": (RegistrationStatus.OFFERED, None),
        "U0ANNA": (RegistrationStatus.WAITING, "Aarhus Kommune"),  # registered anew
    }


def past_world(runtime: Runtime, first: str = "U0ANNA", first_org: str | None = AARHUS) -> None:
    """PAST: Anna first from Aarhus, Oda from Odense, then Bo and Carl from Aarhus."""
    add_sessions(runtime)
    save_profile(runtime, first, first_org, other=None if first_org else "Holm Rådgivning & Co")
    for user_id, organisation in (("U0ODA", ODENSE), ("U0BO", AARHUS), ("U0CARL", AARHUS)):
        save_profile(runtime, user_id, organisation)
    for minute, user_id in enumerate([first, "U0ODA", "U0BO", "U0CARL"]):
        register(runtime, user_id, PAST, BEFORE + timedelta(minutes=minute))


def test_the_first_participant_erased_after_the_session_still_pays_full_price(
    runtime: Runtime,
) -> None:
    past_world(runtime)
    before = invoices(runtime)
    assert amounts(before)["Aarhus Kommune"] == [
        (PAST, "Name U0ANNA", 10000),
        (PAST, "Name U0BO", 7500),
        (PAST, "Name U0CARL", 7500),
    ]

    with runtime.unit_of_work(write=True) as db:
        assert erase_member(db, TEAM, "U0ANNA", NOW).erased

    after = invoices(runtime)
    # Still one full and two discounted: Bo does not become the first.
    assert amounts(after)["Aarhus Kommune"] == [
        (PAST, "", 10000),
        (PAST, "Name U0BO", 7500),
        (PAST, "Name U0CARL", 7500),
    ]
    assert totals(after) == totals(before) == {"Aarhus Kommune": 25000, "Odense Kommune": 10000}
    assert after.total == before.total == 35000
    with runtime.unit_of_work() as db:
        session = db.scalar(select(ProgrammeSession).where(ProgrammeSession.key == PAST))
        assert session is not None
        fees = session_fees(db, session, FEES)
    assert [(f.member_id is None, f.organisation, f.fee.amount) for f in fees] == [
        (True, "Aarhus Kommune", 10000),
        (False, "Odense Kommune", 10000),
        (False, "Aarhus Kommune", 7500),
        (False, "Aarhus Kommune", 7500),
    ]
    # The export lists the detached registration with its organisation and fee.
    assert export_rows(runtime, PAST)[0] == ("", "Aarhus Kommune", 10000)
    with runtime.unit_of_work() as db:
        export = exports.session_export(db, TEAM, PAST, FEES)
    lines = registrations_csv(export, Translator("en", "UTC"), ZoneInfo("Europe/Copenhagen"))
    first_row = lines.content.decode("utf-8-sig").splitlines()[1]
    assert first_row.startswith("(personal data erased),Aarhus Kommune,,In the room,Confirmed,")
    assert first_row.endswith(",10000,")  # no guest: the last column is empty
    assert "(data erased)" in invoice_table(after)


def without_names(invoice_list: InvoiceList) -> dict[str, list[tuple[str, int, bool]]]:
    return {
        invoice.organisation: [
            (line.session_key, line.amount, line.discounted) for line in invoice.lines
        ]
        for invoice in invoice_list.organisations
    }


def test_retention_detaches_registrations_and_leaves_invoices_as_they_were(
    runtime: Runtime,
) -> None:
    past_world(runtime)
    before = invoices(runtime)
    with runtime.unit_of_work() as db:
        past_ends = db.scalar(select(ProgrammeSession.ends_at).where(ProgrammeSession.key == PAST))
    assert past_ends is not None
    with runtime.unit_of_work(write=True) as db:
        report = expire_personal_data(db, RETAIN, past_ends + RETAIN + timedelta(minutes=1))
    # Detached, and the members (who used the bot before the cutoff) deleted too.
    assert (report.registrations, report.members) == (4, 4)
    after = invoices(runtime)
    assert [line.participant for invoice in after.organisations for line in invoice.lines] == [
        ""
    ] * 4
    assert without_names(after) == without_names(before)
    assert totals(after) == totals(before) == {"Aarhus Kommune": 25000, "Odense Kommune": 10000}


def test_an_other_organisation_of_an_erased_member_goes_and_leaves_the_registration_without(
    runtime: Runtime,
) -> None:
    past_world(runtime, first="U0EVA", first_org=None)  # Eva wrote "Holm Rådgivning & Co"
    assert amounts(invoices(runtime))["Holm Rådgivning & Co"] == [(PAST, "Name U0EVA", 10000)]
    with runtime.unit_of_work() as db:
        offered = profiles.search_organisations(db, TEAM, "Holm")
    assert [choice.name for choice in offered if choice.country == ""] == ["Holm Rådgivning & Co"]

    with runtime.unit_of_work(write=True) as db:
        assert erase_member(db, TEAM, "U0EVA", NOW).erased
        assert db.scalar(select(Organisation).where(Organisation.name.like("Holm%"))) is None
        offered = profiles.search_organisations(db, TEAM, "Holm")
    assert [choice.name for choice in offered if choice.country == ""] == []

    # ON DELETE SET NULL: the registration is kept with no organisation, at full price.
    after = invoices(runtime)
    assert amounts(after)[""] == [(PAST, "", 10000)]
    assert "Holm Rådgivning & Co" not in totals(after)
    assert totals(after) == {"Aarhus Kommune": 17500, "Odense Kommune": 10000, "": 10000}
    assert "(no organisation)" in invoice_table(after)
    assert export_rows(runtime, PAST)[0] == ("", "", 10000)


def test_an_other_organisation_still_on_a_colleagues_past_invoice_is_kept(
    runtime: Runtime,
) -> None:
    past_world(runtime, first="U0EVA", first_org=None)
    with runtime.unit_of_work() as db:
        holm = db.scalar(select(Organisation.id).where(Organisation.name.like("Holm%")))
    # Gunnar chose Eva's organisation for PAST, then moved to Aarhus.
    save_profile(runtime, "U0GUNNAR", f"o:{holm}")
    register(runtime, "U0GUNNAR", PAST, BEFORE + timedelta(minutes=9))
    save_profile(runtime, "U0GUNNAR", AARHUS, at=NOW)
    holm_lines = [(PAST, "Name U0EVA", 10000), (PAST, "Name U0GUNNAR", 7500)]
    assert amounts(invoices(runtime))["Holm Rådgivning & Co"] == holm_lines

    with runtime.unit_of_work(write=True) as db:
        assert erase_member(db, TEAM, "U0EVA", NOW).erased
    assert amounts(invoices(runtime))["Holm Rådgivning & Co"] == [
        (PAST, "", 10000),
        (PAST, "Name U0GUNNAR", 7500),
    ]

    # Once Gunnar goes too, nobody uses it: both registrations are left without one.
    with runtime.unit_of_work(write=True) as db:
        assert erase_member(db, TEAM, "U0GUNNAR", NOW).erased
    after = invoices(runtime)
    assert "Holm Rådgivning & Co" not in totals(after)
    assert amounts(after)[""] == [(PAST, "", 10000), (PAST, "", 10000)]
