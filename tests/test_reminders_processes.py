"""Reminders across real processes: `kill -9` in a fan-out, and three replicas.

Each `sdgbot serve` here is a real subprocess on the real clock, talking to
the Web API stand-in in the test process and to the test's database (SQLite
or PostgreSQL: processes on one host may share a SQLite file).  The only
offset is PT30S and the sessions start 30 seconds after the rows are made,
so every reminder is due at once and late if it is not sent within 30 s.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.delivery.claims import POSSIBLE_DUPLICATE, TAKEN_OVER
from bot.models import Delivery, DeliveryState, Worker
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM_ID
from tests.support import factories as make
from tests.support.collector import heap_frozen
from tests.support.faulty_standin import FaultyStandIn
from tests.support.rates import max_in_one_second
from tests.support.serve_process import Server, serve_env, wait_until

pytestmark = pytest.mark.slow

# The default: a process silent for 5 s is dead.
WORKER_TIMEOUT_SECONDS = 5
OFFSET = timedelta(seconds=30)


def delivered_per_channel(standin: FaultyStandIn) -> Counter[str]:
    return Counter(
        str(call.args["channel"])
        for call in standin.calls_to("chat.postMessage")
        if call.status == 200 and call.response.get("ok")
    )


def count_by_state(database: Database) -> dict[str, int]:
    with database.unit_of_work() as db:
        return dict(
            db.execute(select(Delivery.state, func.count()).group_by(Delivery.state)).all()  # type: ignore[arg-type]
        )


@pytest.fixture
def start_server(
    database_url: str, standin: FaultyStandIn, tmp_path: Path
) -> Iterator[Callable[..., list[Server]]]:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    env = serve_env(
        config=config,
        database_url=database_url,
        api_url=standin.api_url,
        team_id=TEAM_ID,
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        REMINDERS_OFFSETS="PT30S",
        REMINDERS_TICK_SECONDS="1",
        REMINDERS_QUIET_HOURS="",
        REMINDERS_WORKER_TIMEOUT_SECONDS=str(WORKER_TIMEOUT_SECONDS),
    )
    servers: list[Server] = []

    def start(rate: int, count: int = 1) -> list[Server]:
        """*count* servers started side by side, each configured with budget *rate*."""
        started = [
            Server(
                {**env, "SDGBOT_REMINDERS_SEND_RATE_PER_SECOND": str(rate)},
                tmp_path / f"serve-{len(servers) + i}.log",
            )
            for i in range(count)
        ]
        servers.extend(started)
        for server in started:
            server.wait_ready()
        return started

    yield start
    for server in servers:
        server.stop()


def add_fan_out(database: Database, count: int) -> tuple[list[str], datetime]:
    """One session starting in 30 s (its reminder due now), *count* members registered."""
    now = datetime.now(UTC)
    starts = now + OFFSET
    user_ids = [f"UFAN{i:05d}" for i in range(count)]
    with database.unit_of_work(write=True) as db:
        session = make.add_session(db, "fan-out", starts=starts, now=now - timedelta(days=2))
        make.add_confirmed_crowd(db, session, user_ids, registered_at=now - timedelta(days=1))
    return user_ids, starts


def worker_id_of(database: Database, server: Server) -> str:
    with database.unit_of_work() as db:
        worker_id = db.scalar(select(Worker.id).where(Worker.pid == server.process.pid))
    assert worker_id is not None, "the server has no heartbeat row"
    return worker_id


def claimed_by(database: Database, worker_id: str) -> set[int]:
    with database.unit_of_work() as db:
        return set(
            db.scalars(
                select(Delivery.id).where(
                    Delivery.claimed_by == worker_id,
                    Delivery.state.in_([DeliveryState.PENDING, DeliveryState.SENDING]),
                )
            )
        )


def assert_duplicates_only_where_marked(
    database: Database, standin: FaultyStandIn, user_ids: list[str], taken_over_at_least: int
) -> int:
    """0 lost, and only rows marked 'possible duplicate' (the documented window) twice."""
    per_member = delivered_per_channel(standin)
    assert set(per_member) == set(user_ids)
    duplicates = sum(per_member.values()) - len(user_ids)
    with database.unit_of_work() as db:
        marked: dict[str, str | None] = {
            recipient: error
            for recipient, error in db.execute(
                select(Delivery.recipient, Delivery.last_error).where(
                    Delivery.last_error.startswith(POSSIBLE_DUPLICATE)
                )
            )
        }
    assert list(marked.values()).count(TAKEN_OVER) >= taken_over_at_least
    assert 0 <= duplicates <= len(marked)
    assert {user for user, n in per_member.items() if n > 1} <= set(marked)
    return duplicates


def test_kill_9_in_a_fan_out_of_500_then_restart_delivers_all_before_the_start(
    database: Database, standin: FaultyStandIn, start_server: Callable[..., list[Server]]
) -> None:
    """Reminders 30 s before the start: the restart finishes the fan-out in time."""
    # Slack takes a moment per call, so calls are in flight when the kill comes.
    standin.set_latency("chat.postMessage", 0.02)
    (first,) = start_server(100)
    user_ids, starts = add_fan_out(database, 500)
    wait_until(lambda: sum(delivered_per_channel(standin).values()) >= 150, 25, "150 reminders")
    first.kill_hard()

    at_kill = count_by_state(database)
    sending_at_kill = at_kill.get(DeliveryState.SENDING, 0)
    assert at_kill.get(DeliveryState.PENDING, 0) > 0, "the fan-out finished before the kill"

    start_server(100)
    left = (starts - datetime.now(UTC)).total_seconds()
    wait_until(lambda: set(delivered_per_channel(standin)) == set(user_ids), left, "all 500")
    assert datetime.now(UTC) < starts, "the last reminder came after the session started"
    wait_until(lambda: count_by_state(database) == {DeliveryState.SENT: 500}, 10, "500 sent rows")
    duplicates = assert_duplicates_only_where_marked(database, standin, user_ids, sending_at_kill)
    print(f"\nin 'sending' at the kill: {sending_at_kill}; duplicates: {duplicates}")


def test_a_graceful_restart_in_a_fan_out_sends_nothing_twice(
    database: Database, standin: FaultyStandIn, start_server: Callable[..., list[Server]]
) -> None:
    """SIGTERM: the calls in flight are recorded, the rest given back; nothing to wait for."""
    standin.set_latency("chat.postMessage", 0.02)
    (first,) = start_server(25)  # slow enough that the fan-out is still going when it stops
    user_ids, _starts = add_fan_out(database, 200)
    wait_until(lambda: sum(delivered_per_channel(standin).values()) >= 40, 25, "40 reminders")
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
        workers = db.scalar(select(func.count()).select_from(Worker))
    assert (still_claimed, workers) == (0, 0)

    start_server(200)
    wait_until(lambda: set(delivered_per_channel(standin)) == set(user_ids), 20, "all 200")
    assert sum(delivered_per_channel(standin).values()) == 200


@pytest.fixture
def frozen_heap() -> Iterator[None]:
    """The stand-in counts the rate in this process's threads (see heap_frozen)."""
    with heap_frozen():
        yield


