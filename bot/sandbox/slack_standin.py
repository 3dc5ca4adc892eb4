"""A local stand-in for the Slack Web API.

``SlackStandIn`` is a tiny HTTP server (standard library only) that answers the Slack
Web API methods sdgbot uses, records every call, validates Block Kit limits the way
Slack does (``bot/sandbox/block_kit.py``).  The HTTP plumbing is in
``bot/sandbox/http_server.py``; the tests' subclass that injects faults (rate limits,
5xx, API errors, latency) is ``tests/support/faulty_standin.py``.

It is used in-process by the console sandbox and by the test-suite::

    with SlackStandIn() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        client.chat_postMessage(channel="C1", text="hi")
        assert slack.calls_to("chat.postMessage")[0].args["text"] == "hi"

Endpoints served (all on 127.0.0.1 by default):

* ``/api/<method>``       Web API methods (JSON, form-encoded, multipart or query args)
* ``/respond/<id>``       ``response_url`` targets handed out by :meth:`SlackStandIn.response_url`
* ``/upload/<file_id>``   upload URLs handed out by ``files.getUploadURLExternal``
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.sandbox.block_kit import validate_message_blocks, validate_view
from bot.sandbox.http_server import (
    HttpReply,
    StandInServer,
    decode_json_strings,
    parse_args,
    parse_multipart,
)

__all__ = [
    "BOT_ID",
    "BOT_USER_ID",
    "RESPONSE_URL_METHOD",
    "TEAM_ID",
    "UPLOAD_METHOD",
    "RecordedCall",
    "SlackStandIn",
    "validate_message_blocks",
    "validate_view",
]

TEAM_ID = "T0001"
TEAM_NAME = "SDG sandbox"
TEAM_DOMAIN = "sdg-sandbox"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
APP_ID = "A0001"

#: pseudo method name under which ``response_url`` posts are recorded
RESPONSE_URL_METHOD = "response_url"
#: pseudo method name under which raw bytes posted to an upload URL are recorded
UPLOAD_METHOD = "file_upload"

_MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update"})
_VIEW_METHODS = frozenset({"views.open", "views.push", "views.update", "views.publish"})

_TZ_LABELS = {
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "WET": "Western European Time",
    "WEST": "Western European Summer Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "UTC": "Coordinated Universal Time",
    "IST": "Irish Standard Time",
}


# --------------------------------------------------------------------------------------
# Recorded calls and fault configuration
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedCall:
    """One request the stand-in received.

    ``response`` is the JSON the stand-in answered with (for injected HTTP faults a
    synthetic ``{"ok": False, "error": ...}``); ``status`` is the HTTP status it sent.
    """

    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    response: dict[str, Any]
    status: int = 200


@dataclass
class _User:
    user_id: str
    tz: str
    locale: str
    real_name: str
    display_name: str
    team_id: str
    email: str


# --------------------------------------------------------------------------------------
# The stand-in
# --------------------------------------------------------------------------------------


class SlackStandIn:
    """A local, recording stand-in for the Slack Web API.

    Faults (rate limits, 5xx, latency) are injected by the tests' subclass,
    ``tests/support/faulty_standin.py``.
    """

    #: how many times one response_url may be used (Slack: 5 times within 30 minutes)
    response_url_max_uses = 5

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._requested_port = port
        self._server: StandInServer | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()

        self.calls: list[RecordedCall] = []
        self.violations: list[str] = []
        self.uploaded_files: dict[str, bytes] = {}

        self._users: dict[str, _User] = {}
        self._usergroups: dict[str, list[str]] = {}
        self._oauth_grants: dict[str, dict[str, str]] = {}
        self._pending_files: dict[str, dict[str, Any]] = {}
        self._completions: list[tuple[list[str], dict[str, Any]]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._response_url_uses: dict[str, int] = {}
        self._ts_counter = 0
        self._id_counter = 0

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> SlackStandIn:
        """Bind the port and serve from a daemon thread. Returns ``self``."""
        if self._server is not None:
            return self
        server = StandInServer((self.host, self._requested_port), self._handle)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"slack-standin-{server.server_address[1]}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("SlackStandIn is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` (no trailing slash)."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        """Base URL for ``slack_sdk.WebClient(base_url=...)`` (ends with ``/api/``)."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "") -> str:
        """A fresh, unique response_url; posts to it are recorded as ``response_url`` calls."""
        url_id = uuid.uuid4().hex
        if name:
            url_id = f"{quote(name, safe='')}-{url_id}"
        return f"{self.base_url}/respond/{url_id}"

    # ---------------------------------------------------------------- fixtures

    def add_user(
        self,
        user_id: str,
        *,
        tz: str = "Europe/Copenhagen",
        locale: str = "da-DK",
        real_name: str = "",
        display_name: str = "",
        team_id: str = TEAM_ID,
        email: str = "",
    ) -> None:
        with self._cond:
            self._users[user_id] = _User(
                user_id, tz, locale, real_name, display_name, team_id, email
            )

    def grant_installation(
        self,
        team_id: str,
        *,
        team_name: str = "",
        bot_token: str = "",
        installer: str = "U0ADMIN",
        scope: str = "chat:write,commands,im:write,users:read,files:write,usergroups:read",
    ) -> str:
        """An OAuth code that ``oauth.v2.access`` exchanges once for *team_id*'s bot token.

        Slack hands such a code to the redirect URL after an admin approves
        the app; tests pass it to ``/slack/oauth_redirect`` themselves.
        """
        code = f"code-{team_id}-{uuid.uuid4().hex[:8]}"
        with self._cond:
            self._oauth_grants[code] = {
                "team_id": team_id,
                "team_name": team_name or team_id,
                "bot_token": bot_token or f"xoxb-{team_id.lower()}-{uuid.uuid4().hex[:8]}",
                "bot_user_id": f"UBOT{team_id}",
                "installer": installer,
                "scope": scope,
            }
        return code

    def add_usergroup(self, usergroup_id: str, user_ids: list[str]) -> None:
        with self._cond:
            self._usergroups[usergroup_id] = list(user_ids)

    # ---------------------------------------------------------------- inspection

    def calls_to(self, method: str) -> list[RecordedCall]:
        """Recorded calls to ``method`` (``"*"`` = all), oldest first."""
        with self._cond:
            return [c for c in self.calls if method == "*" or c.method == method]

    def response_posts(self, url: str | None = None) -> list[RecordedCall]:
        """Recorded response_url posts, optionally only those to ``url``."""
        calls = self.calls_to(RESPONSE_URL_METHOD)
        if url is None:
            return calls
        url_id = url.rstrip("/").rsplit("/", 1)[-1]
        return [c for c in calls if c.args.get("_url_id") == url_id]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[RecordedCall], bool] | None = None,
    ) -> list[RecordedCall]:
        """Block until at least ``count`` matching calls are recorded; return all matches.

        Raises ``AssertionError`` (with a summary of what *was* recorded) on timeout.
        """
        deadline = time.monotonic() + timeout

        def matching() -> list[RecordedCall]:
            return [
                c
                for c in self.calls
                if (method == "*" or c.method == method) and (predicate is None or predicate(c))
            ]

        with self._cond:
            while True:
                found = matching()
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            seen: dict[str, int] = {}
            for c in self.calls:
                seen[c.method] = seen.get(c.method, 0) + 1
            last = [f"{c.method} {c.args!r}"[:300] for c in self.calls[-5:]]
        what = f"{count} call(s) to {method!r}" + (" matching predicate" if predicate else "")
        raise AssertionError(
            f"timed out after {timeout}s waiting for {what}; got {len(found)}. "
            f"Recorded per method: {seen or 'nothing'}. Last calls: {last}"
        )

    def uploads(self) -> list[tuple[str, bytes, dict[str, Any]]]:
        """Completed uploads as ``(title, content, files.completeUploadExternal args)``."""
        with self._cond:
            out: list[tuple[str, bytes, dict[str, Any]]] = []
            for file_ids, complete_args in self._completions:
                titles = {
                    f.get("id"): f.get("title")
                    for f in complete_args.get("files", [])
                    if isinstance(f, dict)
                }
                for file_id in file_ids:
                    title = titles.get(file_id) or self._pending_files[file_id]["filename"]
                    out.append((str(title), self.uploaded_files.get(file_id, b""), complete_args))
            return out

    def clear(self) -> None:
        """Forget recorded calls, violations and uploads (fixtures and faults are kept)."""
        with self._cond:
            self.calls.clear()
            self.violations.clear()
            self.uploaded_files.clear()
            self._completions.clear()
            self._response_url_uses.clear()

    # ---------------------------------------------------------------- hooks for faults
    # Fault injection lives with the tests (tests/support/faulty_standin.py); the
    # sandbox's stand-in always answers.

    def _delay_for(self, method: str) -> float:
        """Seconds to wait before answering *method*."""
        return 0.0

    def _fault_for(self, method: str) -> tuple[HttpReply, dict[str, Any]] | None:
        """An injected failure for *method* (called with the lock held), or None."""
        return None

    # ---------------------------------------------------------------- request handling

    def _handle(self, raw_path: str, headers: dict[str, str], body: bytes) -> HttpReply:
        at = time.monotonic()
        parts = urlsplit(raw_path)
        path = parts.path
        if path.startswith("/api/"):
            method = path[len("/api/") :]
        elif path.startswith("/respond/"):
            method = RESPONSE_URL_METHOD
        elif path.startswith("/upload/"):
            method = UPLOAD_METHOD
        else:
            return HttpReply.text("not found", 404)

        delay = self._delay_for(method)
        if delay > 0:
            time.sleep(delay)

        content = b""
        if method == RESPONSE_URL_METHOD:
            args = self._response_url_args(body)
            args["_url_id"] = path[len("/respond/") :]
        elif method == UPLOAD_METHOD:
            file_id = path[len("/upload/") :]
            content = self._upload_content(headers, body)
            args = {"_file_id": file_id, "length": len(content)}
        else:
            args = parse_args(parts.query, headers, body)

        token: str | None = None
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            token = auth[len("bearer ") :].strip()
        elif isinstance(args.get("token"), str):
            token = args["token"]

        with self._cond:
            fault = self._fault_for(method)
            if fault is not None:
                reply, response = fault
            elif method == RESPONSE_URL_METHOD:
                reply, response = self._response_url(args)
            elif method == UPLOAD_METHOD:
                reply, response = self._upload(args["_file_id"], content)
            else:
                response = self._api(method, args)
                reply = HttpReply.json(response)
            self.calls.append(RecordedCall(method, args, token, at, response, reply.status))
            self._cond.notify_all()
        return reply

    def _violation(self, method: str, problems: list[str]) -> dict[str, Any]:
        self.violations.extend(f"{method}: {p}" for p in problems)
        return {
            "ok": False,
            "error": "invalid_blocks",
            "errors": problems,
            "response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]},
        }

    # ---------------------------------------------------------------- response_url

    @staticmethod
    def _response_url_args(body: bytes) -> dict[str, Any]:
        try:
            parsed = json.loads(body.decode("utf-8")) if body else {}
        except ValueError:
            return {"_raw_body": body.decode("utf-8", "replace")}
        return decode_json_strings(parsed) if isinstance(parsed, dict) else {"_body": parsed}

    def _response_url(self, args: dict[str, Any]) -> tuple[HttpReply, dict[str, Any]]:
        if "_raw_body" in args or "_body" in args:
            return HttpReply.text("invalid_payload", 400), {"ok": False, "error": "invalid_payload"}
        url_id = str(args["_url_id"])
        uses = self._response_url_uses.get(url_id, 0) + 1
        self._response_url_uses[url_id] = uses
        if uses > self.response_url_max_uses:
            return HttpReply.text("used_url", 404), {"ok": False, "error": "used_url"}
        problems = validate_message_blocks(args.get("blocks"), where="response_url")
        if problems:
            response = self._violation(RESPONSE_URL_METHOD, problems)
            return HttpReply.text("invalid_blocks", 400), response
        return HttpReply.text("ok"), {"ok": True}

    # ---------------------------------------------------------------- uploads

    @staticmethod
    def _upload_content(headers: dict[str, str], body: bytes) -> bytes:
        content_type = headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            parts = parse_multipart(content_type, body)
            for _name, filename, payload in parts:
                if filename is not None:
                    return payload
            for name, _filename, payload in parts:
                if name == "file":
                    return payload
        return body

    def _upload(self, file_id: str, content: bytes) -> tuple[HttpReply, dict[str, Any]]:
        if file_id not in self._pending_files:
            return HttpReply.text("file not found", 404), {"ok": False, "error": "file_not_found"}
        self.uploaded_files[file_id] = content
        return HttpReply.text(f"OK - {len(content)}"), {"ok": True, "length": len(content)}

    # ---------------------------------------------------------------- Web API

    def _next_ts(self) -> str:
        self._ts_counter += 1
        micros = 1_700_000_000_000_000 + 100 * self._ts_counter
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        self._id_counter += 1
        return f"{prefix}{self._id_counter:08d}"

    def _api(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        handler = self._API.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        if method in _MESSAGE_METHODS:
            problems = validate_message_blocks(args.get("blocks"), where=method)
            if problems:
                return self._violation(method, problems)
        if method in _VIEW_METHODS:
            problems = validate_view(args.get("view"), where=method)
            if problems:
                return self._violation(method, problems)
        return handler(self, args)

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": "sdgbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    @staticmethod
    def _channel_id(channel: str) -> str:
        return "D" + channel if channel[:1] in ("U", "W") else channel

    def _message(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "text": args.get("text") or "",
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if args.get(key) is not None:
                message[key] = args[key]
        return message

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel")
        if not isinstance(channel, str) or not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        return {
            "ok": True,
            "channel": self._channel_id(channel),
            "ts": ts,
            "message": self._message(args, ts),
        }

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel")
        if not isinstance(channel, str) or not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("user"):
            return {"ok": False, "error": "user_not_found"}
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return {"ok": False, "error": "no_text"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = args.get("channel"), args.get("ts")
        if not isinstance(channel, str) or not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not isinstance(ts, str) or not ts:
            return {"ok": False, "error": "message_not_found"}
        return {
            "ok": True,
            "channel": self._channel_id(channel),
            "ts": ts,
            "text": args.get("text") or "",
            "message": self._message(args, ts),
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = args.get("channel"), args.get("ts")
        if not isinstance(channel, str) or not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not isinstance(ts, str) or not ts:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": self._channel_id(channel), "ts": ts}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = args.get("users")
        if isinstance(users, list):
            users = ",".join(str(u) for u in users)
        if isinstance(args.get("channel"), str) and args["channel"]:
            return {"ok": True, "channel": {"id": args["channel"]}}
        if not isinstance(users, str) or not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        ids = [u.strip() for u in users.split(",") if u.strip()]
        if len(ids) == 1:
            channel_id = "D" + ids[0]
        else:
            channel_id = "G" + uuid.uuid5(uuid.NAMESPACE_OID, ",".join(sorted(ids))).hex[:10]
        return {"ok": True, "channel": {"id": channel_id}}

    def _view_method(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        view = dict(args["view"])
        if method in ("views.open", "views.push") and not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_arguments"}
        if method == "views.publish":
            if not args.get("user_id"):
                return {"ok": False, "error": "invalid_arguments"}
            if view.get("type") != "home":
                return {"ok": False, "error": "invalid_arguments"}
        view_id: str | None = None
        previous: dict[str, Any] | None = None
        if method == "views.update":
            view_id = args.get("view_id")
            external_id = args.get("external_id")
            if not view_id and not external_id:
                return {"ok": False, "error": "invalid_arguments"}
            if not view_id:
                for vid, stored in self._views.items():
                    if stored.get("external_id") == external_id:
                        view_id = vid
                        break
                else:
                    return {"ok": False, "error": "not_found"}
            previous = self._views.get(str(view_id))
            wanted_hash = args.get("hash")
            if previous is not None and wanted_hash and wanted_hash != previous["hash"]:
                return {"ok": False, "error": "hash_conflict"}
        if method == "views.publish":
            for vid, stored in self._views.items():
                if stored.get("type") == "home" and stored.get("_user_id") == args["user_id"]:
                    view_id = vid
        if not view_id:
            view_id = self._next_id("V")
        result: dict[str, Any] = {
            "callback_id": "",
            "private_metadata": "",
            "external_id": "",
            **view,
            "id": view_id,
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "state": {"values": {}},
            "hash": f"{time.time():.6f}.{uuid.uuid4().hex[:8]}",
            "root_view_id": (previous or {}).get("root_view_id", view_id),
            "previous_view_id": None,
        }
        stored_view = dict(result)
        if method == "views.publish":
            stored_view["_user_id"] = args["user_id"]
        self._views[view_id] = stored_view
        return {"ok": True, "view": result}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._users.get(str(args.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        try:
            zone = ZoneInfo(user.tz)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        now = datetime.now(zone)
        offset = now.utcoffset()
        abbrev = now.tzname() or "UTC"
        name_source = user.display_name or user.real_name or user.user_id
        return {
            "ok": True,
            "user": {
                "id": user.user_id,
                "team_id": user.team_id,
                "name": name_source.lower().replace(" ", "."),
                "deleted": False,
                "real_name": user.real_name,
                "tz": user.tz,
                "tz_label": _TZ_LABELS.get(abbrev, abbrev),
                "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
                "locale": user.locale,
                "is_bot": False,
                "is_admin": False,
                "profile": {
                    "real_name": user.real_name,
                    "real_name_normalized": user.real_name,
                    "display_name": user.display_name,
                    "display_name_normalized": user.display_name,
                    "email": user.email,
                    "team": user.team_id,
                },
            },
        }

    def _usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        users = self._usergroups.get(str(args.get("usergroup", "")))
        if users is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(users)}

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename, length = args.get("filename"), args.get("length")
        if not filename or length in (None, ""):
            return {"ok": False, "error": "invalid_arguments"}
        try:
            length_int = int(length)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._next_id("F")
        self._pending_files[file_id] = {"filename": str(filename), "length": length_int}
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        out: list[dict[str, Any]] = []
        ids: list[str] = []
        for item in files:
            file_id = item.get("id") if isinstance(item, dict) else None
            if file_id not in self._pending_files or file_id not in self.uploaded_files:
                return {"ok": False, "error": "file_not_found"}
            pending = self._pending_files[file_id]
            title = item.get("title") or pending["filename"]
            ids.append(file_id)
            out.append(
                {
                    "id": file_id,
                    "title": title,
                    "name": pending["filename"],
                    "size": len(self.uploaded_files[file_id]),
                    "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{file_id}",
                }
            )
        self._completions.append((ids, args))
        return {"ok": True, "files": out}

    def _oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        """Exchanges a code from :meth:`grant_installation` for the workspace's bot token."""
        with self._cond:
            grant = self._oauth_grants.pop(str(args.get("code") or ""), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True,
            "access_token": grant["bot_token"],
            "token_type": "bot",
            "scope": grant["scope"],
            "bot_user_id": grant["bot_user_id"],
            "app_id": APP_ID,
            "team": {"id": grant["team_id"], "name": grant["team_name"]},
            "enterprise": None,
            "authed_user": {"id": grant["installer"]},
            "is_enterprise_install": False,
        }

    _API: dict[str, Callable[[SlackStandIn, dict[str, Any]], dict[str, Any]]] = {
        "auth.test": _auth_test,
        "oauth.v2.access": _oauth_v2_access,
        "chat.postMessage": _chat_post_message,
        "chat.postEphemeral": _chat_post_ephemeral,
        "chat.update": _chat_update,
        "chat.delete": _chat_delete,
        "conversations.open": _conversations_open,
        "views.open": lambda self, args: self._view_method("views.open", args),
        "views.push": lambda self, args: self._view_method("views.push", args),
        "views.update": lambda self, args: self._view_method("views.update", args),
        "views.publish": lambda self, args: self._view_method("views.publish", args),
        "users.info": _users_info,
        "usergroups.users.list": _usergroups_users_list,
        "files.getUploadURLExternal": _files_get_upload_url,
        "files.completeUploadExternal": _files_complete_upload,
    }
