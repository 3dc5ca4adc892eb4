"""The stand-in's HTTP plumbing: a threading server on 127.0.0.1 that hands each
request to a handler, and the argument parsing the Slack SDK's requests need
(query string, form, JSON or multipart bodies; JSON strings inside forms)."""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs

# values of these keys are user content and never JSON-decoded
_NO_JSON_DECODE = frozenset({"text", "initial_comment", "title", "filename", "alt_txt"})


@dataclass
class HttpReply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: dict[str, Any], status: int = 200) -> HttpReply:
        return cls(
            status,
            json.dumps(data).encode("utf-8"),
            {"Content-Type": "application/json; charset=utf-8"},
        )

    @classmethod
    def text(cls, text: str, status: int = 200) -> HttpReply:
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8"})


# (path with query, lower-cased headers, body) -> the reply
RequestHandler = Callable[[str, dict[str, str], bytes], HttpReply]


class StandInServer(ThreadingHTTPServer):
    """Hands every GET and POST to *handle* (path, lower-cased headers, body)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handle: RequestHandler) -> None:
        super().__init__(address, _Handler)
        self.handle = handle

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-answer (a killed bot process) is no error here.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_version = "SlackStandIn/1.0"

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        return  # keep test output quiet

    def _dispatch(self) -> None:
        handle = cast(StandInServer, self.server).handle
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            reply = handle(self.path, headers, body)
        except Exception as exc:  # pragma: no cover - a bug in the stand-in itself
            reply = HttpReply.text(f"stand-in crashed: {exc!r}", 500)
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


def decode_json_strings(args: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in args.items():
        if isinstance(value, str) and key not in _NO_JSON_DECODE and value[:1] in ("{", "["):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        out[key] = value
    return out


def _parse_qs_flat(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, values in parse_qs(text, keep_blank_values=True).items():
        out[key] = values[0] if len(values) == 1 else values
    return out


def parse_multipart(content_type: str, body: bytes) -> list[tuple[str, str | None, bytes]]:
    """Parts of a multipart/form-data body as (name, filename, payload)."""
    raw = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    parts: list[tuple[str, str | None, bytes]] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        parts.append(
            (
                str(name) if name else "",
                part.get_filename(),
                payload if isinstance(payload, bytes) else b"",
            )
        )
    return parts


def parse_args(query: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    args: dict[str, Any] = _parse_qs_flat(query) if query else {}
    content_type = headers.get("content-type", "")
    if body:
        stripped = body.lstrip()
        if content_type.startswith("application/json") or stripped[:1] == b"{":
            try:
                parsed = json.loads(body.decode("utf-8"))
            except ValueError:
                args["_raw_body"] = body.decode("utf-8", "replace")
            else:
                if isinstance(parsed, dict):
                    args.update(parsed)
                else:
                    args["_body"] = parsed
        elif content_type.startswith("multipart/form-data"):
            for name, filename, payload in parse_multipart(content_type, body):
                if filename is not None:
                    args[name] = payload
                else:
                    args[name] = payload.decode("utf-8", "replace")
        else:
            args.update(_parse_qs_flat(body.decode("utf-8", "replace")))
    return decode_json_strings(args)
