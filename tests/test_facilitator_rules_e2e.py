"""Facilitators over signed HTTP: the session form refuses a start in the past and says
what a key may hold; a summary of a session still ahead says it has not taken place."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.ids import BlockId
from bot.models import ProgrammeSession
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from tests.support.conversation import answer_of, text_of
from tests.support.signed_client import SignedSlackClient
from tests.test_manage_e2e import KEY, TITLE, build_world, edit_form, form, submit

FACILITATOR = "U0FAC"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, bot=dataclasses.replace(settings.bot, facilitators=(FACILITATOR,))
    )


@pytest.fixture(autouse=True)
def world(runtime: Runtime, standin: SlackStandIn) -> Any:
    for user_id in (FACILITATOR, "U0ANNA", "U0BO", "U0WAIT", "U0GONE"):
        standin.add_user(user_id, locale="en-GB")
    build_world(runtime)  # the facilitator reads Danish
    yield
    assert standin.violations == []


def keys(runtime: Runtime) -> list[str]:
    with runtime.unit_of_work() as db:
        return sorted(db.scalars(select(ProgrammeSession.key)))


def test_a_new_session_cannot_start_in_the_past(runtime: Runtime, slack: SignedSlackClient) -> None:
    old = submit(slack, form(key="gammelt-moede", title="Gammelt møde", date="2020-01-01"))
    assert old.json == {
        "response_action": "errors",
        "errors": {
            BlockId.SESSION_DATE: "Starttidspunktet er allerede passeret. "
            "Vælg en dato og et klokkeslæt frem i tiden."
        },
    }
    # Today, an hour ago (the conftest clock: Monday 3 May 2027, 10.00 in Copenhagen).
    earlier = submit(slack, form(key="i-dag", date="2027-05-03", start="09:00", end="09:30"))
    assert set(earlier.json["errors"]) == {BlockId.SESSION_DATE}
    assert keys(runtime) == [KEY]


def test_an_edit_cannot_move_the_start_into_the_past_but_may_keep_it(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    moved = submit(slack, edit_form(date="2027-05-01"), editing=KEY)
    assert set(moved.json["errors"]) == {BlockId.SESSION_DATE}
    with runtime.unit_of_work() as db:
        session = db.scalar(select(ProgrammeSession).where(ProgrammeSession.key == KEY))
        assert session is not None and session.starts_at.isoformat().startswith("2027-06-10")


def test_the_key_rule_says_what_it_means(runtime: Runtime, slack: SignedSlackClient) -> None:
    wrong = submit(slack, form(key="møde-i-århus"))
    assert wrong.json["errors"][BlockId.SESSION_KEY] == (
        "Brug a–z, 0–9, . _ eller - (ikke æ, ø, å; højst 64, begyndende med et bogstav "
        "eller et ciffer), fx 2027-06-10-symposium."
    )
    assert keys(runtime) == [KEY]


def test_a_summary_of_a_session_still_ahead_says_it_has_not_taken_place(
    slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    answer = answer_of(slack.command(f"summary {KEY}", user_id=FACILITATOR), standin)
    assert (
        f"{TITLE} har ikke fundet sted endnu, så der er ingen evalueringer at opsummere."
        in text_of(answer)
    )
    assert answer["response_type"] == "ephemeral"
    assert "Besvarelser" not in text_of(answer)
    assert standin.calls_to("files.completeUploadExternal") == []
