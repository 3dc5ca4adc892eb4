"""The listener frame: typed requests, listeners called directly, one error mapping,
the facilitator check on every path, and wrong-typed fields answered privately."""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any

import pytest
from slack_bolt import BoltContext, BoltRequest, BoltResponse
from sqlalchemy import func, select

from bot.app import build_app
from bot.commands import COMMANDS
from bot.config import Settings
from bot.errors import NotAFacilitator, SessionNotFound
from bot.i18n import Translator
from bot.ids import ActionId, BlockId, CallbackId
from bot.models import FeedbackResponse, Registration
from bot.rendering.reply import Reply
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from bot.services import members, sessions
from handlers import register_listeners
from handlers.actions import find as find_actions
from handlers.commands import find as find_commands
from handlers.commands import sdg
from handlers.frame import (
    FollowUp,
    Frame,
    ModalState,
    Request,
    Surface,
    SurfaceKind,
    reply_for_error,
)
from tests.conftest import TEAM_ID, ImportResult
from tests.support import factories as make
from tests.support.conversation import answer_of, text_of
from tests.support.feedback_world import KEY as FEEDBACK_KEY
from tests.support.feedback_world import build_world
from tests.support.signed_client import SignedSlackClient

FACILITATOR = "U0FAC"
MEMBER = "U0MEMBER"
NORWEGIAN = "U0NORA"
SYMPOSIUM = "2027-06-10-symposium"
REFERENCE = re.compile(r"\(reference ([A-Z0-9]{5})\)")
COULD_NOT_READ = "I could not read that."


@pytest.fixture
def usergroup() -> str:
    """``[bot] facilitator_usergroup``; set by the test that checks it with Slack."""
    return ""


@pytest.fixture
def settings(settings: Settings, usergroup: str) -> Settings:
    bot = dataclasses.replace(
        settings.bot, facilitators=(FACILITATOR,), facilitator_usergroup=usergroup
    )
    return dataclasses.replace(settings, bot=bot)


@pytest.fixture
def known_members(runtime: Runtime) -> None:
    with runtime.unit_of_work(write=True) as db:
        for user_id, language in ((MEMBER, "en"), (NORWEGIAN, "nb"), (FACILITATOR, "en")):
            make.add_member(db, user_id, now=runtime.clock.now(), language=language)


def request_for(
    runtime: Runtime,
    user_id: str = MEMBER,
    *,
    text: str = "",
    value: str = "",
    state: dict[str, Any] | None = None,
) -> Request:
    """What the frame builds for a request; tests call listeners with it."""
    team = runtime.team_for(TEAM_ID)
    now = runtime.clock.now()
    with runtime.unit_of_work() as db:
        reader = members.load_reader(db, team, user_id, runtime.settings, now)
    return Request(
        runtime=runtime,
        team=team,
        user_id=user_id,
        now=now,
        reader=reader,
        surface=Surface(SurfaceKind.COMMAND),
        request_id="test-request",
        text=text,
        value=value,
        state=ModalState(state or {}),
    )


def unexpected_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- listeners are functions of the request -------------------------------------------


def test_listeners_are_plain_functions_of_the_request(
    runtime: Runtime, sample_programme: ImportResult, known_members: None
) -> None:
    card = find_actions.show_session(request_for(runtime, value=SYMPOSIUM))
    assert "Meningsfuld måling" in card.text + text_of({"blocks": card.blocks})

    nearest = find_commands.answer_next(request_for(runtime, NORWEGIAN), "")
    assert "Meningsfuld måling" in text_of({"text": nearest.text, "blocks": nearest.blocks})

    dispatched = sdg.answer(request_for(runtime, text=f"show {SYMPOSIUM}"))
    assert isinstance(dispatched, Reply) and dispatched.blocks == card.blocks

    with pytest.raises(SessionNotFound):
        find_actions.show_session(request_for(runtime, value="no-such-session"))


def test_every_facilitator_word_is_a_follow_up_the_frame_checks_first(
    runtime: Runtime, known_members: None
) -> None:
    words = [
        f"{s.name.value} some-key" if s.takes_argument else s.name.value
        for s in COMMANDS
        if s.facilitator_only and s.name in sdg.ANSWERS
    ]
    assert {"new", "edit some-key", "announce some-key", "export some-key"} <= set(words)
    for text in words:
        answer = sdg.answer(request_for(runtime, FACILITATOR, text=text))
        assert isinstance(answer, FollowUp) and answer.facilitator, text
        with pytest.raises(NotAFacilitator):
            sdg.answer(request_for(runtime, MEMBER, text=text))


