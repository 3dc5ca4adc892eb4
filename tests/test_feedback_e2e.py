"""Feedback over signed HTTP: the prompt DM, the form from its button and from
``/sdg feedback``, replace vs refuse, the nudge once, facilitator summaries,
charts and CSV exports, and members refused on every facilitator path."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.config import Settings
from bot.delivery.scheduler import run_due_work
from bot.delivery.slack_sender import make_delivery_client
from bot.ids import ActionId, BlockId, CallbackId
from bot.models import FeedbackRespondent, FeedbackResponse, Member
from bot.runtime import Runtime
from bot.sandbox.slack_standin import RecordedCall, SlackStandIn
from tests.support.conversation import answer_of, buttons_of, text_of
from tests.support.feedback_world import KEY, NOW, build_world, known_world
from tests.support.signed_client import SignedSlackClient

FACILITATOR = "U0FAC"
GROUP = "S0GROUP"
GROUP_MEMBER = "U0GROUPIE"
REFUSAL = "Only the network's facilitators can do that."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The listed facilitator, plus a user group (its members are checked with Slack)."""
    return dataclasses.replace(
        settings,
        bot=dataclasses.replace(
            settings.bot, facilitators=(FACILITATOR,), facilitator_usergroup=GROUP
        ),
    )


@pytest.fixture(autouse=True)
def slack_users(standin: SlackStandIn) -> None:
    for user_id in (FACILITATOR, GROUP_MEMBER, "U0ANNA", "U0BO", "U0WAIT", "U1"):
        standin.add_user(user_id, locale="en-GB")
    standin.add_usergroup(GROUP, [GROUP_MEMBER])


def form_values(
    rating: int | None,
    valuable: str = "",
    change: str = "",
    goals: tuple[int, ...] = (),
    recommend: str | None = None,
) -> dict[str, Any]:
    """A submitted form's ``state.values`` as Slack sends them."""

    def selected(value: str | None) -> dict[str, Any] | None:
        return {"value": value, "text": {"type": "plain_text", "text": value}} if value else None

    return {
        BlockId.FEEDBACK_RATING: {
            ActionId.FEEDBACK_RATING_INPUT: {
                "type": "radio_buttons",
                "selected_option": selected(str(rating) if rating else None),
            }
        },
        BlockId.FEEDBACK_VALUABLE: {
            ActionId.FEEDBACK_VALUABLE_INPUT: {
                "type": "plain_text_input",
                "value": valuable or None,
            }
        },
        BlockId.FEEDBACK_CHANGE: {
            ActionId.FEEDBACK_CHANGE_INPUT: {"type": "plain_text_input", "value": change or None}
        },
        BlockId.FEEDBACK_GOALS: {
            ActionId.FEEDBACK_GOALS_INPUT: {
                "type": "multi_static_select",
                "selected_options": [selected(str(goal)) for goal in goals],
            }
        },
        BlockId.FEEDBACK_RECOMMEND: {
            ActionId.FEEDBACK_RECOMMEND_INPUT: {
                "type": "radio_buttons",
                "selected_option": selected(recommend),
            }
        },
    }


def opened_views(standin: SlackStandIn, count: int = 1) -> list[dict[str, Any]]:
    calls = standin.wait_for("views.open", count)
    return [call.args["view"] for call in calls]


def modal_text(result: Any) -> str:
    body = result.json
    assert body["response_action"] == "update", body
    return text_of({"blocks": body["view"]["blocks"]})


def dms_to(standin: SlackStandIn, user_id: str) -> list[RecordedCall]:
    return [c for c in standin.calls_to("chat.postMessage") if c.args.get("channel") == user_id]


def counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.unit_of_work() as db:
        return (
            int(db.scalar(select(func.count()).select_from(FeedbackResponse)) or 0),
            int(db.scalar(select(func.count()).select_from(FeedbackRespondent)) or 0),
        )


# --- members ----------------------------------------------------------------------------


