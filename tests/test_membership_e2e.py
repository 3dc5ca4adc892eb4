"""Seasons, membership, prices before the click and seat offers, end to end.

Signed HTTP to the served bot, the Web API stand-in, a real database (SQLite,
or PostgreSQL with SDGBOT_TEST_DATABASE=postgresql), the season example
(examples/program.toml) imported as ``sdgbot import`` would.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.config import Settings
from bot.delivery.scheduler import run_due_work
from bot.delivery.slack_sender import make_delivery_client
from bot.ids import ActionId
from bot.models import Member, Organisation, ProgrammeSession, Registration
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn, validate_message_blocks
from tests.conftest import TEAM_ID, ImportText
from tests.support.conversation import answer_of, buttons_of, text_of
from tests.support.factories import add_member, add_organisation
from tests.support.signed_client import HttpResult, SignedSlackClient

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "program.toml"
# Late August 2026: the example season has begun, its first network meeting is ahead.
NOW = datetime(2026, 8, 20, 8, 0, tzinfo=UTC)
AARHUS = "Aarhus Kommune"
WEBINAR = "2026-11-12-webinar"
MEETING = "2026-09-17-netvaerksmoede"
SUMMIT = "2026-11-26-summit"
NBSP = "\xa0"


FACILITATOR = "U0FACIL"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, bot=dataclasses.replace(settings.bot, facilitators=(FACILITATOR,))
    )


@pytest.fixture(autouse=True)
def valid_block_kit(standin: SlackStandIn) -> Any:
    yield
    assert standin.violations == []


@pytest.fixture
def season_example(import_programme_text: ImportText) -> None:
    import_programme_text(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def member(runtime: Runtime, standin: SlackStandIn) -> Callable[..., str]:
    def make(user_id: str, organisation: str = AARHUS, language: str = "en") -> str:
        with runtime.unit_of_work(write=True) as db:
            org = db.scalar(select(Organisation).where(Organisation.name == organisation))
            org = org or add_organisation(db, organisation)
            add_member(db, user_id, now=runtime.clock.now(), organisation=org, language=language)
        standin.add_user(user_id, locale={"en": "en-GB", "da": "da-DK", "nb": "nb-NO"}[language])
        return user_id

    return make


def answer(result: HttpResult, standin: SlackStandIn) -> dict[str, Any]:
    message = answer_of(result, standin)
    assert validate_message_blocks(message.get("blocks")) == []
    return message


def click(
    slack: SignedSlackClient, standin: SlackStandIn, message: dict[str, Any], action_id: str,
    user_id: str,
) -> dict[str, Any]:  # fmt: skip
    button = buttons_of(message)[action_id]
    return answer(slack.block_action(action_id, button["value"], user_id=user_id), standin)


def status_of(runtime: Runtime, user_id: str, key: str) -> str | None:
    with runtime.unit_of_work() as db:
        return db.scalar(
            select(Registration.status)
            .join(Member, Member.id == Registration.member_id)
            .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
            .where(Member.slack_user_id == user_id, ProgrammeSession.key == key)
        )


def dms_to(standin: SlackStandIn, user_id: str) -> list[dict[str, Any]]:
    return [c.args for c in standin.calls_to("chat.postMessage") if c.args["channel"] == user_id]


def blocks_of(message: dict[str, Any]) -> dict[str, Any]:
    blocks = message.get("blocks")
    return (
        {"text": message.get("text", ""), "blocks": json.loads(blocks)}
        if isinstance(blocks, str)
        else message
    )


# --- the season example: a free webinar, the membership 10,000 + 7,500 + 7,500 -------------


def test_a_webinar_costs_nothing_and_three_from_one_municipality_pay_10000_7500_7500(
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
    card = text_of(answer(slack.command(f"show {WEBINAR}", user_id=anna), standin))
    assert "Free" in card and "DKK" not in card
    registered = text_of(answer(slack.command(f"register {WEBINAR}", user_id=anna), standin))
    assert "Free of charge" in registered and "DKK" not in registered

    prices = []
    for user in (anna, bo, cai):
        shown = answer(slack.command("membership", user_id=user), standin)
        join = buttons_of(shown)[ActionId.JOIN_MEMBERSHIP]
        # The price is confirmed before the click, and is what the answer then says.
        confirm_text = join["confirm"]["text"]["text"]
        joined = text_of(click(slack, standin, shown, ActionId.JOIN_MEMBERSHIP, user))
        assert "Welcome! You are enrolled" in joined
        price = next(p for p in ("10,000", "7,500") if f"DKK{NBSP}{p}" in confirm_text)
        assert f"Your price: DKK{NBSP}{price}" in joined
        prices.append(price)
        clock.advance(timedelta(minutes=1))
    assert prices == ["10,000", "7,500", "7,500"]
    third = text_of(answer(slack.command("membership", user_id=cai), standin))
    assert "3 participants from Aarhus Kommune are enrolled." in third
    assert "25% off the full DKK\xa010,000" in third

    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{database_url}"\n[slack]\nteam_id = "{TEAM_ID}"\n', encoding="utf-8"
    )
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "fees", "2026-2027"],
        env={**os.environ, "SDGBOT_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    aarhus = next(line for line in lines if line.startswith(AARHUS))
    assert aarhus.split()[-1] == "25.000"
    assert sum("membership" in line for line in lines) == 3
    assert sum("discounted" in line for line in lines) == 2
    assert lines[-1].split()[-2:] == ["25.000", "DKK"]
    unknown = subprocess.run(
        [sys.executable, "-m", "bot.cli", "fees", "spring"],
        env={**os.environ, "SDGBOT_CONFIG": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert unknown.returncode == 2 and "Known seasons: 2026-2027" in unknown.stderr


# --- prices before the click, in each language --------------------------------------------


@pytest.mark.parametrize(
    ("language", "free", "included", "summit"),
    [
        ("da", "Gratis", "Indgår i netværksmedlemskabet", "1.500\xa0kr. pr. deltager"),
        ("nb", "Gratis", "Inngår i nettverksmedlemskapet", "1\xa0500\xa0DKK per deltaker"),
        ("en", "Free", "Included in the network membership", "DKK\xa01,500 per participant"),
    ],
)
def test_every_card_list_line_and_home_entry_says_the_price(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    season_example: None,
    member,
    language: str,
    free: str,
    included: str,
    summit: str,
) -> None:
    user = member("U_READER", language=language)
    cards = {
        key: text_of(answer(slack.command(f"show {key}", user_id=user), standin))
        for key in (WEBINAR, MEETING, SUMMIT)
    }
    assert free in cards[WEBINAR]
    assert included in cards[MEETING]
    assert summit in cards[SUMMIT]
    next_card = text_of(answer(slack.command("next", user_id=user), standin))
    assert included in next_card  # the next session is the September network meeting

    listing = answer(slack.command("list", user_id=user), standin)
    lines = [text_of({"blocks": [b]}) for b in listing["blocks"] if b["type"] == "section"]
    assert len(lines) == 9 and all(free in x or included in x or summit in x for x in lines)

    slack.event({"type": "app_home_opened", "user": user, "channel": "D0001", "tab": "home"})
    home = standin.wait_for("views.publish")[-1].args["view"]
    home = json.loads(home) if isinstance(home, str) else home
    entries = [
        b for b in home["blocks"] if b["type"] == "section" and "·" in text_of({"blocks": [b]})
    ]
    assert len(entries) == 9
    home_text = text_of(home)
    assert free in home_text and included in home_text and summit in home_text


def test_the_card_shows_a_further_colleague_the_discounted_price_they_then_pay(
    slack: SignedSlackClient, standin: SlackStandIn, season_example: None, member
) -> None:
    anna, bo = member("U_ANNA"), member("U_BO")
    (oslo,) = (member("U_OLA", organisation="Oslo kommune"),)
    assert "DKK\xa01,500 per participant" in text_of(
        answer(slack.command(f"show {SUMMIT}", user_id=bo), standin)
    )
    answer(slack.command(f"register {SUMMIT}", user_id=anna), standin)
    card = text_of(answer(slack.command(f"show {SUMMIT}", user_id=bo), standin))
    assert "DKK\xa01,125 for you (25% off: a colleague from your organisation is registered)" in (
        card
    )
    listing = text_of(answer(slack.command("list", user_id=bo), standin))
    assert "DKK\xa01,125 for you" in listing
    # Someone from another municipality, and the public card, see the full price.
    assert "DKK\xa01,500 per participant" in text_of(
        answer(slack.command(f"show {SUMMIT}", user_id=oslo), standin)
    )
    paid = text_of(answer(slack.command(f"register {SUMMIT}", user_id=bo), standin))
    assert "Fee: DKK\xa01,125 (25% discount: a colleague from Aarhus Kommune" in paid


# --- a members-only meeting offers the membership in the same answer -------------------------


def test_registering_for_a_network_meeting_as_a_non_member_offers_the_membership(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    season_example: None,
    member,
) -> None:
    anna = member("U_ANNA", language="da")
    refused = answer(slack.command(f"tilmeld {MEETING}", user_id=anna), standin)
    text = text_of(refused)
    assert "er for netværkets medlemmer i denne sæson" in text
    assert "Det koster dig 10.000\xa0kr." in text
    assert status_of(runtime, anna, MEETING) is None
    join = buttons_of(refused)[ActionId.JOIN_MEMBERSHIP]
    assert join["text"]["text"] == "Meld mig ind og tilmeld"
    assert "du bliver faktureret 10.000\xa0kr." in join["confirm"]["text"]["text"]

    result = slack.block_action(ActionId.JOIN_MEMBERSHIP, join["value"], user_id=anna)
    assert result.status == 200
    # Joined, then on to the registration: the meeting is hybrid, so it asks how.
    url_id = (result.response_url or "").rsplit("/", 1)[-1]
    answers = standin.wait_for(
        "response_url",
        count=2,
        timeout=10,
        predicate=lambda call: call.args.get("_url_id") == url_id,
    )
    assert "Velkommen! Du er medlem" in text_of(answers[0].args)
    how = answers[1].args
    registered = click(slack, standin, how, ActionId.REGISTER_IN_ROOM, anna)
    assert "Du er tilmeldt" in text_of(registered)
    assert "Indgår i netværksmedlemskabet" in text_of(registered)
    assert status_of(runtime, anna, MEETING) == "confirmed"

    # The first network meeting has started: leaving is a facilitator's matter now.
    runtime.clock.set(datetime(2026, 9, 17, 8, 30, tzinfo=UTC))  # type: ignore[attr-defined]
    shown = answer(slack.command("medlemskab", user_id=anna), standin)
    assert ActionId.LEAVE_MEMBERSHIP not in buttons_of(shown)
    assert "spørg en facilitator" in text_of(shown)
    forged = answer(
        slack.block_action(ActionId.LEAVE_MEMBERSHIP, '{"season": "2026-2027"}', user_id=anna),
        standin,
    )
    assert "kan ikke længere ændres her" in text_of(forged)
    assert status_of(runtime, anna, MEETING) == "confirmed"

    # A facilitator can: /sdg membership with the member's id, then Remove.
    member(FACILITATOR)
    member("U_BO")
    refused_view = answer(slack.command(f"membership {anna}", user_id="U_BO"), standin)
    assert "Only the network's facilitators" in text_of(refused_view)
    forged_remove = slack.block_action(
        ActionId.REMOVE_MEMBER, json.dumps({"season": "2026-2027", "member": anna}), user_id="U_BO"
    )
    assert "Only the network's facilitators" in text_of(answer(forged_remove, standin))
    shown = answer(slack.command(f"membership <@{anna}>", user_id=FACILITATOR), standin)
    assert f"<@{anna}> is enrolled." in text_of(shown)
    removed = click(slack, standin, shown, ActionId.REMOVE_MEMBER, FACILITATOR)
    assert f"<@{anna}> is not enrolled." in text_of(removed)
    assert ActionId.ENROL_MEMBER in buttons_of(removed)
    # The meeting under way keeps her as a participant; later members-only meetings would go.
    assert status_of(runtime, anna, MEETING) == "confirmed"


# --- a promotion to a priced session is an offer --------------------------------------------

PRICED = """
[[session]]
key = "2026-10-01-temadag"
title = "Temadag om data"
kind = "symposium"
starts = 2026-10-01T09:00:00
ends = 2026-10-01T16:00:00
location = "Vejle Rådhus"
capacity = 1
price = 1500
"""


def test_a_promotion_to_a_priced_session_is_an_offer_that_expires_to_the_next_in_line(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    clock: FixedClock,
    import_programme_text: ImportText,
    member,
) -> None:
    import_programme_text(PRICED)
    key = "2026-10-01-temadag"
    anna, bo, cai = (member(u) for u in ("U_ANNA", "U_BO", "U_CAI"))
    for user in (anna, bo, cai):
        answer(slack.command(f"register {key}", user_id=user), standin)
        clock.advance(timedelta(minutes=1))
    assert [status_of(runtime, u, key) for u in (anna, bo, cai)] == [
        "confirmed",
        "waiting",
        "waiting",
    ]
    asked = answer(slack.command(f"cancel {key}", user_id=anna), standin)  # asks first
    click(slack, standin, asked, ActionId.CANCEL_REGISTRATION, anna)
    assert status_of(runtime, bo, key) == "offered"  # nobody is charged without saying yes

    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, clock.now())
    (offer,) = [blocks_of(m) for m in dms_to(standin, bo)]
    text = text_of(offer)
    assert "offered to you" in text and "DKK\xa01,500" in text
    assert {ActionId.ACCEPT_SEAT_OFFER, ActionId.DECLINE_SEAT_OFFER} <= set(buttons_of(offer))

    # Unanswered for [registration] offer_valid (two days): the seat goes to the next.
    clock.advance(timedelta(days=2))
    run_due_work(runtime, client, clock.now())
    assert status_of(runtime, bo, key) == "cancelled"
    assert status_of(runtime, cai, key) == "offered"
    lapsed = blocks_of(dms_to(standin, bo)[-1])
    assert "did not answer in time" in text_of(lapsed)
    assert ActionId.REGISTER in buttons_of(lapsed)
    late = answer(
        slack.block_action(ActionId.ACCEPT_SEAT_OFFER, key, user_id=bo, channel_id="D_BO"),
        standin,
    )
    assert "no seat offered to you" in text_of(late)
    assert status_of(runtime, bo, key) == "cancelled"

    (offer_to_cai,) = [blocks_of(m) for m in dms_to(standin, cai)]
    accepted = click(slack, standin, offer_to_cai, ActionId.ACCEPT_SEAT_OFFER, cai)
    assert "You are registered for Temadag om data" in text_of(accepted)
    assert "Fee: DKK\xa01,500" in text_of(accepted)
    assert status_of(runtime, cai, key) == "confirmed"
