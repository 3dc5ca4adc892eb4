"""Invoice details and invoices, end to end: signed HTTP to the served bot, the Web API
stand-in, a real database (SQLite, or PostgreSQL with SDGBOT_TEST_DATABASE=postgresql),
the season example imported as ``sdgbot import`` would.  Every generated e-invoice is
checked with an independent validator (UBL 2.1 schemas and Peppol BIS 3.0 rules)."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from peppol import check_rules, validate_xsd
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.config import InvoicingSettings, Settings
from bot.ids import ActionId, BlockId, CallbackId
from bot.models import InvoiceDetails, InvoiceNumber, Membership, Organisation
from bot.rendering.ubl_invoice import CUSTOMIZATION_ID, PROFILE_ID
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from tests.conftest import TEAM_ID, ImportText
from tests.support.conversation import answer_of, buttons_of, text_of
from tests.support.factories import add_member, add_organisation
from tests.support.signed_client import SignedSlackClient

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "program.toml"
NOW = datetime(2026, 8, 20, 8, 0, tzinfo=UTC)
AARHUS = "Aarhus Kommune"
FACILITATOR = "U0FACIL"
GOOD_EAN = "5798000416604"
WRONG_EAN = "5798000416605"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
INVOICING = InvoicingSettings(
    seller_name="CSR Forum",
    seller_id="13585628",
    seller_address="Rådhuspladsen 1, 1550 København V",
    seller_country="DK",
    iban="DK5000400440116243",
    number_prefix="SDG-",
    first_number=1001,
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        bot=dataclasses.replace(settings.bot, facilitators=(FACILITATOR,)),
        invoicing=INVOICING,
    )


@pytest.fixture
def season_example(import_programme_text: ImportText) -> None:
    import_programme_text(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def member(runtime: Runtime, standin: SlackStandIn) -> Callable[..., str]:
    def make(
        user_id: str, organisation: str = AARHUS, language: str = "en", country: str = "DK"
    ) -> str:
        with runtime.unit_of_work(write=True) as db:
            org = db.scalar(select(Organisation).where(Organisation.name == organisation))
            org = org or add_organisation(db, organisation, country=country)
            add_member(db, user_id, now=runtime.clock.now(), organisation=org, language=language)
        standin.add_user(user_id, locale={"en": "en-GB", "da": "da-DK", "nb": "nb-NO"}[language])
        return user_id

    return make


def details_values(number: str, reference: str = "") -> dict[str, Any]:
    return {
        BlockId.INVOICE_NUMBER: {
            ActionId.INVOICE_NUMBER_INPUT: {"type": "plain_text_input", "value": number}
        },
        BlockId.INVOICE_REFERENCE: {
            ActionId.INVOICE_REFERENCE_INPUT: {"type": "plain_text_input", "value": reference}
        },
    }


def opened_view(standin: SlackStandIn, count: int) -> dict[str, Any]:
    view = standin.wait_for("views.open", count=count)[-1].args["view"]
    return json.loads(view) if isinstance(view, str) else view


def dm_texts(standin: SlackStandIn, user_id: str) -> list[str]:
    return [
        text_of(call.args)
        for call in standin.calls_to("chat.postMessage")
        if call.args.get("channel") == user_id
    ]


def join(slack: SignedSlackClient, standin: SlackStandIn, user_id: str) -> dict[str, Any]:
    shown = answer_of(slack.command("membership", user_id=user_id), standin)
    button = buttons_of(shown)[ActionId.JOIN_MEMBERSHIP]
    return dict(
        slack.block_action(ActionId.JOIN_MEMBERSHIP, button["value"], user_id=user_id).json or {}
    )


def stored(runtime: Runtime) -> tuple[int, int]:
    with runtime.unit_of_work() as db:
        details = db.scalar(select(func.count()).select_from(InvoiceDetails)) or 0
        memberships = db.scalar(select(func.count()).select_from(Membership)) or 0
    return details, memberships


def generate(slack: SignedSlackClient, standin: SlackStandIn, runs: int) -> dict[str, bytes]:
    result = slack.command("invoices", user_id=FACILITATOR)
    assert result.status == 200
    standin.wait_for("files.completeUploadExternal", count=runs, timeout=20)
    uploads = standin.uploads()
    last = uploads[-1][2]
    return {title: content for title, content, args in uploads if args is last}


def assert_valid_peppol(xml: bytes) -> ET.Element:
    ok, errors = validate_xsd(xml)
    assert ok, errors
    fatal = [str(f) for f in check_rules(xml) if f.severity == "fatal"]
    assert fatal == []
    root = ET.fromstring(xml)
    assert root.findtext(f"{CBC}CustomizationID") == CUSTOMIZATION_ID
    assert root.findtext(f"{CBC}ProfileID") == PROFILE_ID
    return root


def test_the_first_member_gives_the_ean_a_wrong_check_digit_is_refused_and_invoices_pass(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    clock: FixedClock,
    season_example: None,
    member,
    database_url: str,
    tmp_path: Path,
) -> None:
    anna, bo, cai = (member(u) for u in ("U_ANNA", "U_BO", "U_CAI"))
    standin.add_user(FACILITATOR, locale="en-GB")
    join(slack, standin, anna)
    form = opened_view(standin, 1)
    assert form["callback_id"] == CallbackId.JOIN_WITH_INVOICE_DETAILS
    assert "DKK\xa010,000" in text_of(form)
    metadata = form["private_metadata"]

    refused = slack.view_submission(
        CallbackId.JOIN_WITH_INVOICE_DETAILS,
        details_values(WRONG_EAN),
        user_id=anna,
        private_metadata=metadata,
    )
    assert refused.json == {
        "response_action": "errors",
        "errors": {
            BlockId.INVOICE_NUMBER: f"The EAN number {WRONG_EAN} has a wrong check digit: "
            "please check it."
        },
    }
    assert stored(runtime) == (0, 0)

    accepted = slack.view_submission(
        CallbackId.JOIN_WITH_INVOICE_DETAILS,
        details_values(GOOD_EAN, "Økonomi 4711"),
        user_id=anna,
        private_metadata=metadata,
    )
    assert accepted.status == 200 and not accepted.json
    standin.wait_for(
        "chat.postMessage", predicate=lambda c: "Welcome! You are enrolled" in text_of(c.args)
    )
    assert stored(runtime) == (1, 1)
    for user in (bo, cai):  # colleagues are not asked again
        clock.advance(timedelta(minutes=1))
        join(slack, standin, user)
        standin.wait_for(
            "response_url",
            predicate=lambda c: "Welcome! You are enrolled" in text_of(c.args),
            count=1 if user == bo else 2,
        )
    assert len(standin.calls_to("views.open")) == 1
    assert stored(runtime) == (1, 3)

    files = generate(slack, standin, 1)
    workbook_title = next(title for title in files if "Invoice basis" in title)
    workbook = load_workbook(io.BytesIO(files[workbook_title]))
    assert workbook.sheetnames == ["Invoices", "Lines"]
    rows = list(workbook["Invoices"].iter_rows(values_only=True))
    aarhus = next(row for row in rows if row[0] == AARHUS)
    assert aarhus[2] == f"EAN {GOOD_EAN}" and aarhus[3] == "Økonomi 4711"
    assert aarhus[4] == "SDG-1001" and aarhus[7] == 3
    assert [Decimal(str(v)) for v in aarhus[8:11]] == [25000, 6250, 31250]
    lines = list(workbook["Lines"].iter_rows(values_only=True))[1:]
    assert sorted(row[6] for row in lines) == [7500, 7500, 10000]

    (xml_title,) = (title for title in files if title.startswith("Invoice SDG-1001"))
    root = assert_valid_peppol(files[xml_title])
    assert root.findtext(f"{CBC}ID") == "SDG-1001"
    assert root.findtext(f"{CBC}BuyerReference") == "Økonomi 4711"
    buyer = root.find(f"{CAC}AccountingCustomerParty/{CAC}Party/{CBC}EndpointID")
    seller = root.find(f"{CAC}AccountingSupplierParty/{CAC}Party/{CBC}EndpointID")
    assert buyer is not None and (buyer.get("schemeID"), buyer.text) == ("0088", GOOD_EAN)
    assert seller is not None and (seller.get("schemeID"), seller.text) == ("0184", "DK13585628")
    assert root.findtext(f"{CAC}LegalMonetaryTotal/{CBC}PayableAmount") == "31250.00"
    assert root.findtext(f"{CAC}TaxTotal/{CBC}TaxAmount") == "6250.00"
    assert len(root.findall(f"{CAC}InvoiceLine")) == 3

    # Generated again (a day later, here and from the command line): the same number and date.
    clock.advance(timedelta(days=1))
    again = generate(slack, standin, 2)
    assert again[xml_title] == files[xml_title]
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{database_url}"\n[slack]\nteam_id = "{TEAM_ID}"\n'
        '[invoicing]\nseller_name = "CSR Forum"\nseller_id = "13585628"\n'
        'seller_address = "Rådhuspladsen 1, 1550 København V"\niban = "DK5000400440116243"\n'
        'number_prefix = "SDG-"\nfirst_number = 1001\n',
        encoding="utf-8",
    )
    out = tmp_path / "invoices"
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "invoices", "2026-2027", "--out", str(out)],
        env={**os.environ, "SDGBOT_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "invoice-SDG-1001.xml",
        "invoices-2026-2027.xlsx",
    ]
    cli_root = assert_valid_peppol((out / "invoice-SDG-1001.xml").read_bytes())
    assert cli_root.findtext(f"{CBC}ID") == "SDG-1001"
    assert cli_root.findtext(f"{CBC}IssueDate") == root.findtext(f"{CBC}IssueDate")
    with runtime.unit_of_work() as db:
        assert db.scalars(select(InvoiceNumber.number)).all() == [1001]
    unknown = subprocess.run(
        [sys.executable, "-m", "bot.cli", "invoices", "spring", "--out", str(out)],
        env={**os.environ, "SDGBOT_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert unknown.returncode == 2 and "Known seasons: 2026-2027" in unknown.stderr


def test_an_organisation_without_details_is_flagged_and_a_facilitator_adds_them(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    season_example: None,
    member,
) -> None:
    ola = member("U_OLA", organisation="Oslo kommune", language="nb", country="NO")
    standin.add_user(FACILITATOR, locale="en-GB")
    with runtime.unit_of_work(write=True) as db:  # joined before details were asked
        from bot.services import enrolment

        enrolment.join_membership(
            db, TEAM_ID, ola, NOW, runtime.settings.bot.zone, runtime.settings.fees
        )
    files = generate(slack, standin, 1)
    assert [title for title in files if title.startswith("Invoice SDG-")] == []
    answer = standin.wait_for(
        "response_url", predicate=lambda c: "Missing invoice details" in text_of(c.args)
    )[-1].args
    assert "Oslo kommune" in text_of(answer)
    button = buttons_of(answer)[ActionId.EDIT_INVOICE_DETAILS]
    slack.block_action(ActionId.EDIT_INVOICE_DETAILS, button["value"], user_id=FACILITATOR)
    form = opened_view(standin, 1)
    assert form["callback_id"] == CallbackId.INVOICE_DETAILS
    wrong = slack.view_submission(
        CallbackId.INVOICE_DETAILS,
        details_values("974 760 674"),
        user_id=FACILITATOR,
        private_metadata=form["private_metadata"],
    )
    assert set(wrong.json["errors"]) == {BlockId.INVOICE_NUMBER}
    slack.view_submission(
        CallbackId.INVOICE_DETAILS,
        details_values("974 760 673"),
        user_id=FACILITATOR,
        private_metadata=form["private_metadata"],
    )
    standin.wait_for("chat.postMessage", predicate=lambda c: "974760673" in text_of(c.args))
    files = generate(slack, standin, 2)
    (title,) = (t for t in files if t.startswith("Invoice SDG-"))
    root = assert_valid_peppol(files[title])
    buyer = root.find(f"{CAC}AccountingCustomerParty/{CAC}Party/{CBC}EndpointID")
    assert buyer is not None and (buyer.get("schemeID"), buyer.text) == ("0192", "974760673")
    assert root.findtext(f"{CBC}BuyerReference")  # the season, as no reference was given


def test_members_cannot_make_invoices_or_set_invoice_details(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    season_example: None,
    member,
) -> None:
    anna = member("U_ANNA")
    with runtime.unit_of_work() as db:
        org_id = db.scalar(select(Organisation.id).where(Organisation.name == AARHUS))
    refused = answer_of(slack.command("invoices", user_id=anna), standin)
    assert "Only the network's facilitators can do that." in text_of(refused)
    refused = answer_of(slack.command(f"invoices details {AARHUS}", user_id=anna), standin)
    assert "Only the network's facilitators can do that." in text_of(refused)
    clicked = slack.block_action(ActionId.EDIT_INVOICE_DETAILS, str(org_id), user_id=anna)
    assert "Only the network's facilitators can do that." in text_of(answer_of(clicked, standin))
    submitted = slack.view_submission(
        CallbackId.INVOICE_DETAILS,
        details_values(GOOD_EAN),
        user_id=anna,
        private_metadata=json.dumps({"organisation": org_id}),
    )
    assert submitted.status == 200
    assert standin.calls_to("views.open") == [] and standin.uploads() == []
    assert stored(runtime) == (0, 0)


def test_an_unknown_season_gets_a_clear_private_answer(
    slack: SignedSlackClient, standin: SlackStandIn, season_example: None
) -> None:
    standin.add_user(FACILITATOR, locale="en-GB")
    result = slack.command("invoices spring", user_id=FACILITATOR)
    answer = standin.wait_for(
        "response_url", predicate=lambda c: "Known seasons" in text_of(c.args)
    )[-1].args
    assert result.status == 200 and answer.get("response_type") == "ephemeral"
    assert "2026-2027" in text_of(answer)
    assert standin.uploads() == []


def test_a_facilitator_opens_an_organisations_details_by_name_prefilled(
    slack: SignedSlackClient, standin: SlackStandIn, runtime: Runtime, member
) -> None:
    member("U_ANNA")
    standin.add_user(FACILITATOR, locale="en-GB")
    with runtime.unit_of_work(write=True) as db:
        from bot.services import invoice_details

        org_id = db.scalar(select(Organisation.id).where(Organisation.name == AARHUS))
        assert org_id is not None
        invoice_details.save(db, TEAM_ID, org_id, GOOD_EAN, "Att. Jens", NOW, changed_by="U")
    slack.command("invoices details aarhus", user_id=FACILITATOR)
    form = opened_view(standin, 1)
    assert form["callback_id"] == CallbackId.INVOICE_DETAILS
    values = json.dumps(form["blocks"])
    assert GOOD_EAN in values and "Att. Jens" in values and AARHUS in values
    slack.command("invoices details Nowhere", user_id=FACILITATOR)
    standin.wait_for(
        "response_url",
        predicate=lambda c: "There is no organisation called Nowhere." in text_of(c.args),
    )
