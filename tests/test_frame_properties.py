"""Properties of the frame's typed parsing: whatever shape a payload has, reading it
gives a request or 'I could not read that', never another exception."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_bolt import BoltContext

from bot.app import build_app
from bot.errors import UnreadableRequest
from bot.runtime import Runtime
from handlers import register_listeners
from handlers.frame import Frame, ModalState

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
KEYS = st.sampled_from(
    [
        "type",
        "command",
        "team_id",
        "user_id",
        "text",
        "response_url",
        "trigger_id",
        "channel_id",
        "team",
        "user",
        "view",
        "actions",
        "container",
        "channel",
        "event",
        "value",
        "action_id",
    ]
)
TYPES = st.sampled_from(
    ["block_actions", "view_submission", "block_suggestion", "event_callback", None, 7]
)


def bodies() -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda kind, rest: {**rest, "type": kind} if kind is not None else rest,
        TYPES,
        st.dictionaries(KEYS, JSON, max_size=8),
    )


@pytest.fixture
def frame(runtime: Runtime) -> Frame:
    return Frame(build_app(runtime, register_listeners), runtime)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies())
def test_reading_any_payload_gives_a_request_or_unreadable(
    frame: Frame, body: dict[str, Any]
) -> None:
    req, problem = frame.read_request(body, BoltContext())
    assert problem is None or isinstance(problem, UnreadableRequest), repr(problem)
    for text in (req.user_id, req.team, req.text, req.value, req.action_id, req.private_metadata):
        assert isinstance(text, str)
    assert isinstance(req.surface.response_url, str) and isinstance(req.surface.view_id, str)


@settings(max_examples=300, deadline=None)
@given(values=JSON, block=st.text(max_size=5), action=st.text(max_size=5))
def test_modal_state_reads_typed_values_or_says_unreadable(
    values: Any, block: str, action: str
) -> None:
    state = ModalState(values if isinstance(values, dict) else {"b": {"a": values}})
    for read in (state.text, state.selected, state.selected_values):
        for where in ((block, action), ("b", "a")):
            try:
                got = read(*where)
            except UnreadableRequest:
                continue
            assert got is None or isinstance(got, str | list)