def test_the_prompt_dm_opens_the_form_and_the_nudge_comes_once(
    runtime: Runtime, clock: FixedClock, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    build_world(runtime)
    client = make_delivery_client(runtime.settings)
    assert run_due_work(runtime, client, NOW).sent == 2
    prompt = dms_to(standin, "U0ANNA")[0].args
    assert "How was" in prompt["text"]
    button = buttons_of(prompt)[ActionId.OPEN_FEEDBACK]
    # Sent side by side by the worker's threads: the order is not defined.
    assert sorted(c.args["channel"] for c in standin.calls_to("chat.postMessage")) == [
        "U0ANNA",
        "U0BO",
    ]

    result = slack.block_action(
        ActionId.OPEN_FEEDBACK, button["value"], user_id="U0ANNA", message=prompt
    )
    assert result.status == 200
    view = opened_views(standin)[0]
    assert (view["callback_id"], view["private_metadata"]) == (CallbackId.FEEDBACK, KEY)
    assert sum(b["type"] == "input" for b in view["blocks"]) == 5

    done = slack.view_submission(
        CallbackId.FEEDBACK,
        form_values(5, "Dialogen", goals=(13, 11), recommend="yes"),
        user_id="U0ANNA",
        private_metadata=view["private_metadata"],
    )
    assert "Thank you for your feedback" in modal_text(done)
    assert counts(runtime) == (1, 1)

    # Three days on: the nudge reaches only the member who has not answered, once.
    standin.clear()
    later = NOW + timedelta(days=3, minutes=1)
    clock.set(later)
    report = run_due_work(runtime, client, later)
    assert (report.sent, report.skipped) == (1, 1)
    nudge = dms_to(standin, "U0BO")[0].args
    assert ActionId.OPEN_FEEDBACK in buttons_of(nudge)
    assert "påmindelse" in nudge["text"]  # U0BO reads Danish
    for days in (4, 10, 20):
        assert run_due_work(runtime, client, NOW + timedelta(days=days)).sent == 0
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_feedback_command_opens_the_latest_session_and_a_second_answer_replaces_the_first(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    build_world(runtime)
    result = slack.command("feedback", user_id="U0ANNA")
    assert result.status == 200
    view = opened_views(standin)[0]
    assert view["private_metadata"] == KEY
    assert "verdensmål &amp; &lt;data&gt;" in text_of({"blocks": view["blocks"]})

    first = slack.view_submission(
        CallbackId.FEEDBACK,
        form_values(2, change="Mere tid"),
        user_id="U0ANNA",
        private_metadata=KEY,
    )
    assert "Thank you" in modal_text(first)
    slack.command(f"feedback {KEY}", user_id="U0ANNA")
    again = opened_views(standin, 2)[1]
    rating = next(b for b in again["blocks"] if b.get("block_id") == BlockId.FEEDBACK_RATING)
    assert rating["element"]["initial_option"]["value"] == "2"
    assert "replaces that answer" in text_of({"blocks": again["blocks"]})

    second = slack.view_submission(
        CallbackId.FEEDBACK, form_values(4, goals=(3,)), user_id="U0ANNA", private_metadata=KEY
    )
    assert "replaces the one you gave earlier" in modal_text(second)
    with runtime.unit_of_work() as db:
        stored = db.execute(select(FeedbackResponse.rating, FeedbackResponse.should_change)).all()
        assert [tuple(row) for row in stored] == [(4, "")]
    assert counts(runtime) == (1, 1)


def test_an_anonymous_session_refuses_a_second_answer_and_keeps_no_link(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    build_world(runtime, anonymous=True)
    slack.command(f"feedback {KEY}", user_id="U0ANNA")
    view = opened_views(standin)[0]
    assert "anonymous" in text_of({"blocks": view["blocks"]})
    done = slack.view_submission(
        CallbackId.FEEDBACK, form_values(3, "Øvelserne"), user_id="U0ANNA", private_metadata=KEY
    )
    assert "stored without your name" in modal_text(done)

    refused = answer_of(slack.command(f"feedback {KEY}", user_id="U0ANNA"), standin)
    assert "already given feedback" in text_of(refused)
    assert refused["response_type"] == "ephemeral"
    forged = slack.view_submission(
        CallbackId.FEEDBACK, form_values(1), user_id="U0ANNA", private_metadata=KEY
    )
    assert "cannot be changed" in modal_text(forged)

    with runtime.unit_of_work() as db:
        answers = db.execute(
            select(
                FeedbackResponse.member_id,
                FeedbackResponse.role,
                FeedbackResponse.organisation_name,
                FeedbackResponse.rating,
                FeedbackResponse.most_valuable,
            )
        ).all()
        assert [tuple(row) for row in answers] == [(None, None, None, 3, "Øvelserne")]
        who = db.execute(
            select(Member.slack_user_id).join(
                FeedbackRespondent, FeedbackRespondent.member_id == Member.id
            )
        ).scalars()
        assert list(who) == ["U0ANNA"]


def test_non_participants_are_told_and_wrong_answers_are_shown_in_the_form(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    build_world(runtime)
    told = answer_of(slack.command(f"feedback {KEY}", user_id="U0WAIT"), standin)
    assert "You were not registered for" in text_of(told)
    forged = slack.view_submission(
        CallbackId.FEEDBACK, form_values(5), user_id="U0WAIT", private_metadata=KEY
    )
    assert "You were not registered for" in modal_text(forged)

    missing = slack.view_submission(
        CallbackId.FEEDBACK, form_values(None, goals=(18,)), user_id="U0ANNA", private_metadata=KEY
    )
    body = missing.json
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {BlockId.FEEDBACK_RATING, BlockId.FEEDBACK_GOALS}
    assert counts(runtime) == (0, 0)
    assert standin.calls_to("views.open") == []


# --- facilitators -----------------------------------------------------------------------


def test_a_facilitator_gets_the_summary_the_chart_and_the_csv_files(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    known_world(runtime)
    summary = answer_of(slack.command(f"summary {KEY}", user_id=FACILITATOR), standin)
    shown = text_of(summary)
    assert summary["response_type"] == "ephemeral"
    assert "8 of 12 participants (67%)" in shown
    assert "4.0 of 5" in shown
    assert "83% (5 of 6 who answered)" in shown
    assert "13. Climate action: 4" in shown
    assert "Politician: 5 responses, average 4.4" in shown
    assert "Name U1, Aarhus Kommune" in shown

    standin.wait_for("files.completeUploadExternal")
    ((title, png, complete),) = standin.uploads()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert complete["channel_id"] == "D" + FACILITATOR
    assert title == f"Feedback: {KEY}"

    standin.clear()
    export = buttons_of(summary)[ActionId.EXPORT_FEEDBACK]
    pressed = slack.block_action(ActionId.EXPORT_FEEDBACK, export["value"], user_id=FACILITATOR)
    notice = answer_of(pressed, standin)
    assert "The export (Excel and CSV) is in your DM." in text_of(notice)
    files = {name: content for name, content, _args in standin.uploads()}
    registrations = files[f"Registrations: {KEY}"]
    feedback = files[f"Feedback: {KEY}"]
    assert registrations.startswith(b"\xef\xbb\xbf") and feedback.startswith(b"\xef\xbb\xbf")
    lines = registrations.decode("utf-8-sig").splitlines()
    assert lines[0] == "Name,Organisation,Role,Attendance,Status,Registered,Fee (DKK),Guest of"
    assert "Name U2,Aarhus Kommune,Politician,In the room,Confirmed,2027-04-22 12:00,7500," in lines
    assert len(lines) == 14
    answers = feedback.decode("utf-8-sig").splitlines()
    assert answers[0].startswith("Name,Organisation,Role,Rating")
    assert "Name U5,Aarhus Kommune,Politician,4,Øvelserne,,11,No" in answers


def test_the_export_command_and_the_season(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    known_world(runtime, anonymous=True)
    notice = answer_of(slack.command(f"export {KEY}", user_id=FACILITATOR), standin)
    assert "The export (Excel and CSV) is in your DM." in text_of(notice)
    files = {name: content for name, content, _args in standin.uploads()}
    feedback = files[f"Feedback: {KEY}"].decode("utf-8-sig")
    assert feedback.splitlines()[0] == "Rating,Most valuable,Should change,SDGs,Would recommend"
    assert "Name U" not in feedback and "Aarhus" not in feedback

    season = answer_of(slack.command("summary season", user_id=FACILITATOR), standin)
    shown = text_of(season)
    assert "Season 2026–2027: feedback" in shown
    assert "Rating 4.0" in shown and "8 of 12 answered (67%)" in shown
    assert "13. Climate action (4)" in shown


def test_a_user_group_member_is_a_facilitator_after_a_fresh_check(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    known_world(runtime)
    summary = answer_of(slack.command(f"summary {KEY}", user_id=GROUP_MEMBER), standin)
    assert "8 of 12 participants" in text_of(summary)
    assert [c.args["usergroup"] for c in standin.calls_to("usergroups.users.list")] == [GROUP]

    # Removed from the group in Slack: refused at once, whatever was cached.
    standin.add_usergroup(GROUP, [])
    standin.clear()
    refused = answer_of(slack.command(f"summary {KEY}", user_id=GROUP_MEMBER), standin)
    assert REFUSAL in text_of(refused)
    assert len(standin.calls_to("usergroups.users.list")) == 1


def test_a_member_is_refused_on_command_button_and_forged_modal(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    known_world(runtime)
    for text in (f"summary {KEY}", "summary season", f"export {KEY}", "summary"):
        refused = answer_of(slack.command(text, user_id="U1"), standin)
        assert REFUSAL in text_of(refused), text
        assert refused["response_type"] == "ephemeral"

    pressed = slack.block_action(ActionId.EXPORT_FEEDBACK, KEY, user_id="U1")
    assert REFUSAL in text_of(answer_of(pressed, standin))

    picker = {
        BlockId.REPORT_SESSION: {
            ActionId.REPORT_SESSION_SELECT: {
                "type": "static_select",
                "selected_option": {"value": KEY, "text": {"type": "plain_text", "text": KEY}},
            }
        }
    }
    for mode in ("export", "summary"):
        forged = slack.view_submission(
            CallbackId.FEEDBACK_REPORT,
            picker,
            user_id="U1",
            private_metadata=mode,
            view_id=f"V{mode}",
        )
        assert forged.json["response_action"] == "update"
        updated = standin.wait_for(
            "views.update", predicate=lambda call, m=mode: call.args.get("view_id") == f"V{m}"
        )
        assert REFUSAL in text_of({"blocks": updated[0].args["view"]["blocks"]})

    assert standin.uploads() == []
    assert standin.calls_to("chat.postMessage") == []
    assert standin.calls_to("conversations.open") == []
    assert standin.calls_to("views.open") == []


def test_the_picker_delivers_the_summary_to_the_dm(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    known_world(runtime)
    slack.command("summary", user_id=FACILITATOR)
    view = opened_views(standin)[0]
    assert view["callback_id"] == CallbackId.FEEDBACK_REPORT
    options = view["blocks"][0]["element"]["options"]
    assert [o["value"] for o in options] == [KEY]

    chosen = {
        BlockId.REPORT_SESSION: {
            ActionId.REPORT_SESSION_SELECT: {"type": "static_select", "selected_option": options[0]}
        }
    }
    result = slack.view_submission(
        CallbackId.FEEDBACK_REPORT, chosen, user_id=FACILITATOR, private_metadata="summary"
    )
    assert "Working on it" in modal_text(result)
    updated = standin.wait_for("views.update")[0].args
    assert "The summary is in your DM." in text_of({"blocks": updated["view"]["blocks"]})
    posted = standin.calls_to("chat.postMessage")[0].args
    assert posted["channel"] == "D" + FACILITATOR
    assert "8 of 12 participants" in text_of(posted)
    assert len(standin.uploads()) == 1
    assert standin.violations == []  # the picker, the DM summary, the notices


def test_the_views_the_bot_opens_pass_slacks_limits(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    build_world(runtime)
    slack.command("feedback", user_id="U0BO")
    opened_views(standin)
    assert standin.violations == []
    assert json.dumps(standin.calls_to("views.open")[0].args["view"]).count('"type": "input"') == 5


def test_help_shows_facilitator_commands_only_to_known_facilitators(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    known_world(runtime)

    def help_text(user_id: str) -> str:
        return text_of(answer_of(slack.command("help", user_id=user_id), standin))

    assert "For facilitators" in help_text(FACILITATOR)
    # A user group is configured, but Slack has not said this member is in it.
    assert "For facilitators" not in help_text("U0ANNA")
    assert "For facilitators" not in help_text(GROUP_MEMBER)
    # Once a facilitator action has confirmed the membership with Slack, help shows them.
    answer_of(slack.command(f"summary {KEY}", user_id=GROUP_MEMBER), standin)
    assert "For facilitators" in help_text(GROUP_MEMBER)
    assert "For facilitators" not in help_text("U0ANNA")
