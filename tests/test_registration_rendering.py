"""Registration builders: pure functions, checked against Slack's limits and in each language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.i18n import Translator
from bot.ids import BlockId
from bot.rendering import blocks as bk
from bot.rendering.registration import (
    PendingRegistration,
    fee_text,
    my_registrations_reply,
    organisation_options,
    outcome_reply,
    profile_modal,
)
from bot.sandbox.slack_standin import validate_message_blocks, validate_view
from bot.services.fees import Fee
from bot.services.profiles import OrganisationChoice, Profile
from bot.services.registration import MyRegistration, RegistrationOutcome, SessionSummary

STARTS = datetime(2027, 6, 10, 11, 30, tzinfo=UTC)
SESSION = SessionSummary(
    key="2027-06-10-symposium",
    title="Måling & <afrapportering>",
    starts=STARTS,
    ends=STARTS + timedelta(hours=2),
    timezone="Europe/Copenhagen",
    location="Middelfart Rådhus",
    online_url="https://teams.example.org/meet/1",
    is_online_only=False,
)
DISCOUNTED = Fee(7500, 10000, "DKK", 0.25, colleague_organisation="Aarhus Kommune")


def test_fees_are_written_the_way_each_language_writes_money() -> None:
    da = Translator("da", "Europe/Copenhagen")
    nb = Translator("nb", "Europe/Oslo")
    assert fee_text(Fee(10000, 10000, "DKK", 0.25), da) == "Pris: 10.000\xa0kr."
    assert fee_text(DISCOUNTED, da) == (
        "Pris: 7.500\xa0kr. (25\xa0% rabat: en kollega fra Aarhus Kommune er allerede tilmeldt)"
    )
    assert fee_text(DISCOUNTED, nb).startswith("Pris: 7\xa0500\xa0DKK (25\xa0% rabatt")
    assert fee_text(Fee(0, 0, "DKK", 0.25), nb) == "Gratis"


def test_a_confirmation_escapes_the_title_and_shows_the_member_time() -> None:
    outcome = RegistrationOutcome(SESSION, "confirmed", "online", None, False, DISCOUNTED)
    reply = outcome_reply(outcome, Translator("en", "America/New_York"))
    text = reply.blocks[0]["text"]["text"]
    assert "Måling &amp; &lt;afrapportering&gt;" in text
    assert "07:30–09:30 (New York)" in text  # the reader's zone, named because it differs
    assert "<https://teams.example.org/meet/1|Join online>" in text
    assert validate_message_blocks(reply.blocks) == []


def test_the_waiting_list_place_is_told() -> None:
    outcome = RegistrationOutcome(SESSION, "waiting", "room", 3, False, None)
    reply = outcome_reply(outcome, Translator("da", "Europe/Copenhagen"))
    assert "Du er nummer 3 på ventelisten" in reply.blocks[0]["text"]["text"]
    assert "Pris" not in reply.blocks[0]["text"]["text"]


def test_my_registrations_stays_within_fifty_blocks() -> None:
    items = [
        MyRegistration(SESSION, "waiting" if n % 2 else "confirmed", "room", n, True)
        for n in range(80)
    ]
    reply = my_registrations_reply(items, Translator("en", "Europe/Copenhagen"))
    assert len(reply.blocks) == bk.MAX_MESSAGE_BLOCKS
    assert validate_message_blocks(reply.blocks) == []
    assert "32 more are not shown" in reply.blocks[-1]["elements"][0]["text"]


def test_the_profile_modal_fits_slack_and_carries_the_pending_registration() -> None:
    profile = Profile("", "Anna Holm", OrganisationChoice("o:7", "A" * 120, ""), "leader")
    pending = PendingRegistration(SESSION.key, None)
    view = profile_modal(
        Translator("nb", "Europe/Oslo"),
        profile,
        pending=pending,
        session_title=SESSION.title,
        ask_attendance=True,
    )
    assert validate_view(view) == []
    assert PendingRegistration.from_metadata(view["private_metadata"]) == pending
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs[BlockId.PROFILE_NAME]["element"]["initial_value"] == "Anna Holm"
    assert inputs[BlockId.ATTENDANCE]["label"]["text"] == "Hvordan vil du delta?"
    assert view["submit"]["text"] == "Meld på"


def test_type_ahead_answers_keep_to_a_hundred_options() -> None:
    choices = [
        OrganisationChoice(f"o:{n}", f"Organisation {n} " + "x" * 90, "") for n in range(150)
    ]
    options = organisation_options(choices, Translator("da", "Europe/Copenhagen"))
    assert len(options) == 100 and options[-1]["value"] == "other"
    assert all(len(o["text"]["text"]) <= bk.MAX_OPTION_TEXT for o in options)
    assert PendingRegistration.from_metadata("not json") is None
