"""Reminders across real processes: `kill -9` in a fan-out, and three replicas.

Each `sdgbot serve` here is a real subprocess on the real clock, talking to
the Web API stand-in in the test process and to the test's database.  The
sessions start 50 minutes from now and the only offset is PT1H, so every
reminder is due at the first tick.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.delivery.claims import POSSIBLE_DUPLICATE, TAKEN_OVER
from bot.models import Delivery, DeliveryState
from bot.sandbox.slack_standin import SlackStandIn
from tests.conftest import BACKEND, BOT_TOKEN, SIGNING_SECRET, TEAM_ID, free_port
from tests.support import factories as make

pytestmark = pytest.mark.slow

# Short enough that the restart takes over soon, long enough that a call's
# timeout (half the lease) survives a busy machine.
LEASE_SECONDS = 8


def delivered_per_channel(standin: SlackStandIn) -> Counter[str]:
    return Counter(
        str(call.args["channel"])
        for call in standin.calls_to("chat.postMessage")
        if call.status == 200 and call.response.get("ok")
    )


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def count_by_state(database: Database) -> dict[str, int]:
    with database.unit_of_work() as db:
        return dict(
            db.execute(select(Delivery.state, func.count()).group_by(Delivery.state)).all()  # type: ignore[arg-type]
        )


class Server:
    """One `sdgbot serve` subprocess."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"]
            + ["--port", str(self.port)],
            env=env,
            cwd=log_path.parent,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"sdgbot serve exited:\n{self.log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1):
                return True
        except OSError:
            return False

    def kill_hard(self) -> None:
        """kill -9: no cleanup, no shutdown hooks, mid-transaction if it happens to be."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


@pytest.fixture
def start_server(
    database_url: str, standin: SlackStandIn, tmp_path: Path
) -> Iterator[Callable[[int], Server]]:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SDGBOT_", "SLACK_"))},
        "SDGBOT_CONFIG": str(config),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SDGBOT_SLACK_API_URL": standin.api_url,
        "SDGBOT_SLACK_TEAM_ID": TEAM_ID,
        "SDGBOT_DATABASE_URL": database_url,
        "SDGBOT_REMINDERS_OFFSETS": "PT1H",
        "SDGBOT_REMINDERS_TICK_SECONDS": "1",
        "SDGBOT_REMINDERS_QUIET_HOURS": "",
        "SDGBOT_REMINDERS_LEASE_SECONDS": str(LEASE_SECONDS),
        "SDGBOT_LOGGING_LEVEL": "WARNING",
    }
    servers: list[Server] = []

    def start(rate: int) -> Server:
        server = Server(
            {**env, "SDGBOT_REMINDERS_SEND_RATE_PER_SECOND": str(rate)},
            tmp_path / f"serve-{len(servers)}.log",
        )
        servers.append(server)
        wait_until(server.ready, 60, "sdgbot serve to listen")
        return server

    yield start
    for server in servers:
        server.stop()


def add_fan_out(database: Database, count: int) -> list[str]:
    """One session starting in 50 minutes, *count* members registered yesterday."""
    now = datetime.now(UTC)
    user_ids = [f"UFAN{i:05d}" for i in range(count)]
    with database.unit_of_work(write=True) as db:
        session = make.add_session(
            db, "fan-out", starts=now + timedelta(minutes=50), now=now - timedelta(days=2)
        )
        make.add_confirmed_crowd(db, session, user_ids, registered_at=now - timedelta(days=1))
    return user_ids


def test_kill_9_in_a_fan_out_of_500_then_restart_delivers_all(
    database: Database, standin: SlackStandIn, start_server: Callable[[int], Server]
) -> None:
    """Every member gets the reminder; a duplicate only for rows caught in 'sending'."""
    user_ids = add_fan_out(database, 500)
    # Slack takes a moment per call, so calls are in flight when the kill comes.
    standin.set_latency("chat.postMessage", 0.02)
    first = start_server(100)
    wait_until(lambda: sum(delivered_per_channel(standin).values()) >= 150, 60, "150 reminders")
    first.kill_hard()

    at_kill = count_by_state(database)
    sending_at_kill = at_kill.get(DeliveryState.SENDING, 0)
    assert at_kill.get(DeliveryState.PENDING, 0) > 0, "the fan-out finished before the kill"

    start_server(100)
    wait_until(lambda: set(delivered_per_channel(standin)) == set(user_ids), 90, "all 500")
    wait_until(lambda: count_by_state(database) == {DeliveryState.SENT: 500}, 30, "500 sent rows")

    per_member = delivered_per_channel(standin)
    duplicates = sum(per_member.values()) - len(user_ids)
    with database.unit_of_work() as db:
        marks = Counter(
            db.scalars(
                select(Delivery.last_error).where(
                    Delivery.last_error.startswith(POSSIBLE_DUPLICATE)
                )
            )
        )
        suspects = set(
            db.scalars(
                select(Delivery.recipient).where(Delivery.last_error.startswith(POSSIBLE_DUPLICATE))
            )
        )
    print(
        f"\nin 'sending' at the kill: {sending_at_kill}; marked possible duplicates: "
        f"{dict(marks)}; duplicates Slack received: {duplicates}"
    )
    # Every row caught in 'sending' was taken over and marked ...
    assert marks[TAKEN_OVER] == sending_at_kill
    # ... and only marked rows (the documented window) reached anyone twice.
    assert 0 <= duplicates <= sum(marks.values())
    assert {user for user, n in per_member.items() if n > 1} <= suspects


def test_a_graceful_restart_in_a_fan_out_sends_nothing_twice(
    database: Database, standin: SlackStandIn, start_server: Callable[[int], Server]
) -> None:
    """SIGTERM: the calls in flight are recorded, the rest given back; no lease to wait for."""
    user_ids = add_fan_out(database, 200)
    standin.set_latency("chat.postMessage", 0.02)
    first = start_server(25)  # slow enough that the fan-out is still going when it stops
    wait_until(lambda: sum(delivered_per_channel(standin).values()) >= 40, 60, "40 reminders")
    first.stop()
    assert first.process.returncode == 128 + signal.SIGTERM
    states = count_by_state(database)
    assert DeliveryState.SENDING not in states and states.get(DeliveryState.PENDING, 0) > 0
    with database.unit_of_work() as db:
        still_claimed = db.scalar(
            select(func.count()).where(
                Delivery.state == DeliveryState.PENDING, Delivery.claimed_by.is_not(None)
            )
        )
    assert still_claimed == 0

    start_server(200)
    wait_until(lambda: set(delivered_per_channel(standin)) == set(user_ids), 60, "all 200")
    assert sum(delivered_per_channel(standin).values()) == 200


@pytest.mark.skipif(
    BACKEND != "postgresql",
    reason="several sdgbot processes share one database only on PostgreSQL "
    "(SKIP LOCKED claims); SQLite is for a single process",
)
def test_three_processes_on_postgresql_send_1000_reminders_exactly_once(
    database: Database, standin: SlackStandIn, start_server: Callable[[int], Server]
) -> None:
    servers = [start_server(150) for _ in range(3)]
    # The rows appear only once all three tick, so all three compete for them.
    user_ids = add_fan_out(database, 1000)
    wait_until(lambda: set(delivered_per_channel(standin)) == set(user_ids), 120, "all 1000")
    wait_until(lambda: count_by_state(database) == {DeliveryState.SENT: 1000}, 30, "1000 sent rows")
    time.sleep(3)  # three more ticks of every process: nothing more may go out

    per_member = delivered_per_channel(standin)
    assert len(per_member) == 1000  # 0 lost
    assert sum(per_member.values()) == 1000  # 0 duplicates
    with database.unit_of_work() as db:
        claimers = db.execute(
            select(Delivery.claimed_by, func.count()).group_by(Delivery.claimed_by)
        ).all()
    print(f"\nrows sent per process: {sorted(n for _, n in claimers)}")
    assert len(claimers) >= 2, "the work was not shared"
    assert all(server.process.poll() is None for server in servers)