def test_a_request_id_set_by_an_outer_layer_is_kept(runtime: Runtime) -> None:
    frame = Frame(build_app(runtime, register_listeners), runtime)
    body = {"command": "/sdg", "team_id": TEAM_ID, "user_id": MEMBER, "text": " next "}
    req, problem = frame.read_request(body, BoltContext({"sdg_request_id": "edge-42"}))
    assert problem is None
    assert (req.request_id, req.user_id, req.text, req.surface.kind) == (
        "edge-42",
        MEMBER,
        "next",
        SurfaceKind.COMMAND,
    )
    context = BoltContext()
    req, _ = frame.read_request(body, context)
    assert req.request_id and context["sdg_request_id"] == req.request_id


@pytest.mark.parametrize(
    "body",
    [
        {"type": "block_actions", "user": "U1", "actions": [{"action_id": "x"}]},
        {"type": "block_actions", "user": {"id": MEMBER}, "actions": "x"},
        {"type": "block_actions", "user": {"id": MEMBER}, "actions": [{"value": {"a": 1}}]},
        {"type": "view_submission", "user": {"id": MEMBER}, "view": {"state": []}},
        {"type": "view_submission", "user": {"id": MEMBER}, "view": "modal"},
        {"type": "event_callback", "event": {"user": {"id": MEMBER}}},
        {"command": "/sdg", "user_id": 7},
    ],
)
def test_a_field_of_the_wrong_type_is_unreadable_never_an_exception(
    runtime: Runtime, body: dict[str, Any]
) -> None:
    frame = Frame(build_app(runtime, register_listeners), runtime)
    req, problem = frame.read_request(body, BoltContext())
    assert problem is not None and problem.__class__.__name__ == "UnreadableRequest"
    assert COULD_NOT_READ in reply_for_error(problem, Translator("en", "UTC")).text


def test_modal_state_reads_each_field_typed() -> None:
    state = ModalState(
        {
            "b": {
                "text": {"value": "hello"},
                "pick": {"selected_option": {"value": "3"}},
                "many": {"selected_options": [{"value": "1"}, {"value": "17"}]},
                "bad": {"selected_option": "3"},
            }
        }
    )
    assert state.text("b", "text") == "hello"
    assert state.text("b", "missing") is None
    assert state.selected("b", "pick") == "3"
    assert state.selected_values("b", "many") == ["1", "17"]
    with pytest.raises(Exception, match="could not read"):
        state.selected("b", "bad")


# --- the one error mapping ------------------------------------------------------------


def test_a_domain_error_is_a_short_answer_in_the_readers_language_and_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    reply = reply_for_error(SessionNotFound("x"), Translator("nb", "Europe/Oslo"))
    assert "Det finnes ingen samling med nøkkelen x" in reply.text
    assert reply.text != reply_for_error(SessionNotFound("x"), Translator("en", "UTC")).text
    assert unexpected_lines(caplog) == []


@pytest.mark.parametrize("language,wording", [("da", "Noget gik galt"), ("nb", "Noe gikk galt")])
def test_an_unexpected_error_has_one_reference_in_the_answer_and_one_log_line(
    caplog: pytest.LogCaptureFixture, language: str, wording: str
) -> None:
    reply = reply_for_error(
        RuntimeError("boom"),
        Translator(language, "Europe/Copenhagen"),
        team="T0001",
        user_id="U0ANNA",
        request_id="req-1",
    )
    assert wording in reply.text
    found = re.search(r"\((?:reference|referanse) ([A-Z0-9]{5})\)", reply.text)
    assert found is not None
    [line] = unexpected_lines(caplog)
    message = line.getMessage()
    assert found.group(1) in message
    assert "T0001" in message and "U0ANNA" in message and "req-1" in message
    assert line.exc_info is not None


def _broken(*args: object, **kwargs: object) -> Any:
    raise RuntimeError("a bug")


