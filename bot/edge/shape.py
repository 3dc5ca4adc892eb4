"""Is a signed body shaped like something Slack sends?  Checked before bolt parses it.

bolt and the listeners read payloads with ``body["actions"][0]``,
``view["state"]["values"]`` and the like; a body Slack would never send made
them raise, and the member saw nothing while the server answered 500.  Here a
body is parsed the way bolt parses it (JSON, or a form with a ``payload``
field, or a plain form) and the parts the listeners rely on are checked for
type, so everything past the edge may assume Slack's shapes.  Text fields are
also checked for what the databases refuse (NUL, lone surrogates).
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl


class NotSlackShaped(Exception):
    """Signed, but not a body Slack sends; ``reason`` is a fixed phrase for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RequestKind(enum.StrEnum):
    COMMAND = "command"
    INTERACTIVE = "interactive"
    EVENT = "event"
    URL_VERIFICATION = "url_verification"
    SSL_CHECK = "ssl_check"


@dataclass(frozen=True)
class SlackShape:
    """What the edge needs to know about a request that passed the checks."""

    kind: RequestKind
    # The interactive payload's type, the event's type, or the slash command.
    name: str
    # The Events API's own id for an event (the same on every retry).
    event_id: str | None = None

    @property
    def executes(self) -> bool:
        """Whether running it twice could change something (so it is remembered)."""
        return self.kind in (RequestKind.COMMAND, RequestKind.INTERACTIVE, RequestKind.EVENT)


INTERACTIVE_TYPES = frozenset(
    {
        "block_actions",
        "view_submission",
        "view_closed",
        "block_suggestion",
        "shortcut",
        "message_action",
    }
)
# Events whose listeners act for a member.
EVENTS_WITH_A_USER = frozenset({"app_home_opened", "app_mention"})
# Slack's ids: users, teams, channels, views, apps.  Columns hold 32 characters.
_SLACK_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_EVENT_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
MAX_DEPTH = 32

# Block Kit state values: the keys the listeners read, and the type each must have.
_OPTIONAL_TEXT = (str, type(None))
_STATE_SCALARS: dict[str, tuple[type, ...]] = {
    "type": (str,),
    "value": _OPTIONAL_TEXT,
    "selected_date": _OPTIONAL_TEXT,
    "selected_time": _OPTIONAL_TEXT,
    "selected_user": _OPTIONAL_TEXT,
    "selected_channel": _OPTIONAL_TEXT,
    "selected_conversation": _OPTIONAL_TEXT,
    "action_id": (str,),
    "block_id": (str,),
}
_STATE_ID_LISTS = ("selected_users", "selected_channels", "selected_conversations")


def read_shape(body: bytes, content_type: str | None) -> SlackShape:
    """Check *body* (already verified as Slack's) and say what it is."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotSlackShaped("body is not UTF-8") from exc
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    # bolt's rule (slack_bolt.request.internals.parse_body): JSON when declared
    # so or when the body starts with "{"; otherwise a form.
    if media_type == "application/json" or text.startswith("{"):
        return _read_json_body(_json(text))
    form = _form(text)
    if "payload" in form:
        return _read_interactive(_json(form["payload"]))
    if "command" in form:
        return _read_command(form)
    if form.get("ssl_check") == "1":
        return SlackShape(RequestKind.SSL_CHECK, "ssl_check")
    raise NotSlackShaped("form body is neither a command nor a payload")


# --- parsing --------------------------------------------------------------------------


def _json(text: str) -> Any:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise NotSlackShaped("not JSON") from exc
    _check_texts(value)
    return value


def _form(text: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotSlackShaped("not a form") from exc
    form = dict(pairs)
    if len(form) != len(pairs):
        raise NotSlackShaped("a form field is repeated")
    for value in form.values():
        _check_text(value)
    return form


def _check_text(value: str) -> None:
    # Neither database stores these: PostgreSQL refuses NUL in text, and a lone
    # surrogate cannot be written as UTF-8.
    if "\x00" in value:
        raise NotSlackShaped("text holds NUL")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NotSlackShaped("text is not encodable") from exc


def _check_texts(value: Any) -> None:
    """Every string in a JSON document, keys included; also bounds the nesting."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise NotSlackShaped("nested too deeply")
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict):
            for key, inner in item.items():
                _check_text(key)
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)


# --- checks ---------------------------------------------------------------------------


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise NotSlackShaped(f"{what} is not an object")
    return value


def _text(container: Mapping[str, Any], key: str, what: str, *, optional: bool = False) -> str:
    value = container.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise NotSlackShaped(f"{what} is not text")
    return value


