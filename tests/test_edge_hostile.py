"""Hostile and malformed requests over real HTTP: 401, 400, 413 or a private answer,
never a 500, and the database as it was.  Replays and retries run nothing twice."""

from __future__ import annotations

import dataclasses
import http.client
import json
import logging
import select as readiness
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from sqlalchemy import select, text

from bot.config import Settings
from bot.ids import ActionId, BlockId, CallbackId
from bot.metrics import PROCESS
from bot.models import Base, FeedbackResponse, Organisation, Registration
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from tests.conftest import ImportText, ServedBot
from tests.support import factories as make
from tests.support.conversation import answer_of, text_of
from tests.support.feedback_world import KEY as FEEDBACK_KEY
from tests.support.feedback_world import build_world as build_feedback_world
from tests.support.signed_client import HttpResult, SignedSlackClient

MEMBER = "U0HOST"
FACILITATOR = "U0FACIL"
SESSION_KEY = "2027-06-01-aarhus"
PROGRAMME = f"""
[[session]]
key = "{SESSION_KEY}"
title = "Netværksmøde i Aarhus"
kind = "network_meeting"
starts = 2027-06-01T10:00:00
ends = 2027-06-01T15:00:00
location = "Aarhus Rådhus"
capacity = 5
"""


def snapshot(runtime: Runtime, *, skip: tuple[str, ...] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the edge's own table unless skipped)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with runtime.unit_of_work() as db:
        for table in Base.metadata.sorted_tables:
            if table.name not in skip:
                rows = db.execute(text(f"SELECT * FROM {table.name}")).all()
                tables[table.name] = sorted((tuple(map(repr, row)) for row in rows), key=repr)
    return tables


def signed(
    slack: SignedSlackClient, body: bytes | str, content_type: str, **headers: str
) -> HttpResult:
    data = body.encode("utf-8") if isinstance(body, str) else body
    ts = int(time.time())
    from tests.support.signed_client import sign

    return slack.raw(
        data,
        {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": sign(slack.signing_secret, ts, data),
            **headers,
        },
    )


FORM = "application/x-www-form-urlencoded"


def form_payload(payload: Any) -> str:
    raw = payload if isinstance(payload, str) else json.dumps(payload)
    return "payload=" + quote(raw)


def user() -> dict[str, Any]:
    return {"id": MEMBER, "username": "host", "name": "host", "team_id": "T0001"}


def block_actions(actions: Any) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": user(),
        "api_app_id": "A0001",
        "token": "legacy-token",
        "trigger_id": "1.2.abc",
        "team": {"id": "T0001", "domain": "sdg"},
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1"},
        "channel": {"id": "C1", "name": "general"},
        "response_url": "http://127.0.0.1:9/respond/x",
        "actions": actions,
    }


def view_submission(view: Any) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "user": user(),
        "team": {"id": "T0001", "domain": "sdg"},
        "api_app_id": "A0001",
        "trigger_id": "1.2.abc",
        "view": view,
    }


def modal(values: Any, callback_id: str = CallbackId.FEEDBACK) -> dict[str, Any]:
    return {
        "id": "V1",
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": FEEDBACK_KEY,
        "state": {"values": values},
    }


def event(inner: Any, **outer: Any) -> dict[str, Any]:
    return {
        "type": "event_callback",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "event": inner,
        "event_id": "Ev0HOSTILE1",
        "event_time": int(time.time()),
        **outer,
    }


