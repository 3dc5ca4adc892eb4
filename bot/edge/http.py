"""``POST /slack/events``: cap, verify, check the shape, remember, then hand over to bolt.

Each step looks at no more than the one before it allowed: the body is read
up to the cap and no further, nothing is parsed before the signature is
good, and bolt sees only bodies that are Slack-shaped and new.  Refusals are
one log line: reason, length and remote address, never the body (a forged
body must not write the log's lines, and a 1 MB one must not fill it).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import anyio
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response

from bot.edge.replays import SeenRequests, event_key, signed_request_key
from bot.edge.shape import NotSlackShaped, RequestKind, SlackShape, read_shape
from bot.edge.signature import SignatureRefused, verify_signature
from bot.metrics import PROCESS
from bot.runtime import Runtime

log = logging.getLogger("sdgbot.edge")

# Slack's payloads are a few kB; a modal with every field full is well under 100 kB.
MAX_BODY_BYTES = 1_000_000
# A body over the cap is read on and dropped up to this size before the 413 goes
# out: a client still sending when the server answers and closes sees a broken
# pipe instead of the 413.  Beyond it the connection is simply closed.
DRAIN_LIMIT_BYTES = 8_000_000
# bolt context key the listener frame reads its request id from.
REQUEST_ID_CONTEXT_KEY = "sdg_request_id"
_PLAIN_NAME = re.compile(r"/?[a-z_]{1,40}")


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class SlackEdge:
    """The Starlette endpoint in front of bolt."""

    def __init__(
        self,
        bolt_app: App,
        runtime: Runtime,
        limiter: anyio.CapacityLimiter,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.bolt_app = bolt_app
        self.runtime = runtime
        self.limiter = limiter
        self.max_body_bytes = max_body_bytes
        # Signatures are about real time, not the bot's (possibly simulated) clock.
        self.wall_clock = wall_clock
        self.seen = SeenRequests(runtime)

    async def handle(self, request: Request) -> Response:
        remote = request.client.host if request.client else "-"
        declared = request.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > self.max_body_bytes:
            if int(declared) <= DRAIN_LIMIT_BYTES:
                await self._drop_rest(request.stream(), 0)
            return self._refuse(413, "body over the size limit", int(declared), remote)
        try:
            body = await self._read_capped(request)
        except _TooLarge as too_large:
            return self._refuse(413, "body over the size limit", too_large.size, remote)
        except ClientDisconnect:
            return self._refuse(400, "client went away", 0, remote)
        timestamp = request.headers.get("x-slack-request-timestamp")
        signature = request.headers.get("x-slack-signature")
        try:
            verify_signature(
                self.runtime.settings.slack.signing_secret,
                timestamp,
                signature,
                body,
                self.wall_clock(),
            )
            shape = read_shape(body, request.headers.get("content-type"))
        except SignatureRefused as refused:
            return self._refuse(401, refused.reason, len(body), remote)
        except NotSlackShaped as odd:
            return self._refuse(400, odd.reason, len(body), remote)
        assert timestamp is not None and signature is not None  # verified above
        key = None
        if shape.executes:
            key = event_key(shape.event_id) if shape.event_id else None
            if key is None and shape.name != "app_rate_limited":
                key = signed_request_key(timestamp, signature)
        return await anyio.to_thread.run_sync(
            self._admit_and_dispatch, request, body, shape, key, remote, limiter=self.limiter
        )

    async def _read_capped(self, request: Request) -> bytes:
        chunks: list[bytes] = []
        size = 0
        stream = request.stream()
        async for chunk in stream:
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _TooLarge(await self._drop_rest(stream, size))
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    async def _drop_rest(stream: AsyncIterator[bytes], size: int) -> int:
        """Read and forget the rest of a body that is over the cap; returns its size."""
        try:
            async for chunk in stream:
                size += len(chunk)
                if size > DRAIN_LIMIT_BYTES:
                    break
        except ClientDisconnect:
            pass
        return size

    def _admit_and_dispatch(
        self, request: Request, body: bytes, shape: SlackShape, key: str | None, remote: str
    ) -> Response:
        request_id = uuid.uuid4().hex[:12]
        if shape.kind is RequestKind.COMMAND and b"payload" in body:
            # bolt takes any form body containing "payload" for an interactive
            # payload and finds none: "/sdg show payload-workshop" was lost.  An
            # escaped "p" reads the same once the form is decoded.
            body = body.replace(b"payload", b"%70ayload")
        try:
            # The frame (handlers/frame.py) logs errors with this id.
            bolt_request = to_bolt_request(request, body, {REQUEST_ID_CONTEXT_KEY: request_id})
        except (TypeError, AttributeError, KeyError, ValueError):
            # bolt reads ids (user, team, channel, enterprise) from wherever a
            # payload may carry them, and raises where one has an odd type.
            return self._refuse(400, "bolt could not read the ids", len(body), remote)
        if key is not None:
            try:
                first_time = self._remember(key)
            except SQLAlchemyError:
                log.exception("could not record a Slack request (%s)", shape.kind)
                return PlainTextResponse("unavailable", status_code=503)
            if not first_time:
                PROCESS.replays_refused.labels(shape.kind).inc()
                retry = request.headers.get("x-slack-retry-num", "")
                log.info(
                    "replayed Slack request acknowledged, not run: %s %s%s (%d bytes from %s)",
                    shape.kind,
                    shape.name if _PLAIN_NAME.fullmatch(shape.name) else "-",
                    " (retry)" if retry else "",
                    len(body),
                    remote,
                )
                return Response(status_code=200)
        log.debug("Slack request %s: %s", request_id, shape.kind)
        return to_starlette_response(self.bolt_app.dispatch(bolt_request))

    def _remember(self, key: str) -> bool:
        return self.seen.first_time(key, datetime.fromtimestamp(self.wall_clock(), UTC))

    def _refuse(self, status: int, reason: str, length: int, remote: str) -> Response:
        PROCESS.requests_refused.labels(str(status)).inc()
        log.warning(
            "refused Slack request: %s %s (%d bytes from %s)", status, reason, length, remote
        )
        return PlainTextResponse("invalid request", status_code=status)
