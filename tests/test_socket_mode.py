"""``sdgbot serve --socket``: health, metrics and calendar feeds on the side port.

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

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.calendar_feed import feed_path
from bot.db import Database, make_engine
from bot.sandbox.slack_standin import SlackStandIn
from bot.services.calendar_links import calendar_token
from tests.conftest import free_port

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
