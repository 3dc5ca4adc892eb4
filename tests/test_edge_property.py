"""Property: whatever shape a payload or a header has, the bot never answers 5xx.

Hypothesis mutates realistic signed payloads (a button click, the feedback
and session modals, an organisation search, an App Home event, a slash
command) at a random place into random JSON, and varies the signature
headers, against the real HTTP app.  Examples are few (``make test`` runs on
two cores); the deterministic cases are in test_edge_hostile.py.
"""

from __future__ import annotations

import copy
import json
import os
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ids import ActionId, BlockId, CallbackId
from tests.conftest import ImportText
from tests.support.signed_client import SignedSlackClient, sign
from tests.test_edge_hostile import PROGRAMME, SESSION_KEY
from tests.test_edge_hostile import feedback_values as feedback_state
from tests.test_manage_e2e import form as session_state

FORM = "application/x-www-form-urlencoded"
SLACK_KEYS = [
    "type", "user", "id", "team", "actions", "action_id", "value", "view", "state", "values",
    "selected_option", "selected_options", "private_metadata", "callback_id", "event",
    "event_id", "response_url", "trigger_id", "container", "block_id",
]  # fmt: skip
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("SDGBOT_PROPERTY_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["²", "³", "o:²", "o:" + "9" * 25, "1" * 26, "", "5", SESSION_KEY]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(SLACK_KEYS) | st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)


def _user() -> dict[str, Any]:
    return {"id": "U0PROP", "username": "p", "name": "p", "team_id": "T0001"}


def _view(callback_id: str, values: dict[str, Any], metadata: str = "") -> dict[str, Any]:
    return {
        "id": "V1",
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "state": {"values": values},
        "hash": "h",
        "blocks": [],
    }


def templates() -> list[tuple[str, dict[str, Any]]]:
    team = {"id": "T0001", "domain": "sdg"}
    base = {"user": _user(), "team": team, "api_app_id": "A0001", "trigger_id": "1.2.x"}
    return [
        (
            "payload",
            {
                **base,
                "type": "block_actions",
                "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1"},
                "channel": {"id": "C1"},
                "response_url": "http://127.0.0.1:9/respond/x",
                "actions": [
                    {"type": "button", "action_id": ActionId.REGISTER, "value": SESSION_KEY}
                ],
            },
        ),
        (
            "payload",
            {
                **base,
                "type": "view_submission",
                "view": _view(CallbackId.FEEDBACK, feedback_state("4", ("13",)), SESSION_KEY),
            },
        ),
        (
            "payload",
            {
                **base,
                "type": "view_submission",
                "view": _view(CallbackId.SESSION_FORM, session_state()),
            },
        ),
        (
            "payload",
            {
                **base,
                "type": "block_suggestion",
                "action_id": ActionId.ORGANISATION_SELECT,
                "block_id": BlockId.PROFILE_ORGANISATION,
                "value": "Aar",
                "view": _view(CallbackId.PROFILE, {}),
            },
        ),
        (
            "json",
            {
                "type": "event_callback",
                "team_id": "T0001",
                "event_id": "Ev0PROP",
                "event": {"type": "app_home_opened", "user": "U0PROP", "tab": "home"},
            },
        ),
        (
            "command",
            {
                "command": "/sdg",
                "text": f"register {SESSION_KEY}",
                "user_id": "U0PROP",
                "team_id": "T0001",
                "response_url": "http://127.0.0.1:9/respond/x",
                "trigger_id": "1.2.x",
            },
        ),
    ]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    *parents, last = path
    target = node
    for step in parents:
        target = target[step]
    target[last] = value
    return node


def _encode(kind: str, document: Any) -> tuple[bytes, str]:
    if kind == "payload":
        return urlencode({"payload": json.dumps(document)}).encode(), FORM
    if kind == "json":
        if isinstance(document, dict) and document.get("type") == "event_callback":
            document["event_id"] = f"Ev{time.monotonic_ns()}"  # each example a new event
        return json.dumps(document).encode(), "application/json"
    form = document if isinstance(document, dict) else {"command": document}
    return urlencode(
        {str(k): json.dumps(v) if not isinstance(v, str) else v for k, v in form.items()}
    ).encode(), FORM


# The bot's own threads (lazy listeners, the Web API client's retry jitter) use
# `random` while Hypothesis draws; that is not the strategies' doing.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")


@pytest.fixture
def world(import_programme_text: ImportText) -> None:
    import_programme_text(PROGRAMME)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_mutated_signed_payloads_never_get_a_server_error(
    slack: SignedSlackClient, world: None, data: st.DataObject
) -> None:
    kind, template = data.draw(st.sampled_from(templates()), label="template")
    document = copy.deepcopy(template)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = _paths(document)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        document = _replace(document, path, data.draw(json_values, label="value"))
    body, content_type = _encode(kind, document)
    ts = int(time.time())
    result = slack.raw(
        body,
        {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": sign(slack.signing_secret, ts, body),
        },
    )
    assert result.status < 500, (result.status, body[:300])


header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)


@PROPERTY_SETTINGS
@given(
    timestamp=st.one_of(
        st.none(),
        header_text,
        st.integers(-(10**20), 10**20).map(str),
        st.floats(allow_nan=True).map(str),
        st.just("now"),
    ),
    signature=st.one_of(st.none(), header_text, st.just("valid")),
    content_type=st.sampled_from([FORM, "application/json", "text/plain", ""]),
    body=st.binary(max_size=200) | st.just(b"command=%2Fsdg&text=help&user_id=U1&team_id=T0001"),
)
def test_any_header_values_never_get_a_server_error(
    slack: SignedSlackClient,
    timestamp: str | None,
    signature: str | None,
    content_type: str,
    body: bytes,
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    if timestamp == "now":
        timestamp = str(int(time.time()))
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = timestamp
    if signature == "valid" and timestamp is not None and timestamp.isascii():
        signature = sign(slack.signing_secret, timestamp, body)
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    result = slack.raw(body, headers)
    assert result.status < 500, (result.status, headers, body[:100])
    if "X-Slack-Request-Timestamp" not in headers or "X-Slack-Signature" not in headers:
        assert result.status == 401
