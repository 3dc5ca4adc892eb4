"""Send correctly signed, realistic Slack requests to a running bot over real HTTP.

Example::

    client = SignedSlackClient("http://127.0.0.1:3000", "secret", standin=slack)
    result = client.command("help")
    assert result.status == 200
    slack.response_posts(result.response_url)

Payload shapes follow what Slack actually sends, so slack_bolt accepts them.
"""

from __future__ import annotations

import hashlib
import hmac
import json as _json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bot.sandbox.slack_standin import SlackStandIn

__all__ = ["HttpResult", "SignedSlackClient", "sign"]

APP_ID = "A0001"
LEGACY_TOKEN = "legacy-token"
BOT_USER_ID = "UBOT"
DUMMY_RESPONSE_URL = "http://127.0.0.1:9/respond/dummy"  # port 9 (discard): fails fast, locally


def sign(secret: str, timestamp: int | str, body: str | bytes) -> str:
    """Slack's v0 request signature: ``v0=`` + HMAC-SHA256(secret, ``v0:{ts}:{body}``)."""
    body_bytes = body.encode("utf-8") if isinstance(body, str) else body
    base = f"v0:{timestamp}:".encode() + body_bytes
    digest = hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return f"v0={digest}"


@dataclass
class HttpResult:
    """What the bot answered."""

    status: int
    body: str
    headers: dict[str, str]
    elapsed: float
    response_url: str | None = None
    request_body: str = field(default="", repr=False)

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is empty or not JSON."""
        if not self.body.strip():
            return None
        try:
            return _json.loads(self.body)
        except ValueError:
            return None


class SignedSlackClient:
    """Builds Slack-shaped payloads, signs them and POSTs them to the bot."""

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        team_id: str = "T0001",
        standin: SlackStandIn | None = None,
        timeout: float = 10.0,
        path: str = "/slack/events",
        team_domain: str = "sdg-sandbox",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url + path
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.team_domain = team_domain
        self.standin = standin
        self.timeout = timeout
        # never route 127.0.0.1 through an environment proxy
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._last_sent: tuple[bytes, dict[str, str], str] | None = None
        self.sent: list[bytes] = []  # every body, for the log scan in tests/conftest.py

    # ------------------------------------------------------------------ helpers

    def signed_headers(
        self, body: str, timestamp: int | None = None, secret: str | None = None
    ) -> dict[str, str]:
        """``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` for ``body``."""
        ts = int(time.time()) if timestamp is None else timestamp
        return {
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": sign(secret or self.signing_secret, ts, body),
        }

    def new_response_url(self) -> str:
        return self.standin.response_url() if self.standin is not None else DUMMY_RESPONSE_URL

    @staticmethod
    def new_trigger_id() -> str:
        now = time.time()
        return f"{int(now)}.{int(now * 1000) % 1000:03d}.{uuid.uuid4().hex}"

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": self.team_domain}

    def _user(self, user_id: str, user_name: str = "") -> dict[str, Any]:
        name = user_name or user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _view(self, view: dict[str, Any] | None) -> dict[str, Any]:
        base: dict[str, Any] = {
            "id": "V1",
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "hash": "h1",
            "title": {"type": "plain_text", "text": "sdgbot"},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": None,
            "root_view_id": "V1",
            "app_id": APP_ID,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": "BBOT",
        }
        if view:
            base.update(view)
            base.setdefault("root_view_id", base["id"])
        return base

    def _post_payload(self, payload: dict[str, Any], response_url: str | None) -> HttpResult:
        body = urlencode({"payload": _json.dumps(payload)})
        result = self._post(body, "application/x-www-form-urlencoded")
        result.response_url = response_url
        return result

    def _post(
        self, body: str, content_type: str, extra_headers: dict[str, str] | None = None
    ) -> HttpResult:
        headers = {"Content-Type": content_type, **self.signed_headers(body)}
        if extra_headers:
            headers.update(extra_headers)
        return self.raw(body, headers)

    # ------------------------------------------------------------------ requests

    def raw(
        self, body: bytes | str, headers: dict[str, str], *, path: str | None = None
    ) -> HttpResult:
        """POST ``body`` with exactly ``headers`` (no signing) - for forged requests."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        url = self.url if path is None else self.base_url + path
        self._last_sent = (data, dict(headers), url)
        self.sent.append(data)
        request = urllib.request.Request(url, data=data, headers=dict(headers), method="POST")
        started = time.monotonic()
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
                resp_headers = dict(response.headers.items())
                payload = response.read()
        except urllib.error.HTTPError as error:
            status = error.code
            resp_headers = dict(error.headers.items()) if error.headers else {}
            payload = error.read()
        return HttpResult(
            status=status,
            body=payload.decode("utf-8", "replace"),
            headers=resp_headers,
            elapsed=time.monotonic() - started,
            request_body=data.decode("utf-8", "replace"),
        )

    def replay(self, extra_headers: dict[str, str] | None = None) -> HttpResult:
        """Send the last request again, byte for byte (as a replaying attacker would)."""
        assert self._last_sent is not None, "nothing sent yet"
        data, headers, url = self._last_sent
        return self.raw(data, {**headers, **(extra_headers or {})}, path=url[len(self.base_url) :])

    def command(
        self,
        text: str,
        *,
        user_id: str = "U0001",
        user_name: str = "",
        command: str = "/sdg",
        channel_id: str = "C0001",
        trigger_id: str | None = None,
        channel_name: str = "general",
    ) -> HttpResult:
        """A slash command, form-encoded like Slack sends it."""
        response_url = self.new_response_url()
        form = {
            "token": LEGACY_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": "directmessage" if channel_id.startswith("D") else channel_name,
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or self.new_trigger_id(),
        }
        result = self._post(urlencode(form), "application/x-www-form-urlencoded")
        result.response_url = response_url
        return result

    def block_action(
        self,
        action_id: str,
        value: str = "",
        *,
        user_id: str = "U0001",
        block_id: str = "b",
        view: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        action: dict[str, Any] | None = None,
        channel_id: str = "C0001",
        trigger_id: str | None = None,
    ) -> HttpResult:
        """A ``block_actions`` interactivity payload (a button click unless ``action`` given).

        ``action`` replaces the whole action dict (e.g. a static_select with
        ``selected_option``); ``action_id``/``value``/``block_id`` are then ignored.

        With ``view`` the action comes from a modal/App Home (no response_url, like Slack);
        otherwise from a message in ``channel_id`` with a fresh response_url.
        """
        act = (
            dict(action)
            if action is not None
            else {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": action_id, "emoji": True},
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        )
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user_id),
            "api_app_id": APP_ID,
            "token": LEGACY_TOKEN,
            "trigger_id": trigger_id or self.new_trigger_id(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [act],
        }
        response_url: str | None = None
        if view is not None:
            full_view = self._view(view)
            payload["view"] = full_view
            payload["container"] = container or {"type": "view", "view_id": full_view["id"]}
            payload["state"] = full_view.get("state", {"values": {}})
        else:
            msg = message or {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": "BBOT",
                "ts": "1700000000.000100",
                "text": "",
                "blocks": [],
            }
            ts = str(msg.get("ts", "1700000000.000100"))
            response_url = self.new_response_url()
            payload["container"] = container or {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel_id, "name": "general"}
            payload["message"] = msg
            payload["state"] = {"values": {}}
            payload["response_url"] = response_url
        return self._post_payload(payload, response_url)

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, Any],
        *,
        user_id: str = "U0001",
        private_metadata: str = "",
        view_id: str = "V1",
        hash: str = "h1",
        view: dict[str, Any] | None = None,
        trigger_id: str | None = None,
    ) -> HttpResult:
        """A ``view_submission`` payload; ``values`` becomes ``view.state.values``.

        ``view`` optionally overrides other view fields (blocks, title, ...).
        """
        full_view = self._view(
            {
                **(view or {}),
                "id": view_id,
                "hash": hash,
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "state": {"values": values},
                "root_view_id": (view or {}).get("root_view_id", view_id),
                "submit": (view or {}).get("submit") or {"type": "plain_text", "text": "Submit"},
            }
        )
        payload: dict[str, Any] = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": APP_ID,
            "token": LEGACY_TOKEN,
            "trigger_id": trigger_id or self.new_trigger_id(),
            "view": full_view,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._post_payload(payload, None)

    def block_suggestion(
        self,
        action_id: str,
        value: str,
        *,
        user_id: str = "U0001",
        block_id: str = "b",
        view: dict[str, Any] | None = None,
    ) -> HttpResult:
        """An external-select options request (``block_suggestion``) from a modal."""
        full_view = self._view(view)
        payload: dict[str, Any] = {
            "type": "block_suggestion",
            "user": self._user(user_id),
            "container": {"type": "view", "view_id": full_view["id"]},
            "api_app_id": APP_ID,
            "token": LEGACY_TOKEN,
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "view": full_view,
        }
        return self._post_payload(payload, None)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> HttpResult:
        """An Events API ``event_callback`` (JSON body).

        ``retry_num`` adds Slack's redelivery headers (X-Slack-Retry-Num/-Reason).
        """
        now = time.time()
        inner = {"event_ts": f"{now:.6f}", **event}
        body = {
            "token": LEGACY_TOKEN,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "api_app_id": APP_ID,
            "event": inner,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{uuid.uuid4().hex}",
        }
        extra: dict[str, str] = {}
        if retry_num is not None:
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self._post(_json.dumps(body), "application/json", extra)

    def url_verification(self, challenge: str) -> HttpResult:
        body = {"token": LEGACY_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self._post(_json.dumps(body), "application/json")
