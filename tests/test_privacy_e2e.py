"""Privacy over signed HTTP against the Web API stand-in: ``/sdg mydata`` as a file in
the DM, ``/sdg forget-me`` behind its confirmation (with the freed seat's promotion
DM), forged clicks, and retention on the scheduler's tick."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.delivery.scheduler import run_due_work
from bot.delivery.slack_sender import make_delivery_client
from bot.ids import ActionId
from bot.models import FeedbackResponse, Member, ProgrammeSession, Registration, RegistrationStatus
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn, validate_message_blocks
from bot.services import summaries
from tests.support.conversation import answer_of, buttons_of, text_of
from tests.support.privacy_world import (
    ANNA,
    ANNA_ANONYMOUS,
    ANNA_NAME,
    ANNA_SAYS,
    ANON,
    BO,
    BO_NAME,
    BO_SAYS,
    NEXT,
    NOW,
    PAST,
    WENCHE,
    build_privacy_world,
    member_id,
)
from tests.support.signed_client import HttpResult, SignedSlackClient


@pytest.fixture(autouse=True)
def slack_users(standin: SlackStandIn) -> None:
    standin.add_user(ANNA, tz="America/New_York", locale="en-US", real_name="Anna H.")
    standin.add_user(BO, locale="da-DK", real_name="Bo B.")
    standin.add_user(WENCHE, tz="Europe/Oslo", locale="nb-NO")


@pytest.fixture(autouse=True)
def valid_block_kit(standin: SlackStandIn) -> Any:
    yield
    assert standin.violations == []


def answer(result: HttpResult, standin: SlackStandIn) -> dict[str, Any]:
    message = answer_of(result, standin)
    assert validate_message_blocks(message.get("blocks")) == []
    return message


def data_file(standin: SlackStandIn, user_id: str, count: int = 1) -> dict[str, Any]:
    """The newest data file uploaded, checked to be in *user_id*'s DM."""
    standin.wait_for("files.completeUploadExternal", count)
    title, content, complete = standin.uploads()[-1]
    assert complete["channel_id"] == "D" + user_id
    assert title == "Your data in sdgbot"
    parsed: dict[str, Any] = json.loads(content.decode("utf-8"))
    return parsed


def members(runtime: Runtime) -> set[str]:
    with runtime.unit_of_work() as db:
        return set(db.scalars(select(Member.slack_user_id)))


def dms_to(standin: SlackStandIn, user_id: str) -> list[dict[str, Any]]:
    return [c.args for c in standin.calls_to("chat.postMessage") if c.args["channel"] == user_id]


