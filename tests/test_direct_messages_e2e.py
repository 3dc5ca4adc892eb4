"""The Messages tab over signed HTTP: a member who writes to the bot gets the short help
in their language; the bot's own messages, edits and other subtypes get nothing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.slack_standin import SlackStandIn
from tests.support.conversation import text_of
from tests.support.signed_client import SignedSlackClient

MANIFEST = Path(__file__).parent.parent / "manifest.yml"


def dm(user: str = "U0ANNA", **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": f"D{user}",
        "user": user,
        "text": "hvordan afmelder jeg?",
        "ts": f"{time.time():.6f}",
        **extra,
    }


def posts_to(standin: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    return [c.args for c in standin.calls_to("chat.postMessage") if c.args["channel"] == channel]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("da-DK", ("Jeg forstår kun /sdg-kommandoer", "/sdg afmeld")),
        ("nb-NO", ("Jeg forstår bare /sdg-kommandoer", "/sdg meld-av")),
        ("en-GB", ("I only understand /sdg commands", "/sdg cancel")),
    ],
)
def test_a_member_writing_to_the_bot_gets_the_short_help(
    slack: SignedSlackClient, standin: SlackStandIn, locale: str, expected: tuple[str, str]
) -> None:
    standin.add_user("U0ANNA", locale=locale)
    assert slack.event(dm()).status == 200
    (answer,) = [c.args for c in standin.wait_for("chat.postMessage")]
    assert answer["channel"] == "DU0ANNA"
    shown = text_of(answer)
    for fragment in expected:
        assert fragment in shown, shown
    assert standin.violations == []


def test_the_bots_own_messages_and_subtypes_get_nothing(
    slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    standin.add_user("U0ANNA", locale="da-DK")
    for event in (
        dm(bot_id="B0001"),
        dm(subtype="message_changed"),
        dm(subtype="bot_message"),
        {**dm(), "channel_type": "channel", "channel": "C0001"},
    ):
        assert slack.event(event).status == 200
    assert slack.event(dm(user="U0BO")).status == 200  # a member: answered
    standin.wait_for("chat.postMessage")
    time.sleep(0.3)
    assert posts_to(standin, "DU0ANNA") == [] and posts_to(standin, "C0001") == []
    assert len(posts_to(standin, "DU0BO")) == 1


def test_the_manifest_subscribes_to_direct_messages() -> None:
    manifest = MANIFEST.read_text(encoding="utf-8")
    assert "      - message.im\n" in manifest
    assert "      - im:history\n" in manifest
    assert "messages_tab_enabled: true" in manifest
