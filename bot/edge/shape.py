"""Is a signed body shaped like something Slack sends?  Checked before bolt parses it.

A body is parsed the way bolt parses it (JSON, or a form with a ``payload``
field, or a plain form) and what bolt needs to route it and the frame needs
to answer at all is checked: a JSON object of a known type, from a user with
a Slack id, with a non-empty list of actions or a view where its type has
them.  Bodies that fail get 400.  Fields inside (an action's value, a
modal's state) are the frame's to read: a wrong type there is answered
privately, "I could not read that", where the member sees it
(handlers/frame.py).  Every text is also checked for what the databases
refuse (NUL, lone surrogates), and nesting is bounded.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
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
        """Whether running it twice could change something (so it is remembered).

        An options request only reads; two of them can be byte for byte the same
        when a member types the same letters twice within a second.
        """
        if self.kind is RequestKind.INTERACTIVE:
            return self.name != "block_suggestion"
        return self.kind in (RequestKind.COMMAND, RequestKind.EVENT)


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
# Slack's ids: users, teams, channels, views, apps.  Columns hold 32 characters.
_SLACK_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_EVENT_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
MAX_DEPTH = 32


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
    return SlackShape(RequestKind.EVENT, event_type, event_id=event_id)


def _read_interactive(payload: Any) -> SlackShape:
    payload = _object(payload, "payload")
    kind = payload.get("type")
    if not isinstance(kind, str) or kind not in INTERACTIVE_TYPES:
        raise NotSlackShaped("unknown payload type")
    user = _object(payload.get("user"), "payload user")
    _slack_id(user, "id", "payload user")
    view = _optional_object(payload, "view", "view")
    if kind == "block_actions":
        _check_actions(payload.get("actions"))
    elif kind in ("view_submission", "view_closed"):
        if view is None:
            raise NotSlackShaped("view is missing")
        _text(view, "callback_id", "view callback_id")  # what bolt routes on
    elif kind == "block_suggestion":
        _text(payload, "action_id", "action_id")  # what bolt routes on
    else:  # shortcuts
        _text(payload, "callback_id", "callback_id")
    return SlackShape(RequestKind.INTERACTIVE, kind)


def _check_actions(actions: Any) -> None:
    # bolt routes on the first action's id; without one there is nothing to answer.
    if not isinstance(actions, list) or not actions:
        raise NotSlackShaped("actions is not a non-empty list")
    for action in actions:
        if not _text(_object(action, "action"), "action_id", "action_id"):
            raise NotSlackShaped("action_id is empty")
