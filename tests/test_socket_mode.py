"""``sdgbot serve --socket``: health, metrics and calendar feeds on the side port, and
envelopes executed once (a redelivery or an Events API retry runs nothing).

Offline there is no Socket Mode server to reach: the process is started with
a stand-in app token against the Web API stand-in, which refuses
``apps.connections.open``; the bot keeps trying to connect while its side
server answers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.socket_mode.request import SocketModeRequest
from sqlalchemy import select

from bot.calendar_feed import feed_path
from bot.db import Database, make_engine
from bot.models import Member, SlackRequestSeen
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from bot.services.calendar_links import calendar_token
from tests.conftest import free_port
from tests.support import factories as make

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with NO_PROXY.open(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class SocketModeProcess:
    def __init__(self, url: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.url = url
        self.process = process
        self.log = log


@pytest.fixture
def socket_mode(
    database_url: str, standin: SlackStandIn, tmp_path: Path
) -> Iterator[SocketModeProcess]:
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{database_url}"\n[slack]\nteam_id = "T0001"\n'
        f'api_url = "{standin.api_url}"\n[server]\nhost = "127.0.0.1"\nport = {port}\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "SDGBOT_CONFIG": str(config),
        "SLACK_BOT_TOKEN": "xoxb-standin",
        "SLACK_APP_TOKEN": "xapp-standin",
        "SLACK_SIGNING_SECRET": "",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--socket"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = SocketModeProcess(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    while True:
        try:
            if fetch(running.url + "/healthz")[0] in (200, 503):
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(log.read_text())
        time.sleep(0.1)
    yield running
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_health_metrics_and_calendar_answer_in_socket_mode(
    socket_mode: SocketModeProcess, standin: SlackStandIn, database_url: str
) -> None:
    # It tried to open a Socket Mode connection with the app token, and keeps trying.
    standin.wait_for("apps.connections.open", timeout=10)
    deadline = time.monotonic() + 20
    while True:
        status, body = fetch(socket_mode.url + "/healthz")
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    health = json.loads(body)
    assert status == 200, health
    assert health["database"] == "ok" and health["migrations"] == "ok"
    assert health["worker"]

    status, text = fetch(socket_mode.url + "/metrics")
    assert status == 200
    names = {family.name for family in text_string_to_metric_families(text.decode())}
    assert {"sdgbot_slack_api_calls", "sdgbot_deliveries", "sdgbot_database_up"} <= names
    assert fetch(socket_mode.url + "/slack/events")[0] == 404  # Slack's traffic is on the socket

    # A member's private calendar feed, on the same port.
    database = Database(make_engine(database_url))
    with database.unit_of_work(write=True) as db:
        token = calendar_token(db, "T0001", "U_SOCKET", datetime.now(UTC))
    database.dispose()
    status, ics = fetch(socket_mode.url + feed_path(token))
    assert status == 200 and ics.startswith(b"BEGIN:VCALENDAR")
    assert fetch(socket_mode.url + feed_path("not-" + token))[0] == 404

    # SIGTERM stops it while it is still trying to connect.
    socket_mode.process.send_signal(signal.SIGTERM)
    socket_mode.process.wait(timeout=20)
    assert "cannot connect" in socket_mode.log.read_text()


# --- executed once in Socket Mode -----------------------------------------------------------


class RecordingSocketClient:
    """Where the handler sends its acknowledgements (a real client would write the socket)."""

    def __init__(self) -> None:
        import logging

        self.logger = logging.getLogger("tests.socket_mode")
        self.acknowledged: list[str] = []

    def send_socket_mode_response(self, response: Any) -> None:
        self.acknowledged.append(response.envelope_id)


@pytest.fixture
def socket_handler(runtime: Runtime, standin: SlackStandIn) -> Iterator[Any]:
    from slack_sdk import WebClient

    from bot.app import build_app
    from bot.edge.socket_mode import ReplayCheckingSocketModeHandler
    from handlers import register_listeners

    bolt_app = build_app(runtime, register_listeners)
    handler = ReplayCheckingSocketModeHandler(
        bolt_app, "xapp-standin", runtime, web_client=WebClient(base_url=standin.api_url)
    )
    dispatched: list[str] = []
    original = bolt_app.dispatch

    def counting_dispatch(request: Any) -> Any:
        dispatched.append(request.body.get("type") or request.body.get("command") or "-")
        return original(request)

    bolt_app.dispatch = counting_dispatch  # type: ignore[method-assign]
    handler.dispatched = dispatched
    yield handler
    handler.client.close()


def language_of(runtime: Runtime, user_id: str) -> str | None:
    with runtime.unit_of_work() as db:
        member = db.scalar(select(Member).where(Member.slack_user_id == user_id))
        return None if member is None else member.language


def wait_for_language(runtime: Runtime, user_id: str, language: str) -> None:
    deadline = time.monotonic() + 20
    while language_of(runtime, user_id) != language:
        assert time.monotonic() < deadline, language_of(runtime, user_id)
        time.sleep(0.05)


def command_envelope(envelope_id: str, text: str, user_id: str) -> SocketModeRequest:
    return SocketModeRequest(
        type="slash_commands",
        envelope_id=envelope_id,
        payload={
            "command": "/sdg",
            "text": text,
            "user_id": user_id,
            "user_name": "socket",
            "team_id": "T0001",
            "channel_id": "C0SOCKET",
            "response_url": "http://127.0.0.1:9/respond/socket",
            "trigger_id": "1.2.socket",
        },
        accepts_response_payload=True,
    )


def test_a_redelivered_envelope_changes_nothing(
    runtime: Runtime, standin: SlackStandIn, socket_handler: Any
) -> None:
    user_id = "U0SOCKET"
    with runtime.unit_of_work(write=True) as db:
        make.add_member(db, user_id, now=runtime.clock.now(), language="en")
    standin.add_user(user_id, locale="en-GB")
    client = RecordingSocketClient()
    to_bokmal = command_envelope("env-nb", "language nb", user_id)

    socket_handler.handle(client, to_bokmal)
    wait_for_language(runtime, user_id, "nb")
    socket_handler.handle(client, command_envelope("env-da", "language da", user_id))
    wait_for_language(runtime, user_id, "da")
    # Slack did not see the first acknowledgement and sends the envelope again.
    socket_handler.handle(client, to_bokmal)

    assert client.acknowledged == ["env-nb", "env-da", "env-nb"]
    assert socket_handler.dispatched == ["/sdg", "/sdg"]  # the redelivery never reached bolt
    assert language_of(runtime, user_id) == "da"


def test_an_events_api_retry_runs_nothing(
    runtime: Runtime, standin: SlackStandIn, socket_handler: Any
) -> None:
    def event_envelope(envelope_id: str, retry: int | None) -> SocketModeRequest:
        return SocketModeRequest(
            type="events_api",
            envelope_id=envelope_id,
            payload={
                "type": "event_callback",
                "team_id": "T0001",
                "api_app_id": "A0001",
                "event_id": "Ev0SOCKET1",
                "event_time": int(time.time()),
                "event": {"type": "app_home_opened", "user": "U0HOME", "tab": "home"},
            },
            retry_attempt=retry,
            retry_reason="timeout" if retry else None,
        )

    client = RecordingSocketClient()
    socket_handler.handle(client, event_envelope("env-1", None))
    # Slack's retry of the same event comes in a new envelope.
    socket_handler.handle(client, event_envelope("env-2", 1))

    assert client.acknowledged == ["env-1", "env-2"]
    assert socket_handler.dispatched == ["event_callback"]
    with runtime.unit_of_work() as db:
        keys = set(db.scalars(select(SlackRequestSeen.key)))
    assert keys == {"event:Ev0SOCKET1"}