def test_three_replicas_share_the_budget_and_take_over_a_killed_ones_claims(
    database: Database,
    standin: FaultyStandIn,
    start_server: Callable[..., list[Server]],
    frozen_heap: None,
) -> None:
    """The budget is the workspace's: never more calls in a second than configured,
    before or after one of the three is killed; its claims are sent within 10 s."""
    budget = 60
    standin.limit_rate("chat.postMessage", budget)  # Slack's answer beyond it: 429
    standin.set_latency("chat.postMessage", 0.01)
    servers = start_server(budget, 3)
    user_ids, _starts = add_fan_out(database, 600)
    victim = servers[0]
    victim_id = worker_id_of(database, victim)
    wait_until(
        lambda: (
            sum(delivered_per_channel(standin).values()) >= 150
            and bool(claimed_by(database, victim_id))
        ),
        25,
        "150 reminders and claims in the victim's hands",
    )
    victim.kill_hard()
    killed_at = time.monotonic()
    orphans = claimed_by(database, victim_id)
    assert orphans

    def orphans_sent() -> bool:
        with database.unit_of_work() as db:
            states = set(db.scalars(select(Delivery.state).where(Delivery.id.in_(orphans))))
        return states == {DeliveryState.SENT}

    wait_until(orphans_sent, 15, "the killed replica's claims to be sent")
    taken_over_after = time.monotonic() - killed_at
    wait_until(lambda: set(delivered_per_channel(standin)) == set(user_ids), 30, "all 600")
    time.sleep(1)  # a tick of every survivor: nothing more may go out

    calls = standin.calls_to("chat.postMessage")
    busiest = max_in_one_second([call.at for call in calls])
    refused = sum(1 for call in calls if call.status == 429)
    duplicates = assert_duplicates_only_where_marked(database, standin, user_ids, 0)
    print(
        f"\n{len(orphans)} claims of the killed replica sent {taken_over_after:.1f}s after the "
        f"kill; busiest second {busiest}/{budget}; 429s {refused}; duplicates {duplicates}"
    )
    assert taken_over_after <= 10
    assert busiest <= budget and refused == 0
    assert all(server.process.poll() is None for server in servers[1:])


def test_a_slow_live_replica_is_never_robbed(
    database: Database, standin: FaultyStandIn, start_server: Callable[..., list[Server]]
) -> None:
    """Calls that take longer than the worker timeout: the heartbeat goes on, nobody
    takes the rows over, nothing is sent twice."""
    standin.set_latency("chat.postMessage", WORKER_TIMEOUT_SECONDS + 2)
    start_server(100, 2)
    user_ids, _starts = add_fan_out(database, 16)
    wait_until(lambda: set(delivered_per_channel(standin)) == set(user_ids), 25, "all 16")
    assert sum(delivered_per_channel(standin).values()) == 16
    with database.unit_of_work() as db:
        marked = db.scalar(
            select(func.count()).where(Delivery.last_error.startswith(POSSIBLE_DUPLICATE))
        )
    assert marked == 0
