"""Cancelling asks first, everywhere: the typed command answers with a question and a
button, and every Cancel button (card, /sdg my, App Home, reminder DM, confirmation,
promotion notice) carries the same confirm dialog naming the session."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.delivery.scheduler import run_due_work
from bot.delivery.slack_sender import make_delivery_client
from bot.ids import ActionId
from bot.models import Member, ProgrammeSession, Registration
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from tests.conftest import ImportText
from tests.support.console_process import run_console_process
from tests.support.conversation import answer_of, text_of
from tests.support.factories import add_member, add_organisation
from tests.support.signed_client import SignedSlackClient

KEY = "2027-06-01-aarhus"
TITLE = "Netværksmøde i Aarhus"
QUESTION = f"Cancel your place at {TITLE}?"
PROGRAMME = f"""
[[session]]
key = "{KEY}"
title = "{TITLE}"
kind = "network_meeting"
starts = 2027-06-01T10:00:00
ends = 2027-06-01T15:00:00
location = "Aarhus Rådhus"
capacity = 1

[[session]]
key = "2027-06-20-hvad"
title = "Hvad lærte vi i år?"
kind = "reflection"
starts = 2027-06-20T09:00:00
ends = 2027-06-20T10:00:00
location = "online"
online_url = "https://teams.example.org/meet/8"
"""


@pytest.fixture(autouse=True)
def world(runtime: Runtime, standin: SlackStandIn, import_programme_text: ImportText) -> None:
    import_programme_text(PROGRAMME)
    with runtime.unit_of_work(write=True) as db:
        aarhus = add_organisation(db, "Aarhus Kommune")
        for user_id, language in (("U_OLE", "en"), ("U_NEXT", "da")):
            add_member(db, user_id, now=runtime.clock.now(), organisation=aarhus, language=language)
    standin.add_user("U_OLE", locale="en-GB")
    standin.add_user("U_NEXT", locale="da-DK")
    standin.add_user("U_NB", locale="nb-NO")


def status(runtime: Runtime, user_id: str, key: str = KEY) -> str | None:
    with runtime.unit_of_work() as db:
        return db.scalar(
            select(Registration.status)
            .join(Member, Member.id == Registration.member_id)
            .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
            .where(Member.slack_user_id == user_id, ProgrammeSession.key == key)
        )


def cancel_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("action_id") == ActionId.CANCEL_REGISTRATION:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def assert_asks(button: dict[str, Any], question: str = QUESTION) -> None:
    confirm = button.get("confirm")
    assert confirm, button
    assert confirm["title"]["text"] == "Cancel registration?"
    assert confirm["text"]["text"].startswith(question), confirm["text"]["text"]
    assert confirm["confirm"]["text"] == "Yes, cancel"
    assert button["style"] == "danger"


@pytest.mark.parametrize("word", ["cancel", "afmeld", "meld av", f"cancel {KEY}"])
def test_the_typed_command_asks_and_the_button_cancels(
    slack: SignedSlackClient, standin: SlackStandIn, runtime: Runtime, word: str
) -> None:
    answer_of(slack.command(f"register {KEY}", user_id="U_OLE"), standin)
    asked = answer_of(slack.command(word, user_id="U_OLE"), standin)
    assert f"Cancel your place at *{TITLE}*" in text_of(asked)
    assert status(runtime, "U_OLE") == "confirmed"  # nothing happened yet
    (button,) = cancel_buttons(asked["blocks"])
    assert button["value"] == KEY
    assert_asks(button)

    done = answer_of(
        slack.block_action(ActionId.CANCEL_REGISTRATION, KEY, user_id="U_OLE"), standin
    )
    assert "is cancelled" in text_of(done)
    assert status(runtime, "U_OLE") == "cancelled"


def test_the_question_is_in_the_members_language_without_doubled_punctuation(
    slack: SignedSlackClient, standin: SlackStandIn, runtime: Runtime
) -> None:
    slack.command("register 2027-06-20-hvad", user_id="U_NEXT")
    asked = answer_of(slack.command("afmeld", user_id="U_NEXT"), standin)
    assert "Vil du afmelde din plads til *Hvad lærte vi i år?*" in text_of(asked)
    (button,) = cancel_buttons(asked["blocks"])
    assert button["confirm"]["text"]["text"].startswith(
        "Vil du afmelde din plads til Hvad lærte vi i år? Din plads"
    )
    nothing = answer_of(slack.command("meld av", user_id="U_NB"), standin)
    assert cancel_buttons(nothing.get("blocks") or []) == []


def test_every_cancel_button_has_the_same_confirm_dialog(
    slack: SignedSlackClient, standin: SlackStandIn, runtime: Runtime, clock: FixedClock
) -> None:
    registered = answer_of(slack.command(f"register {KEY}", user_id="U_OLE"), standin)
    waiting = answer_of(slack.command(f"register {KEY}", user_id="U_NEXT"), standin)
    assert "waiting list" in text_of(registered) + text_of(waiting) or "venteliste" in text_of(
        waiting
    )
    surfaces: dict[str, list[dict[str, Any]]] = {
        "confirmation": registered["blocks"],
        "next": answer_of(slack.command("next", user_id="U_OLE"), standin)["blocks"],
        "show": answer_of(slack.command(f"show {KEY}", user_id="U_OLE"), standin)["blocks"],
        "my": answer_of(slack.command("my", user_id="U_OLE"), standin)["blocks"],
    }
    slack.event({"type": "app_home_opened", "user": "U_OLE", "channel": "D1", "tab": "home"})
    home = standin.wait_for("views.publish")[-1].args["view"]
    surfaces["home"] = json.loads(home)["blocks"] if isinstance(home, str) else home["blocks"]

    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, clock.now() + timedelta(days=28, hours=2))
    reminders = [
        c for c in standin.calls_to("chat.postMessage") if c.args.get("channel") == "U_OLE"
    ]
    assert reminders, "a reminder went out"
    surfaces["reminder"] = (
        json.loads(reminders[-1].args["blocks"])
        if isinstance(reminders[-1].args["blocks"], str)
        else reminders[-1].args["blocks"]
    )

    # Ole's seat goes to the waiting member, whose promotion notice has a Cancel button too.
    slack.block_action(ActionId.CANCEL_REGISTRATION, KEY, user_id="U_OLE")
    standin.wait_for("response_url", count=1, timeout=5)
    run_due_work(runtime, client, clock.now() + timedelta(minutes=1))
    notices = [c for c in standin.calls_to("chat.postMessage") if c.args.get("channel") == "U_NEXT"]
    assert notices
    blocks = notices[-1].args["blocks"]
    promotion = cancel_buttons(json.loads(blocks) if isinstance(blocks, str) else blocks)
    assert promotion
    assert promotion[0]["confirm"]["text"]["text"].startswith(
        f"Vil du afmelde din plads til {TITLE}?"
    )

    for surface, surface_blocks in surfaces.items():
        buttons = cancel_buttons(surface_blocks)
        assert buttons, surface
        for button in buttons:
            assert_asks(button)


CONSOLE = [
    "/sdg register 2027-09-15-netvaerk",
    "Anna Holm",
    "aarhus",
    "1",
    "",
    "2",
    "/sdg cancel",
    "1",  # the Cancel button in the question
    "2",  # "No, keep it" in the dialog
    "/sdg my",
    "/sdg cancel",
    "1",
    "1",  # "Yes, cancel"
    "/sdg my",
]


def test_the_console_shows_the_dialog_and_waits_for_the_answer(tmp_path: Path) -> None:
    programme = tmp_path / "program.toml"
    programme.write_text(
        """
[[session]]
key = "2027-09-15-netvaerk"
title = "Netværksmøde i Vejle"
kind = "network_meeting"
starts = 2099-09-15T10:00:00
ends = 2099-09-15T15:00:00
location = "Vejle Rådhus"
""",
        encoding="utf-8",
    )
    done = run_console_process(
        CONSOLE, "--language", "en", "--programme", str(programme), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    _before, first, second = out.split("\n/sdg cancel\n")
    assert "--- dialog: Cancel registration? ---" in first
    assert "Cancel your place at Netværksmøde i Vejle? Your seat goes" in first
    assert "[1] Yes, cancel  [2] No, keep it" in first
    assert "(No, keep it)" in first and "is cancelled" not in first
    assert "✅ Registered" in first  # /sdg my: still registered
    assert "is cancelled" in second