def _slack_id(container: Mapping[str, Any], key: str, what: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not _SLACK_ID.fullmatch(value):
        raise NotSlackShaped(f"{what} is not a Slack id")
    return value


def _optional_object(container: Mapping[str, Any], key: str, what: str) -> dict[str, Any] | None:
    value = container.get(key)
    return None if value is None else _object(value, what)


def _read_command(form: dict[str, str]) -> SlackShape:
    command = form["command"]
    if not command.startswith("/"):
        raise NotSlackShaped("command does not start with /")
    _slack_id(form, "user_id", "command user")
    _slack_id(form, "team_id", "command team")
    for key in ("text", "response_url", "trigger_id", "channel_id"):
        _text(form, key, f"command {key}", optional=True)
    return SlackShape(RequestKind.COMMAND, command)


def _read_json_body(body: Any) -> SlackShape:
    body = _object(body, "body")
    kind = body.get("type")
    if kind == "url_verification":
        _text(body, "challenge", "challenge")
        return SlackShape(RequestKind.URL_VERIFICATION, "url_verification")
    if kind == "app_rate_limited":
        return SlackShape(RequestKind.EVENT, "app_rate_limited")
    if kind != "event_callback":
        raise NotSlackShaped("unknown JSON body type")
    event_id = body.get("event_id")
    if not isinstance(event_id, str) or not _EVENT_ID.fullmatch(event_id):
        raise NotSlackShaped("event_id is not an id")
    _slack_id(body, "team_id", "event team")
    event = _object(body.get("event"), "event")
    event_type = _text(event, "type", "event type")
    if event_type in EVENTS_WITH_A_USER:
        _slack_id(event, "user", "event user")
    elif "user" in event and not isinstance(event["user"], (str, dict)):
        raise NotSlackShaped("event user is neither an id nor an object")
    return SlackShape(RequestKind.EVENT, event_type, event_id=event_id)


def _read_interactive(payload: Any) -> SlackShape:
    payload = _object(payload, "payload")
    kind = payload.get("type")
    if not isinstance(kind, str) or kind not in INTERACTIVE_TYPES:
        raise NotSlackShaped("unknown payload type")
    user = _object(payload.get("user"), "payload user")
    _slack_id(user, "id", "payload user")
    team = _optional_object(payload, "team", "payload team")
    if team is not None:
        _slack_id(team, "id", "payload team")
    for key in ("trigger_id", "response_url"):
        _text(payload, key, key, optional=True)
    for key in ("container", "channel", "message"):
        _optional_object(payload, key, key)
    view = _optional_object(payload, "view", "view")
    if view is not None:
        _check_view(view)
    state = _optional_object(payload, "state", "state")
    if state is not None:
        _check_state(state)
    if kind == "block_actions":
        _check_actions(payload.get("actions"))
    elif kind in ("view_submission", "view_closed"):
        if view is None:
            raise NotSlackShaped("view is missing")
    elif kind == "block_suggestion":
        _text(payload, "action_id", "action_id")
        _text(payload, "value", "suggestion value")
        _text(payload, "block_id", "block_id", optional=True)
    else:  # shortcuts
        _text(payload, "callback_id", "callback_id")
    return SlackShape(RequestKind.INTERACTIVE, kind)


def _check_actions(actions: Any) -> None:
    if not isinstance(actions, list) or not actions:
        raise NotSlackShaped("actions is not a non-empty list")
    for action in actions:
        action = _object(action, "action")
        if not _text(action, "action_id", "action_id"):
            raise NotSlackShaped("action_id is empty")
        _check_state_value(action)


def _check_view(view: dict[str, Any]) -> None:
    _text(view, "id", "view id", optional=True)
    for key in ("callback_id", "private_metadata", "type", "hash", "external_id"):
        _text(view, key, f"view {key}", optional=True)
    state = _optional_object(view, "state", "view state")
    if state is not None:
        _check_state(state)


def _check_state(state: dict[str, Any]) -> None:
    values = state.get("values", {})
    blocks = _object(values, "state values")
    for block in blocks.values():
        for value in _object(block, "state block").values():
            _check_state_value(_object(value, "state value"))


def _options(value: Any, what: str) -> Iterator[dict[str, Any]]:
    if not isinstance(value, list):
        raise NotSlackShaped(f"{what} is not a list")
    for option in value:
        yield _object(option, what)


def _check_option(option: dict[str, Any]) -> None:
    _text(option, "value", "option value")


def _check_state_value(value: dict[str, Any]) -> None:
    """An input's state, or a clicked action: the fields listeners read have Slack's types."""
    for key, types in _STATE_SCALARS.items():
        if key in value and not isinstance(value[key], types):
            raise NotSlackShaped(f"{key} has the wrong type")
    selected = value.get("selected_option")
    if selected is not None:
        _check_option(_object(selected, "selected_option"))
    if value.get("selected_options") is not None:
        for option in _options(value["selected_options"], "selected_options"):
            _check_option(option)
    for key in _STATE_ID_LISTS:
        ids = value.get(key)
        if ids is not None and (
            not isinstance(ids, list) or not all(isinstance(i, str) for i in ids)
        ):
            raise NotSlackShaped(f"{key} is not a list of ids")
    date_time = value.get("selected_date_time")
    if date_time is not None and (isinstance(date_time, bool) or not isinstance(date_time, int)):
        raise NotSlackShaped("selected_date_time is not a number")