def test_an_unexpected_error_on_a_command_answers_with_the_logged_reference(
    runtime: Runtime,
    slack: SignedSlackClient,
    standin: SlackStandIn,
    sample_programme: ImportResult,
    known_members: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(sessions, "now_and_next", _broken)
    result = slack.command("next", user_id=MEMBER)
    assert result.status == 200
    answer = result.json  # a known member is answered in the ack itself
    assert answer["response_type"] == "ephemeral"
    found = REFERENCE.search(answer["text"])
    assert found is not None
    [line] = unexpected_lines(caplog)
    assert found.group(1) in line.getMessage() and MEMBER in line.getMessage()
    assert "a bug" not in answer["text"]


def test_an_unexpected_error_on_a_button_answers_privately_with_the_reference(
    runtime: Runtime,
    slack: SignedSlackClient,
    standin: SlackStandIn,
    sample_programme: ImportResult,
    known_members: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(sessions, "session_by_key", _broken)
    pressed = slack.block_action(ActionId.SHOW_SESSION, SYMPOSIUM, user_id=MEMBER)
    answer = answer_of(pressed, standin)
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    found = REFERENCE.search(answer["text"])
    assert found is not None
    [line] = unexpected_lines(caplog)
    assert found.group(1) in line.getMessage()


def test_a_domain_error_on_a_command_is_in_the_members_language(
    slack: SignedSlackClient, standin: SlackStandIn, known_members: None
) -> None:
    english = text_of(answer_of(slack.command("show no-such-key", user_id=MEMBER), standin))
    norwegian = text_of(answer_of(slack.command("show no-such-key", user_id=NORWEGIAN), standin))
    assert "no-such-key" in english and "no-such-key" in norwegian
    assert english != norwegian


def test_bolts_error_handler_ends_in_the_same_mapping(
    runtime: Runtime, known_members: None, caplog: pytest.LogCaptureFixture
) -> None:
    app = build_app(runtime, register_listeners)
    body = f"command=%2Fsdg&text=next&team_id={TEAM_ID}&user_id={MEMBER}"
    request = BoltRequest(
        body=body, headers={"content-type": ["application/x-www-form-urlencoded"]}
    )
    response = BoltResponse(status=500)
    handler = app.listener_runner.listener_error_handler
    handler.handle(error=RuntimeError("escaped"), request=request, response=response)
    assert response.status == 200
    found = REFERENCE.search(response.body)
    assert found is not None
    [line] = unexpected_lines(caplog)
    assert found.group(1) in line.getMessage()


# --- wrong-typed fields over signed HTTP -----------------------------------------------


def registrations(runtime: Runtime) -> int:
    with runtime.unit_of_work() as db:
        return int(db.scalar(select(func.count()).select_from(Registration)) or 0)


def test_a_button_with_a_wrong_typed_value_answers_privately(
    runtime: Runtime,
    slack: SignedSlackClient,
    standin: SlackStandIn,
    sample_programme: ImportResult,
    known_members: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    action = {"type": "button", "action_id": ActionId.REGISTER, "value": {"key": SYMPOSIUM}}
    pressed = slack.block_action(ActionId.REGISTER, action=action, user_id=MEMBER)
    assert pressed.status == 200
    answer = answer_of(pressed, standin)
    assert COULD_NOT_READ in answer["text"] and answer["response_type"] == "ephemeral"
    assert registrations(runtime) == 0
    assert unexpected_lines(caplog) == []


def test_a_modal_with_wrong_typed_state_says_so_in_the_modal(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    world = build_world(runtime)
    user_id = world.participants[0]
    values = {BlockId.FEEDBACK_RATING: {ActionId.FEEDBACK_RATING_INPUT: {"selected_option": "5"}}}
    result = slack.view_submission(
        CallbackId.FEEDBACK, values, user_id=user_id, private_metadata=FEEDBACK_KEY
    )
    assert result.status == 200
    assert result.json["response_action"] == "update"
    assert COULD_NOT_READ in text_of({"blocks": result.json["view"]["blocks"]})
    with runtime.unit_of_work() as db:
        assert db.scalar(select(func.count()).select_from(FeedbackResponse)) == 0

    state_not_a_dict = slack.view_submission(
        CallbackId.FEEDBACK, [], user_id=user_id, private_metadata=FEEDBACK_KEY
    )  # type: ignore[arg-type]
    assert state_not_a_dict.status == 200
    assert COULD_NOT_READ in text_of({"blocks": state_not_a_dict.json["view"]["blocks"]})


def test_options_and_events_with_wrong_types_are_quietly_empty(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn, known_members: None
) -> None:
    suggested = slack.block_suggestion(ActionId.ORGANISATION_SELECT, "Aar", user_id=MEMBER)
    assert suggested.status == 200 and isinstance(suggested.json["options"], list)

    event = {"type": "app_home_opened", "user": {"id": MEMBER}, "tab": "home"}
    assert slack.event(event).status == 200
    opened = slack.event({"type": "app_home_opened", "user": MEMBER, "tab": "home"})
    assert opened.status == 200
    [published] = standin.wait_for("views.publish")
    assert published.args["user_id"] == MEMBER


# --- the facilitator check on the command, button and modal paths ----------------------


@pytest.mark.parametrize("usergroup", ["S0FRAME"])
def test_the_frame_checks_facilitators_with_slack_on_command_button_and_modal(
    runtime: Runtime, usergroup: str, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    group = usergroup
    groupie = "U0GROUPIE"
    standin.add_usergroup(group, [groupie])
    build_world(runtime)
    with runtime.unit_of_work(write=True) as db:
        make.add_member(db, groupie, now=runtime.clock.now(), language="en")

    def asked() -> int:
        return len(standin.calls_to("usergroups.users.list"))

    answer = answer_of(slack.command(f"export {FEEDBACK_KEY}", user_id=groupie), standin)
    assert asked() == 1 and "Only the network's facilitators" not in text_of(answer)

    standin.add_usergroup(group, [])  # removed: the cached gate still lets them through
    refused = answer_of(slack.command(f"export {FEEDBACK_KEY}", user_id=groupie), standin)
    assert "Only the network's facilitators" in text_of(refused) and asked() == 2

    pressed = slack.block_action(ActionId.EXPORT_FEEDBACK, FEEDBACK_KEY, user_id=groupie)
    assert "Only the network's facilitators" in text_of(answer_of(pressed, standin))
    assert asked() == 3

    picker = {
        BlockId.REPORT_SESSION: {
            ActionId.REPORT_SESSION_SELECT: {"selected_option": {"value": FEEDBACK_KEY}}
        }
    }
    slack.view_submission(
        CallbackId.FEEDBACK_REPORT, picker, user_id=groupie, private_metadata="export"
    )
    [updated] = standin.wait_for("views.update")
    assert "Only the network's facilitators" in text_of({"blocks": updated.args["view"]["blocks"]})
    assert asked() == 4
    assert len(standin.uploads()) == 3  # the workbook and CSVs of the export made in the group


def test_a_domain_error_after_the_profile_is_saved_is_shown_in_the_modal(
    runtime: Runtime,
    slack: SignedSlackClient,
    standin: SlackStandIn,
    sample_programme: ImportResult,
) -> None:
    from bot.models import ProgrammeSession
    from bot.rendering.registration import PendingRegistration

    with runtime.unit_of_work(write=True) as db:
        session = db.scalar(select(ProgrammeSession).where(ProgrammeSession.key == SYMPOSIUM))
        assert session is not None
        session.cancelled_at = runtime.clock.now()
    role = {"text": {"type": "plain_text", "text": "leader"}, "value": "leader"}
    values = {
        BlockId.PROFILE_NAME: {ActionId.PROFILE_NAME_INPUT: {"value": "Eva Lund"}},
        BlockId.PROFILE_ORGANISATION_OTHER: {ActionId.PROFILE_OTHER_INPUT: {"value": "KL"}},
        BlockId.PROFILE_ORGANISATION: {
            ActionId.ORGANISATION_SELECT: {"selected_option": {"value": "other"}}
        },
        BlockId.PROFILE_ROLE: {ActionId.PROFILE_ROLE_SELECT: {"selected_option": role}},
    }
    result = slack.view_submission(
        CallbackId.PROFILE,
        values,
        user_id="U0EVA",
        private_metadata=PendingRegistration(SYMPOSIUM).to_metadata(),
    )
    assert result.status == 200 and result.json["response_action"] == "update"
    shown = text_of({"blocks": result.json["view"]["blocks"]})
    assert "er aflyst" in shown, shown  # a new member: the network's language, Danish
    assert registrations(runtime) == 0