COMMAND_FORM = urlencode(
    {
        "command": "/sdg",
        "text": "help",
        "user_id": MEMBER,
        "team_id": "T0001",
        "response_url": "http://127.0.0.1:9/respond/x",
        "trigger_id": "1.2.abc",
    }
)
MALFORMED: list[tuple[str, bytes | str, str]] = [
    ("payload not JSON", "payload=not%20json", FORM),
    ("payload empty", "payload=", FORM),
    ("payload truncated", form_payload('{"type": "block_actions", "user": {"id": "U1"'), FORM),
    ("payload []", form_payload("[]"), FORM),
    ("payload null", form_payload("null"), FORM),
    ("payload 123", form_payload("123"), FORM),
    ('payload "str"', form_payload('"str"'), FORM),
    ("payload true", form_payload("true"), FORM),
    ("body not UTF-8", b"payload=\xff\xfe\xfd", FORM),
    ("payload not UTF-8", "payload=%FF%FE", FORM),
    ("form sent as JSON", COMMAND_FORM, "application/json"),
    ("JSON body []", "[]", "application/json"),
    ("actions []", form_payload(block_actions([])), FORM),
    ('actions "x"', form_payload(block_actions("x")), FORM),
    ("actions [{}]", form_payload(block_actions([{}])), FORM),
    ('view "x"', form_payload(view_submission("x")), FORM),
    ("view missing", form_payload(view_submission(None)), FORM),
    (
        "interactive_message",
        form_payload({**block_actions([]), "type": "interactive_message"}),
        FORM,
    ),
    (
        "payload without a user",
        form_payload({**block_actions([{"action_id": "a"}]), "user": None}),
        FORM,
    ),
    ('event "x"', json.dumps(event("x")), "application/json"),
    (
        "event user a number",  # bolt itself cannot read it
        json.dumps(event({"type": "app_home_opened", "user": 5, "tab": "home"})),
        "application/json",
    ),
    (
        "event without an id",
        json.dumps(event({"type": "app_home_opened", "user": "U1"}, event_id=None)),
        "application/json",
    ),
    ("command without a user", COMMAND_FORM.replace(f"user_id={MEMBER}", "user_id="), FORM),
    ("command text with NUL", COMMAND_FORM.replace("text=help", "text=show%00x"), FORM),
    (
        "JSON with a lone surrogate",
        form_payload('{"type": "block_actions", "user": {"id": "\\ud800"}}'),
        FORM,
    ),
    ("nested a thousand deep", form_payload("[" * 1000 + "]" * 1000), FORM),
    ("neither command nor payload", "hello=world", FORM),
]


