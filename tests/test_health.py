"""``GET /healthz``: database, scheduler and migrations, over real HTTP."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database, make_engine, upgrade
from bot.health import TICKS_ALLOWED, TickPulse, check_health
from bot.models import Registration, RegistrationStatus
from bot.programme_file import parse_programme
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from bot.services.programme import import_programme
from tests.conftest import SAMPLE_PROGRAMME, SIGNING_SECRET, TEAM_ID, ServedBot
from tests.support.conversation import answer_of, text_of
from tests.support.factories import add_member, add_organisation
from tests.support.signed_client import SignedSlackClient

ROOT = Path(__file__).resolve().parents[1]
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with NO_PROXY.open(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_healthz_names_every_part_when_all_is_well(served_bot: ServedBot) -> None:
    status, body = get(served_bot.url + "/healthz")
    assert status == 200
    assert body["status"] == "ok"
    assert body["database"] == "ok" and body["scheduler"] == "ok" and body["migrations"] == "ok"
    assert body["worker"] == "test-worker"
    assert body["revision"]
    assert "failing" not in body


def test_a_scheduler_that_stopped_ticking_makes_it_503(served_bot: ServedBot) -> None:
    tick = served_bot.pulse
    tick._last = time.monotonic() - (TICKS_ALLOWED * 30 + 5)  # three ticks of 30 s and more
    status, body = get(served_bot.url + "/healthz")
    assert status == 503
    assert body["failing"] == ["scheduler"]
    assert body["scheduler"].startswith("late")
    tick.mark()
    assert get(served_bot.url + "/healthz")[0] == 200


def test_a_schema_behind_this_release_fails_and_one_ahead_does_not(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0002")
    report = check_health(engine, TickPulse(), tick_seconds=30, worker="w")
    assert report.failing == ["migrations"]
    assert report.migrations.startswith("not at head")
    upgrade(engine)
    assert check_health(engine, TickPulse(), tick_seconds=30, worker="w").ok
    # A newer release migrated the database during a rolling restart.
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    report = check_health(engine, TickPulse(), tick_seconds=30, worker="w")
    assert report.ok and report.migrations.startswith("ok")
    engine.dispose()


# --- an outage of the database --------------------------------------------------------


def _pg(command: str, state: Path) -> str:
    env = {**os.environ, "SDGBOT_PG_STATE": str(state)}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "pg.sh"), command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def own_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A second PostgreSQL server of this test's own, so stopping it stops no one else's."""
    has_pg = shutil.which("pg_ctl") or list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not has_pg:
        pytest.skip("PostgreSQL server binaries are not installed")
    state = tmp_path_factory.mktemp("own-pg") / "state"
    _pg("start", state)
    try:
        yield _pg("url", state), state
    finally:
        _pg("stop", state)


def _wait_for_status(url: str, wanted: int, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status, body = get(url)
        if status == wanted:
            return body
        assert time.monotonic() < deadline, f"still {status}: {body}"
        time.sleep(0.2)


def test_healthz_follows_a_postgresql_outage_and_no_registration_is_lost(
    own_postgres: tuple[str, Path], settings: Settings, standin: SlackStandIn, clock: FixedClock
) -> None:
    url, state = own_postgres
    engine = make_engine(url)
    upgrade(engine)
    runtime = Runtime(
        settings=dataclasses.replace(
            settings, database=dataclasses.replace(settings.database, url=url)
        ),
        database=Database(engine),
        clock=clock,
    )
    programme = parse_programme(SAMPLE_PROGRAMME, default_timezone=settings.bot.timezone)
    with runtime.unit_of_work(write=True) as db:
        import_programme(db, TEAM_ID, programme, clock.now())
        organisation = add_organisation(db, "Aarhus Kommune")
        for user in ("U_BEFORE", "U_AFTER"):
            add_member(db, user, now=clock.now(), organisation=organisation)
    for user in ("U_BEFORE", "U_AFTER"):
        standin.add_user(user, locale="en-GB")
    bot = ServedBot(runtime).start()
    slack = SignedSlackClient(bot.url, SIGNING_SECRET, team_id=TEAM_ID, standin=standin)
    health = bot.url + "/healthz"
    try:
        registered = answer_of(
            slack.command("register 2027-06-10-symposium", user_id="U_BEFORE"), standin
        )
        assert "You are registered" in text_of(registered)
        assert get(health)[0] == 200

        _pg("pause", state)
        down = _wait_for_status(health, 503)
        assert down["failing"] == ["database", "migrations"] or down["failing"] == ["database"]
        assert down["database"].startswith("unreachable")
        assert url.split("@")[-1] not in json.dumps(down)  # no address or credentials

        _pg("resume", state)
        up = _wait_for_status(health, 200)
        assert up["database"] == "ok"
        after = answer_of(
            slack.command("register 2027-06-10-symposium", user_id="U_AFTER"), standin
        )
        assert "You are registered" in text_of(after)
        with runtime.unit_of_work() as db:
            confirmed = db.scalar(
                select(func.count())
                .select_from(Registration)
                .where(Registration.status == RegistrationStatus.CONFIRMED)
            )
        assert confirmed == 2
    finally:
        bot.stop()
        engine.dispose()


def test_a_database_that_hangs_gets_a_503_within_seconds(
    settings: Settings, clock: FixedClock
) -> None:
    """A server that accepts the connection and never answers (a hung host, a full pool)."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            accepted.append(connection)  # and say nothing

    threading.Thread(target=accept, daemon=True).start()
    url = f"postgresql+psycopg://sdgbot@127.0.0.1:{listener.getsockname()[1]}/sdgbot"
    engine = make_engine(url, pool_size=1)
    runtime = Runtime(settings=settings, database=Database(engine), clock=clock)
    bot = ServedBot(runtime).start()
    try:
        started = time.monotonic()
        status, body = get(bot.url + "/healthz")
        elapsed = time.monotonic() - started
        assert status == 503 and body["failing"] == ["database"]
        assert "no answer within" in body["database"]
        assert elapsed < 6
    finally:
        listener.close()
        for connection in accepted:
            connection.close()
        bot.stop()
        engine.dispose()