def test_mydata_sends_each_member_their_own_data_as_a_file_in_their_dm(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    build_privacy_world(runtime)
    confirmation = answer(slack.command("mydata", user_id=ANNA), standin)
    assert confirmation["response_type"] == "ephemeral"
    assert "as a file in our direct messages" in text_of(confirmation)
    anna = data_file(standin, ANNA)
    assert anna["profile"]["name"] == ANNA_NAME
    assert anna["generated_at"] == "2027-05-03T04:00:00-04:00"  # her zone, New York
    assert [r["session"]["key"] for r in anna["registrations"]] == [PAST, ANON, NEXT]
    assert [f["most_valuable"] for f in anna["feedback"]] == [ANNA_SAYS]
    assert [a["session"]["key"] for a in anna["anonymous_feedback_given"]] == [ANON]
    content = json.dumps(anna, ensure_ascii=False)
    for not_hers in (BO, BO_NAME, BO_SAYS, WENCHE, ANNA_ANONYMOUS):
        assert not_hers not in content

    standin.clear()
    answer(slack.command("mine-data", user_id=BO), standin)
    bo = data_file(standin, BO)
    assert bo["profile"]["name"] == BO_NAME
    assert [f["most_valuable"] for f in bo["feedback"]] == [BO_SAYS]
    assert ANNA_NAME not in json.dumps(bo, ensure_ascii=False) and ANNA_SAYS not in str(bo)
    assert ANNA not in json.dumps(bo)


def test_forget_me_asks_first_then_erases_and_the_seat_goes_to_the_waiting_member(
    runtime: Runtime, clock: FixedClock, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    world = build_privacy_world(runtime)
    with runtime.unit_of_work() as db:
        before = summaries.feedback_summary(db, runtime.settings.home_team_id, PAST)

    question = answer(slack.command("forget-me", user_id=ANNA), standin)
    assert question["response_type"] == "ephemeral"
    shown = text_of(question)
    assert "Erase your personal data?" in shown
    assert f"Session {NEXT}" in shown  # the registration that would be cancelled
    assert "You took part in 2 sessions" in shown
    erase = buttons_of(question)[ActionId.FORGET_ME_CONFIRM]
    assert erase["style"] == "danger"
    assert erase["confirm"]["style"] == "danger"
    assert erase["confirm"]["confirm"]["text"] == "Erase"
    assert ANNA in members(runtime)  # asking changed nothing

    done = answer(
        slack.block_action(
            ActionId.FORGET_ME_CONFIRM, erase["value"], user_id=ANNA, message=question
        ),
        standin,
    )
    assert done["replace_original"] is True  # the question and its buttons are gone
    told = text_of(done)
    assert "Your personal data has been erased." in told
    assert f"Session {NEXT}" in told
    assert "Your part in 2 past sessions is kept only as anonymous counts." in told
    assert members(runtime) == {BO, WENCHE, "U0C1", "U0C2", "U0C3"}
    with runtime.unit_of_work() as db:
        waiting = db.scalar(
            select(Registration.status)
            .join(Member, Member.id == Registration.member_id)
            .where(Member.slack_user_id == WENCHE, Registration.session_id == world.next_id)
        )
        after = summaries.feedback_summary(db, runtime.settings.home_team_id, PAST)
    assert waiting == RegistrationStatus.OFFERED  # the session has a price: offered
    assert (after.participants, after.responses, after.average, after.distribution) == (
        before.participants,
        before.responses,
        before.average,
        before.distribution,
    )

    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, NOW)
    seat = [m for m in dms_to(standin, WENCHE) if "seat has become free" in text_of(m)]
    assert len(seat) == 1
    assert dms_to(standin, ANNA) == []  # her reminders and feedback prompts went with her

    # Using the bot again stores only what Slack says about her now.
    standin.clear()
    clock.advance(timedelta(minutes=5))
    answer(slack.command("mydata", user_id=ANNA), standin)
    again = data_file(standin, ANNA)
    profile = again["profile"]
    assert (profile["name"], profile["organisation"], profile["role"]) == ("", None, None)
    assert profile["language"] is None
    assert profile["created_at"] == "2027-05-03T04:05:00-04:00"
    assert again["registrations"] == again["messages"] == again["feedback"] == []
    assert again["anonymous_feedback_given"] == []


def test_a_click_by_anyone_but_the_member_the_button_was_made_for_erases_nothing(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    build_privacy_world(runtime)
    question = answer(slack.command("forget-me", user_id=ANNA), standin)
    erase = buttons_of(question)[ActionId.FORGET_ME_CONFIRM]
    keep = buttons_of(question)[ActionId.FORGET_ME_KEEP]

    kept = answer(slack.block_action(ActionId.FORGET_ME_KEEP, keep["value"], user_id=ANNA), standin)
    assert "Nothing was erased." in text_of(kept)

    # Bo replays Anna's button (a forwarded or forged payload): nobody is erased.
    forged = answer(
        slack.block_action(ActionId.FORGET_ME_CONFIRM, erase["value"], user_id=BO), standin
    )
    assert "made for someone else" in text_of(forged)
    assert forged["replace_original"] is False
    assert {ANNA, BO} <= members(runtime)
    with runtime.unit_of_work() as db:
        linked = db.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.member_id.is_not(None))
        )
    assert linked == 9

    # His own question, in Danish: the click erases the clicker, never the button's value.
    with runtime.unit_of_work(write=True) as db:
        bo = db.scalar(select(Member).where(Member.slack_user_id == BO))
        assert bo is not None
        bo.language = "da"
    his = answer(slack.command("glem-mig", user_id=BO), standin)
    assert "Slet dine personoplysninger?" in text_of(his)
    his_erase = buttons_of(his)[ActionId.FORGET_ME_CONFIRM]
    assert his_erase["confirm"]["confirm"]["text"] == "Slet"
    done = answer(
        slack.block_action(ActionId.FORGET_ME_CONFIRM, his_erase["value"], user_id=BO), standin
    )
    assert "Dine personoplysninger er slettet." in text_of(done)
    assert ANNA in members(runtime) and BO not in members(runtime)
    assert member_id(runtime, ANNA) is not None


def test_retention_on_the_schedulers_tick_keeps_the_summary_numbers(
    runtime: Runtime, clock: FixedClock, standin: SlackStandIn
) -> None:
    world = build_privacy_world(runtime)
    team = runtime.settings.home_team_id
    client = make_delivery_client(runtime.settings)

    def state() -> tuple[Any, ...]:
        with runtime.unit_of_work() as db:
            s = summaries.feedback_summary(db, team, PAST)
            linked = db.scalar(
                select(func.count())
                .select_from(Registration)
                .where(
                    Registration.session_id == world.past_id, Registration.member_id.is_not(None)
                )
            )
            named = db.scalar(
                select(func.count())
                .select_from(FeedbackResponse)
                .where(FeedbackResponse.member_id.is_not(None))
            )
        numbers = (s.participants, s.responses, s.average, s.distribution, s.goals)
        return numbers, linked, named

    numbers, linked, named = state()
    assert (numbers[:3], linked, named) == ((5, 2, 4.0), 5, 2)
    with runtime.unit_of_work() as db:
        past_ends = db.get(ProgrammeSession, world.past_id).ends_at  # type: ignore[union-attr]

    before_cutoff = past_ends + runtime.settings.privacy.retain_personal_data - timedelta(hours=1)
    clock.set(before_cutoff)
    run_due_work(runtime, client, before_cutoff)
    assert state() == (numbers, 5, 2)

    after_cutoff = before_cutoff + timedelta(hours=2)
    clock.set(after_cutoff)
    run_due_work(runtime, client, after_cutoff)
    assert state() == (numbers, 0, 0)
    with runtime.unit_of_work() as db:
        comments = summaries.feedback_summary(db, team, PAST).comments
    assert {c.name for c in comments} == {None}