@pytest.mark.parametrize(("case", "body", "content_type"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_signed_but_malformed_bodies_are_refused_and_change_nothing(
    runtime: Runtime, slack: SignedSlackClient, case: str, body: bytes | str, content_type: str
) -> None:
    before = snapshot(runtime)
    result = signed(slack, body, content_type)
    assert result.status == 400, (case, result.status, result.body)
    assert snapshot(runtime) == before


COULD_NOT_READ = {"en": "I could not read that.", "da": "Det kunne jeg ikke læse."}
# Slack-shaped, but a field inside has the wrong type: the frame answers where
# the member sees it (in the modal, or privately in the channel).
WRONG_TYPES_IN_A_MODAL = [
    ('state.values "x"', "x"),
    ("state.values []", []),
    ('block value "x"', {BlockId.FEEDBACK_RATING: "x"}),
    ('input value "x"', {BlockId.FEEDBACK_RATING: {ActionId.FEEDBACK_RATING_INPUT: "x"}}),
    (
        "selected_option a string",
        {BlockId.FEEDBACK_RATING: {ActionId.FEEDBACK_RATING_INPUT: {"selected_option": "5"}}},
    ),
    (
        "selected_options an object",
        {BlockId.FEEDBACK_GOALS: {ActionId.FEEDBACK_GOALS_INPUT: {"selected_options": {"v": 1}}}},
    ),
    (
        "option value a number",
        {
            BlockId.FEEDBACK_RATING: {
                ActionId.FEEDBACK_RATING_INPUT: {"selected_option": {"value": 5}}
            }
        },
    ),
]


@pytest.mark.parametrize(
    ("case", "values"), WRONG_TYPES_IN_A_MODAL, ids=[c[0] for c in WRONG_TYPES_IN_A_MODAL]
)
def test_wrong_types_in_a_modal_are_answered_in_the_modal(
    runtime: Runtime, slack: SignedSlackClient, feedback_world: None, case: str, values: Any
) -> None:
    before = snapshot(runtime, skip=("slack_requests_seen",))
    result = slack.view_submission(
        CallbackId.FEEDBACK, values, user_id="U0BO", private_metadata=FEEDBACK_KEY
    )
    assert result.status == 200, (case, result.status, result.body)
    body = result.json
    assert body["response_action"] == "update", body
    assert COULD_NOT_READ["da"] in text_of({"blocks": body["view"]["blocks"]})
    assert snapshot(runtime, skip=("slack_requests_seen",)) == before


@pytest.mark.parametrize(
    "action",
    [
        {"type": "button", "action_id": ActionId.REGISTER, "value": 7},
        {"type": "button", "action_id": ActionId.REGISTER, "value": {"key": SESSION_KEY}},
        {"type": "static_select", "action_id": ActionId.REGISTER, "selected_option": "x"},
    ],
    ids=["value a number", "value an object", "selected_option a string"],
)
def test_a_button_with_wrong_types_is_answered_privately(
    runtime: Runtime,
    slack: SignedSlackClient,
    standin: SlackStandIn,
    registered_member: str,
    action: dict[str, Any],
) -> None:
    before = snapshot(runtime, skip=("slack_requests_seen",))
    pressed = slack.block_action(ActionId.REGISTER, action=action, user_id=MEMBER)
    assert pressed.status == 200
    answer = answer_of(pressed, standin)
    assert COULD_NOT_READ["en"] in text_of(answer) and answer["response_type"] == "ephemeral"
    assert snapshot(runtime, skip=("slack_requests_seen",)) == before


@pytest.mark.parametrize(
    "inner",
    [
        {"type": "app_home_opened", "tab": "home"},
        {"type": "app_home_opened", "user": "", "tab": "home"},
        {"type": "app_home_opened", "user": {"id": MEMBER}, "tab": "home"},
    ],
    ids=["no user", "user empty", "user an object"],
)
def test_an_event_without_a_usable_user_is_acknowledged_and_ignored(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn, inner: dict[str, Any]
) -> None:
    before = snapshot(runtime, skip=("slack_requests_seen",))
    assert slack.event(inner).status == 200
    time.sleep(0.3)
    assert standin.calls_to("views.publish") == []
    assert snapshot(runtime, skip=("slack_requests_seen",)) == before


# --- headers --------------------------------------------------------------------------------

HEADER_CASES = [
    ("timestamp abc", {"X-Slack-Request-Timestamp": "abc"}),
    ("timestamp 1.5", {"X-Slack-Request-Timestamp": "1.5"}),
    ("timestamp negative", {"X-Slack-Request-Timestamp": "-1"}),
    ("timestamp superscript", {"X-Slack-Request-Timestamp": "¹²³"}),
    ("timestamp huge", {"X-Slack-Request-Timestamp": "9" * 400}),
    ("timestamp empty", {"X-Slack-Request-Timestamp": ""}),
    ("timestamp missing", {"X-Slack-Request-Timestamp": None}),
    ("signature missing", {"X-Slack-Signature": None}),
    ("signature empty", {"X-Slack-Signature": ""}),
    ("signature v1", {"X-Slack-Signature": "v1=" + "0" * 64}),
    ("signature not hex", {"X-Slack-Signature": "v0=" + "z" * 64}),
    ("signature short", {"X-Slack-Signature": "v0=abc"}),
    ("both missing", {"X-Slack-Signature": None, "X-Slack-Request-Timestamp": None}),
]


@pytest.mark.parametrize(("case", "change"), HEADER_CASES, ids=[c[0] for c in HEADER_CASES])
def test_missing_or_malformed_headers_are_401(
    runtime: Runtime, slack: SignedSlackClient, case: str, change: dict[str, str | None]
) -> None:
    before = snapshot(runtime)
    headers: dict[str, str] = {"Content-Type": FORM, **slack.signed_headers(COMMAND_FORM)}
    for name, value in change.items():
        if value is None:
            headers.pop(name)
        else:
            headers[name] = value
    result = slack.raw(COMMAND_FORM.encode(), headers)
    assert result.status == 401, (case, result.status)
    assert snapshot(runtime) == before


# --- size ------------------------------------------------------------------------------------


def _edge_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if not r.name.startswith("uvicorn")]


def test_a_body_over_one_megabyte_is_413_with_one_short_log_line(
    slack: SignedSlackClient, served_bot: ServedBot, caplog: pytest.LogCaptureFixture
) -> None:
    body = b"command=%2Fsdg&text=" + b"A" * 1_000_000 + b"\nERROR forged line"
    headers = {"Content-Type": FORM, **slack.signed_headers(body.decode())}
    connection = http.client.HTTPConnection("127.0.0.1", served_bot.port, timeout=10)
    with caplog.at_level(logging.DEBUG):
        caplog.clear()
        try:
            # The headers go first and the body a moment later, as over a slow
            # link.  A server that answers (and may close) while the body is
            # still on its way leaves a client that writes before it reads
            # with a broken pipe instead of the 413: no answer comes early.
            connection.putrequest("POST", "/slack/events")
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                connection.putheader(name, value)
            connection.endheaders()
            assert connection.sock is not None
            readable, _, _ = readiness.select([connection.sock], [], [], 0.5)
            assert not readable, "the server answered before the body was sent"
            connection.send(body)
            status = connection.getresponse().status
        finally:
            connection.close()
    assert status == 413
    lines = [r.getMessage() for r in _edge_records(caplog)]
    assert len(lines) == 1 and len(lines[0]) < 120, lines
    assert "AAAA" not in lines[0] and "forged" not in lines[0]


def test_a_chunked_body_is_cut_off_at_the_limit(
    served_bot: ServedBot, caplog: pytest.LogCaptureFixture
) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(64):  # 4 MB offered in 64 kB chunks
            sent += 65536
            yield b"B" * 65536

    connection = http.client.HTTPConnection("127.0.0.1", served_bot.port, timeout=10)
    with caplog.at_level(logging.DEBUG):
        caplog.clear()
        try:
            connection.request(
                "POST",
                "/slack/events",
                body=chunks(),
                headers={"Content-Type": FORM, "Transfer-Encoding": "chunked"},
                encode_chunked=True,
            )
            status = connection.getresponse().status
        except (BrokenPipeError, ConnectionResetError):
            status = 413  # the server answered and closed while we were still sending
        finally:
            connection.close()
    assert status == 413
    lines = [r.getMessage() for r in _edge_records(caplog)]
    assert len(lines) == 1 and "413" in lines[0] and len(lines[0]) < 120, lines


def test_a_refused_request_is_one_line_without_the_body(
    slack: SignedSlackClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = "payload=" + quote('{"type":"view_submission","user":{"id":"U1"}}\nERROR sdgbot: forged')
    headers = {"Content-Type": FORM, **slack.signed_headers(body, secret="not-the-secret")}
    with caplog.at_level(logging.DEBUG):
        caplog.clear()
        assert slack.raw(body, headers).status == 401
    lines = [r.getMessage() for r in _edge_records(caplog)]
    assert len(lines) == 1, lines
    assert "forged" not in lines[0] and "view_submission" not in lines[0]
    assert "401" in lines[0] and "bad signature" in lines[0] and "127.0.0.1" in lines[0]


# --- numbers in payloads ---------------------------------------------------------------------


@pytest.fixture
def feedback_world(runtime: Runtime, standin: SlackStandIn) -> None:
    build_feedback_world(runtime)
    for user_id in ("U0ANNA", "U0BO"):
        standin.add_user(user_id, locale="da-DK")


def feedback_values(rating: str | None, goals: tuple[str, ...] = ()) -> dict[str, Any]:
    def option(value: str) -> dict[str, Any]:
        return {"value": value, "text": {"type": "plain_text", "text": value}}

    return {
        BlockId.FEEDBACK_RATING: {
            ActionId.FEEDBACK_RATING_INPUT: {
                "type": "radio_buttons",
                "selected_option": option(rating) if rating is not None else None,
            }
        },
        BlockId.FEEDBACK_GOALS: {
            ActionId.FEEDBACK_GOALS_INPUT: {
                "type": "multi_static_select",
                "selected_options": [option(g) for g in goals],
            }
        },
    }


NUMBER_CASES = [
    ("rating ²", "²", (), BlockId.FEEDBACK_RATING),
    ("rating ٣", "٣", (), BlockId.FEEDBACK_RATING),
    ("rating 0", "0", (), BlockId.FEEDBACK_RATING),
    ("rating 6", "6", (), BlockId.FEEDBACK_RATING),
    ("rating 10**25", "1" + "0" * 25, (), BlockId.FEEDBACK_RATING),
    ("rating ' 4'", " 4", (), BlockId.FEEDBACK_RATING),
    ("goal ³", "4", ("³",), BlockId.FEEDBACK_GOALS),
    ("goal 18", "4", ("18",), BlockId.FEEDBACK_GOALS),
    ("goal 10**25", "4", ("1" + "0" * 25,), BlockId.FEEDBACK_GOALS),
    ("goal 1_3", "4", ("1_3",), BlockId.FEEDBACK_GOALS),
]


@pytest.mark.parametrize(
    ("case", "rating", "goals", "block"), NUMBER_CASES, ids=[c[0] for c in NUMBER_CASES]
)
def test_feedback_numbers_are_ascii_digits_in_range(
    runtime: Runtime,
    slack: SignedSlackClient,
    feedback_world: None,
    case: str,
    rating: str,
    goals: tuple[str, ...],
    block: str,
) -> None:
    before = snapshot(runtime, skip=("slack_requests_seen",))
    result = slack.view_submission(
        CallbackId.FEEDBACK,
        feedback_values(rating, goals),
        user_id="U0BO",  # reads Danish
        private_metadata=FEEDBACK_KEY,
    )
    assert result.status == 200, result.body
    body = result.json
    assert body["response_action"] == "errors" and set(body["errors"]) == {block}, body
    # In the member's language (Danish), from the catalog.
    assert body["errors"][block].startswith("Vælg"), body
    assert snapshot(runtime, skip=("slack_requests_seen",)) == before


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, bot=dataclasses.replace(settings.bot, facilitators=(FACILITATOR,))
    )


def session_form_values(capacity: str, price: str) -> dict[str, Any]:
    from tests.test_manage_e2e import form

    return form(capacity=capacity, price=price)


@pytest.mark.parametrize(
    ("case", "capacity", "price", "block", "message"),
    [
        (
            "capacity 10**25",
            "1" + "0" * 25,
            "0",
            BlockId.SESSION_CAPACITY,
            "Skriv et tal op til 10.000",
        ),
        ("capacity 10001", "10001", "0", BlockId.SESSION_CAPACITY, "Skriv et tal op til 10.000"),
        ("capacity ²", "²", "0", BlockId.SESSION_CAPACITY, "Skriv et helt tal"),
        ("price 10**25", "0", "1" + "0" * 25, BlockId.SESSION_PRICE, "Skriv en pris på højst"),
        ("price 2**31", "0", str(2**31), BlockId.SESSION_PRICE, "Skriv en pris på højst"),
        ("price ٣", "0", "٣", BlockId.SESSION_PRICE, "Skriv et helt tal"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)
def test_capacity_and_price_are_range_checked_in_the_facilitators_language(
    runtime: Runtime,
    standin: SlackStandIn,
    slack: SignedSlackClient,
    case: str,
    capacity: str,
    price: str,
    block: str,
    message: str,
) -> None:
    with runtime.unit_of_work(write=True) as db:
        make.add_member(db, FACILITATOR, now=runtime.clock.now(), language="da")
    standin.add_user(FACILITATOR, locale="da-DK")
    before = snapshot(runtime, skip=("slack_requests_seen",))
    result = slack.view_submission(
        CallbackId.SESSION_FORM, session_form_values(capacity, price), user_id=FACILITATOR
    )
    assert result.status == 200
    body = result.json
    assert body is not None and body.get("response_action") == "errors", (case, result.body)
    assert set(body["errors"]) == {block}
    assert body["errors"][block].startswith(message), body
    assert snapshot(runtime, skip=("slack_requests_seen",)) == before


@pytest.mark.parametrize("value", ["o:²", "o:" + "9" * 25, "o:", "o:-1", "o:0x1"])
def test_an_organisation_option_that_is_no_id_is_a_form_error(
    runtime: Runtime,
    slack: SignedSlackClient,
    standin: SlackStandIn,
    import_programme_text: ImportText,
    value: str,
) -> None:
    from tests.test_registration_e2e import profile_values, submit

    import_programme_text(PROGRAMME)
    standin.add_user("U0NEW", locale="en-GB", real_name="Hostile Tester")
    assert slack.command(f"register {SESSION_KEY}", user_id="U0NEW").status == 200
    opened = standin.wait_for("views.open")[0].args["view"]
    if isinstance(opened, str):
        opened = json.loads(opened)
    before = snapshot(runtime, skip=("slack_requests_seen",))
    organisation = {"text": {"type": "plain_text", "text": "x"}, "value": value}
    result = submit(
        slack, opened, "U0NEW", profile_values("Hostile Tester", organisation, "politician")
    )
    assert result.status == 200
    body = result.json
    assert body["response_action"] == "errors", body
    assert BlockId.PROFILE_ORGANISATION in body["errors"]
    assert snapshot(runtime, skip=("slack_requests_seen",)) == before
    with runtime.unit_of_work() as db:
        assert db.scalars(select(Organisation)).all() == []


# --- executed once -------------------------------------------------------------------------


@pytest.fixture
def registered_member(
    runtime: Runtime, standin: SlackStandIn, import_programme_text: ImportText
) -> str:
    import_programme_text(PROGRAMME)
    with runtime.unit_of_work(write=True) as db:
        org = make.add_organisation(db, "Aarhus Kommune")
        make.add_member(db, MEMBER, now=runtime.clock.now(), organisation=org)
    standin.add_user(MEMBER, locale="en-GB")
    return MEMBER


def status_of(runtime: Runtime) -> list[str]:
    with runtime.unit_of_work() as db:
        return list(db.scalars(select(Registration.status)))


def replays_refused() -> float:
    """The /metrics counter of replays acknowledged and not run, all kinds together."""
    return sum(
        sample.value
        for metric in PROCESS.registry.collect()
        if metric.name == "sdgbot_replays_refused"
        for sample in metric.samples
        if sample.name.endswith("_total")
    )


def test_a_replayed_slash_command_changes_nothing(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn, registered_member: str
) -> None:
    answer_of(slack.command(f"register {SESSION_KEY}", user_id=MEMBER), standin)
    captured = slack._last_sent
    answer_of(
        slack.block_action(ActionId.CANCEL_REGISTRATION, SESSION_KEY, user_id=MEMBER), standin
    )
    assert status_of(runtime) == ["cancelled"]
    replays = replays_refused()
    slack._last_sent = captured
    again = slack.replay()
    assert again.status == 200 and again.body == ""
    time.sleep(0.3)  # a lazy listener would have run by now
    assert status_of(runtime) == ["cancelled"]
    assert replays_refused() == replays + 1


def test_a_replayed_button_click_changes_nothing(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn, registered_member: str
) -> None:
    answer_of(slack.block_action(ActionId.REGISTER, SESSION_KEY, user_id=MEMBER), standin)
    click = slack._last_sent
    answer_of(
        slack.block_action(ActionId.CANCEL_REGISTRATION, SESSION_KEY, user_id=MEMBER), standin
    )
    posts = len(standin.calls_to("chat.postMessage")) + len(standin.response_posts())
    slack._last_sent = click
    assert slack.replay().status == 200
    time.sleep(0.3)
    assert status_of(runtime) == ["cancelled"]
    assert len(standin.calls_to("chat.postMessage")) + len(standin.response_posts()) == posts


def test_a_replayed_modal_submission_does_not_overwrite_a_newer_answer(
    runtime: Runtime, slack: SignedSlackClient, feedback_world: None
) -> None:
    first = slack.view_submission(
        CallbackId.FEEDBACK, feedback_values("2"), user_id="U0ANNA", private_metadata=FEEDBACK_KEY
    )
    assert first.json["response_action"] == "update"
    captured = slack._last_sent
    newer = slack.view_submission(
        CallbackId.FEEDBACK, feedback_values("5"), user_id="U0ANNA", private_metadata=FEEDBACK_KEY
    )
    assert newer.json["response_action"] == "update"
    slack._last_sent = captured
    replayed = slack.replay()
    assert replayed.status == 200 and replayed.body == ""
    with runtime.unit_of_work() as db:
        assert list(db.scalars(select(FeedbackResponse.rating))) == [5]


def test_an_events_api_retry_runs_the_listener_once(
    slack: SignedSlackClient, standin: SlackStandIn, registered_member: str
) -> None:
    home = {"type": "app_home_opened", "user": MEMBER, "tab": "home", "channel": "D1"}
    assert slack.event(home, event_id="Ev0RETRY01").status == 200
    standin.wait_for("views.publish")
    retried = slack.event(home, event_id="Ev0RETRY01", retry_num=1)
    assert retried.status == 200 and retried.body == ""
    time.sleep(0.5)
    assert len(standin.calls_to("views.publish")) == 1
    # A new event is a new request.
    assert slack.event(home, event_id="Ev0RETRY02").status == 200
    standin.wait_for("views.publish", 2)


def test_a_double_click_is_two_requests(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn, registered_member: str
) -> None:
    first = slack.block_action(ActionId.REGISTER, SESSION_KEY, user_id=MEMBER)
    second = slack.block_action(ActionId.REGISTER, SESSION_KEY, user_id=MEMBER)
    assert (first.status, second.status) == (200, 200)
    texts = [text_of(answer_of(r, standin)) for r in (first, second)]
    assert all("registered" in t for t in texts), texts
    assert status_of(runtime) == ["confirmed"]


def test_a_command_with_the_word_payload_reaches_its_listener(
    slack: SignedSlackClient, standin: SlackStandIn, registered_member: str
) -> None:
    # bolt read any form body containing "payload" as an interactive payload.
    result = slack.command("show payload-workshop", user_id=MEMBER)
    assert result.status == 200
    assert "payload-workshop" in text_of(answer_of(result, standin))


def test_the_same_organisation_search_twice_is_answered_twice(
    slack: SignedSlackClient, registered_member: str
) -> None:
    first = slack.block_suggestion(ActionId.ORGANISATION_SELECT, "Aarh", user_id=MEMBER)
    again = slack.replay()
    assert first.status == again.status == 200
    assert first.json["options"] and again.json == first.json
