"""`/sdg next` for the member who is late: the session going on now comes first, with
its join link and when it started, no seat count and no Register or Cancel button;
a cancelled session's card shows no join link."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.ids import ActionId
from bot.models import ProgrammeSession
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from tests.conftest import SAMPLE_PROGRAMME, ImportText
from tests.support.conversation import answer_of, buttons_of, text_of
from tests.support.signed_client import SignedSlackClient

SYMPOSIUM = "Meningsfuld måling og afrapportering af kommuners bæredygtighed"
MEETING = "Netværksmøde i Middelfart"
JOIN = "https://teams.example.org/meet/1"


@pytest.fixture(autouse=True)
def world(import_programme_text: ImportText, standin: SlackStandIn) -> None:
    import_programme_text(SAMPLE_PROGRAMME)
    standin.add_user("U0LATE", locale="en-GB")
    standin.add_user("U0SEN", locale="da-DK")


def test_a_running_session_comes_first_with_its_join_link(
    slack: SignedSlackClient, standin: SlackStandIn, clock: FixedClock
) -> None:
    # Five minutes after the symposium started (13.30 Copenhagen time).
    clock.set(datetime.fromisoformat("2027-06-10T13:35:00+02:00"))
    answer = answer_of(slack.command("next", user_id="U0LATE"), standin)
    shown = text_of(answer)
    assert shown.index(SYMPOSIUM) < shown.index(MEETING)
    running, _, upcoming = shown.partition("Next")
    assert "Started at 13:30, ends at 15:30" in running
    assert JOIN in running
    assert "seat" not in running.lower()
    assert "40 seats left" in upcoming  # the next session keeps its seat count
    assert f"{SYMPOSIUM} started at 13:30" in answer["text"]
    # Only the upcoming session has a Register button; nobody can cancel what has begun.
    registers = [b for b in buttons_of(answer).values() if b["action_id"] == ActionId.REGISTER]
    assert [b["value"] for b in registers] == ["2027-09-16-netvaerksmoede"]
    assert ActionId.CANCEL_REGISTRATION not in buttons_of(answer)
    assert len(answer["blocks"]) <= 50


def test_a_registered_member_who_is_late_gets_no_cancel_button(
    slack: SignedSlackClient, standin: SlackStandIn, clock: FixedClock
) -> None:
    slack.command("register 2027-06-10-symposium", user_id="U0LATE")
    clock.set(datetime.fromisoformat("2027-06-10T15:00:00+02:00"))
    answer = answer_of(slack.command("next", user_id="U0LATE"), standin)
    running = text_of(answer).partition("Next")[0]
    assert "Started at 13:30" in running and JOIN in running
    assert ActionId.CANCEL_REGISTRATION not in buttons_of(answer)

    clock.set(datetime.fromisoformat("2027-06-10T15:31:00+02:00"))  # it has ended
    answer = answer_of(slack.command("next", user_id="U0SEN"), standin)
    assert SYMPOSIUM not in text_of(answer) and MEETING in text_of(answer)
    assert "Startede kl." not in text_of(answer)


def test_a_cancelled_sessions_card_shows_no_join_link(
    slack: SignedSlackClient, standin: SlackStandIn, runtime: Runtime
) -> None:
    with runtime.unit_of_work(write=True) as db:
        session = db.scalar(
            select(ProgrammeSession).where(ProgrammeSession.key == "2027-06-10-symposium")
        )
        assert session is not None
        session.cancelled_at = runtime.clock.now()
    shown = text_of(
        answer_of(slack.command("show 2027-06-10-symposium", user_id="U0LATE"), standin)
    )
    assert "Cancelled" in shown
    assert JOIN not in shown and "Join online" not in shown
