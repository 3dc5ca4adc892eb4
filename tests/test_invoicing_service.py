"""Invoice details and the invoice series as services, on a real database (SQLite, or
PostgreSQL with SDGBOT_TEST_DATABASE=postgresql)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from openpyxl import load_workbook
from peppol import check_rules, validate_xsd
from sqlalchemy import select

from bot.config import FeeSettings, InvoicingSettings
from bot.db import Database
from bot.i18n import Translator
from bot.models import InvoiceDetails, InvoiceNumber
from bot.rendering.invoicing import invoice_files
from bot.services import enrolment, guests, invoice_details, invoicing, registration
from bot.services.invoice_details import InvoiceDetailsInvalid
from tests.conftest import TEAM_ID
from tests.support.factories import add_member, add_organisation, add_session

NOW = datetime(2026, 8, 20, 8, 0, tzinfo=UTC)
CPH = ZoneInfo("Europe/Copenhagen")
FEES = FeeSettings()
SELLER = InvoicingSettings(
    seller_name="CSR Forum", seller_id="13585628", iban="DK5000400440116243", first_number=7
)


def world(database: Database) -> dict[str, int]:
    """Three from Aarhus, one from Odense and one from Oslo, all enrolled."""
    ids: dict[str, int] = {}
    with database.unit_of_work(write=True) as db:
        for name, country, users in (
            ("Aarhus Kommune", "DK", ("U_A1", "U_A2", "U_A3")),
            ("Odense Kommune", "DK", ("U_O1",)),
            ("Oslo kommune", "NO", ("U_N1",)),
        ):
            organisation = add_organisation(db, name, country=country)
            ids[name] = organisation.id
            for n, user in enumerate(users):
                add_member(db, user, now=NOW, organisation=organisation)
                enrolment.join_membership(db, TEAM_ID, user, NOW + timedelta(minutes=n), CPH, FEES)
    return ids


def batch(database: Database, seller: InvoicingSettings = SELLER, now: datetime = NOW):
    with database.unit_of_work(write=True) as db:
        return invoicing.season_batch(db, TEAM_ID, "2026-2027", now, CPH, FEES, seller)


@pytest.mark.parametrize(
    ("country", "number", "expected"),
    [
        ("DK", "5798 0004 16604", ("gln", "5798000416604")),
        ("NO", "974 760 673", ("orgnr", "974760673")),
        ("", "974760673", ("orgnr", "974760673")),
    ],
)
def test_numbers_are_checked_and_stored_compact(country: str, number: str, expected) -> None:
    assert invoice_details.checked(country, number, "  Att.  Jens ")[:2] == expected
    assert invoice_details.checked(country, number, "  Att.  Jens ")[2] == "Att. Jens"


@pytest.mark.parametrize(
    ("country", "number"),
    [
        ("DK", "5798000416605"),
        ("DK", "57980004"),
        ("NO", "974760674"),
        ("NO", "97476067X"),
        ("DK", ""),
    ],
)
def test_a_wrong_number_is_refused_and_nothing_is_stored(
    database: Database, country: str, number: str
) -> None:
    with database.unit_of_work(write=True) as db:
        organisation = add_organisation(db, "Testby", country=country)
    with pytest.raises(InvoiceDetailsInvalid) as wrong, database.unit_of_work(write=True) as db:
        invoice_details.save(db, TEAM_ID, organisation.id, number, "", NOW, changed_by="U1")
    assert wrong.value.field == "number"
    with database.unit_of_work() as db:
        assert db.scalars(select(InvoiceDetails)).all() == []


def test_numbers_are_gap_free_in_list_order_and_kept_on_regeneration(database: Database) -> None:
    ids = world(database)
    with database.unit_of_work(write=True) as db:
        invoice_details.save(db, TEAM_ID, ids["Oslo kommune"], "974760673", "", NOW, changed_by="U")
        invoice_details.save(
            db, TEAM_ID, ids["Aarhus Kommune"], "5798000416604", "4711", NOW, changed_by="U"
        )
    first = batch(database)
    assert [(b.organisation, b.number) for b in first.bills] == [
        ("Aarhus Kommune", "7"),
        ("Odense Kommune", None),
        ("Oslo kommune", "8"),
    ]
    assert [b.organisation for b in first.missing] == ["Odense Kommune"]
    aarhus = first.bills[0]
    assert (aarhus.net, aarhus.vat, aarhus.total) == (Decimal(25000), Decimal(6250), Decimal(31250))
    assert aarhus.participants == 3 and aarhus.due_on == aarhus.issued_on + timedelta(days=30)

    with database.unit_of_work(write=True) as db:
        invoice_details.save(
            db, TEAM_ID, ids["Odense Kommune"], "5790000000005", "", NOW, changed_by="U"
        )
    later = batch(database, now=NOW + timedelta(days=3))
    assert [b.number for b in later.bills] == ["7", "9", "8"]
    assert later.bills[0].issued_on == aarhus.issued_on  # the date it was first numbered
    with database.unit_of_work() as db:
        assert sorted(db.scalars(select(InvoiceNumber.number))) == [7, 8, 9]


def test_a_number_another_replica_took_is_skipped(database: Database) -> None:
    ids = world(database)
    with database.unit_of_work(write=True) as db:
        invoice_details.save(db, TEAM_ID, ids["Oslo kommune"], "974760673", "", NOW, changed_by="U")
        # A number taken meanwhile for another season's invoice.
        db.add(
            InvoiceNumber(
                team_id=TEAM_ID,
                number=7,
                season_key="2025-2026",
                organisation_id=ids["Oslo kommune"],
                organisation_name="Oslo kommune",
                issued_on=NOW.date(),
                created_at=NOW,
            )
        )
    assert [b.number for b in batch(database).invoiced] == ["8"]


@pytest.mark.parametrize(
    "seller",
    [
        SELLER,
        dataclasses.replace(SELLER, prices_include_vat=True),
        dataclasses.replace(SELLER, vat_rate=0.0),
        dataclasses.replace(SELLER, seller_country="NO", seller_id="974760673", iban=""),
    ],
    ids=["vat-added", "vat-included", "no-vat", "norwegian-seller"],
)
def test_every_generated_invoice_passes_the_schema_and_the_peppol_rules(
    database: Database, seller: InvoicingSettings
) -> None:
    ids = world(database)
    with database.unit_of_work(write=True) as db:
        invoice_details.save(db, TEAM_ID, ids["Oslo kommune"], "974760673", "", NOW, changed_by="U")
        invoice_details.save(
            db, TEAM_ID, ids["Aarhus Kommune"], "5798000416604", "", NOW, changed_by="U"
        )
        invoice_details.save(
            db, TEAM_ID, ids["Odense Kommune"], "5790000000005", "", NOW, changed_by="U"
        )
    made = batch(database, seller)
    files = invoice_files(made, seller, Translator("da", "Europe/Copenhagen"))
    assert len(files) == 4
    for file in files[1:]:
        ok, errors = validate_xsd(file.content)
        assert ok, errors
        assert [str(f) for f in check_rules(file.content) if f.severity == "fatal"] == []
    if seller.prices_include_vat:
        assert made.bills[0].total == Decimal(25000)  # 20,000.00 + 5,000.00


def test_a_guest_is_on_the_organisations_invoice_like_a_member(database: Database) -> None:
    """Ole has no Slack; Anna brought him to a network meeting: the membership he
    was enrolled in is a line of Aarhus's workbook and of its UBL invoice."""
    with database.unit_of_work(write=True) as db:
        aarhus = add_organisation(db, "Aarhus Kommune", country="DK")
        add_member(db, "U_ANNA", now=NOW, name="Anna Berg", organisation=aarhus)
        add_session(
            db, "2026-10-01-netvaerk", starts=NOW + timedelta(days=40), now=NOW, members_only=True
        )
        enrolment.join_membership(db, TEAM_ID, "U_ANNA", NOW, CPH, FEES)
        registration.register_member(
            db, TEAM_ID, "U_ANNA", "2026-10-01-netvaerk", None, NOW, fees=FEES
        )
        guests.add_guests(
            db,
            TEAM_ID,
            "U_ANNA",
            "2026-10-01-netvaerk",
            [guests.GuestInput("Ole Hansen", "ole@example.org", "politician")],
            NOW,
            language="da",
        )
        invoice_details.save(db, TEAM_ID, aarhus.id, "5798000416604", "", NOW, changed_by="U")
    made = batch(database)
    (bill,) = made.bills
    assert [(b.line.participant, b.line.amount) for b in bill.lines] == [
        ("Anna Berg", 10000),
        ("Ole Hansen", 7500),
    ]
    workbook_file, ubl_file = invoice_files(made, SELLER, Translator("da", "Europe/Copenhagen"))
    sheets = load_workbook(BytesIO(workbook_file.content), read_only=True)
    cells = [str(c) for row in sheets.worksheets[1].iter_rows(values_only=True) for c in row]
    assert "Ole Hansen" in cells
    ok, errors = validate_xsd(ubl_file.content)
    assert ok, errors
    assert [str(f) for f in check_rules(ubl_file.content) if f.severity == "fatal"] == []
    tree = etree.fromstring(ubl_file.content)
    ns = {
        "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
        "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    }
    assert len(tree.findall("cac:InvoiceLine", ns)) == 2
    payable = tree.find("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", ns)
    assert payable is not None and payable.text == "17500.00"
