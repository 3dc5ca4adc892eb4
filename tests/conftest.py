"""Shared fixtures: a real database (SQLite file or PostgreSQL), the Slack Web
API stand-in, the bot served over real HTTP, and a signed Slack client.

``SDGBOT_TEST_DATABASE=postgresql`` with ``SDGBOT_TEST_POSTGRES_URL`` runs the
same suite on PostgreSQL (``make test`` does both).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import uvicorn
from sqlalchemy import select, text

from bot.app import build_app
from bot.clock import FixedClock
from bot.config import Settings, SlackSettings
from bot.db import Database, make_engine, upgrade
from bot.endpoints import ProcessState, endpoint_routes
from bot.health import TickPulse
from bot.ids import BlockId
from bot.models import Base, FeedbackResponse, Member, Organisation
from bot.programme_file import parse_programme
from bot.runtime import Runtime
from bot.server import build_http_app
from bot.services.programme import ImportResult, import_programme
from bot.workspaces import oauth_routes
from handlers import register_listeners
from tests.support.faulty_standin import FaultyStandIn
from tests.support.signed_client import SignedSlackClient

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
TEAM_ID = "T0001"
BACKEND = os.environ.get("SDGBOT_TEST_DATABASE", "sqlite")
# A Monday morning in May 2027, Copenhagen summer time.
DEFAULT_NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)


def pytest_report_header() -> str:
    return f"sdgbot database backend: {BACKEND}"


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _postgres_url() -> str:
    url = os.environ.get("SDGBOT_TEST_POSTGRES_URL", "")
    if not url:
        raise RuntimeError("SDGBOT_TEST_DATABASE=postgresql needs SDGBOT_TEST_POSTGRES_URL")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if BACKEND == "postgresql":
        url: str = request.getfixturevalue("_postgres_url")
        engine = make_engine(url, pool_size=1)
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return url
    template: Path = request.getfixturevalue("_sqlite_template")
    path = tmp_path / "sdgbot.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(make_engine(database_url))
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


@pytest.fixture
def standin() -> Iterator[FaultyStandIn]:
    with FaultyStandIn() as slack:
        yield slack


@pytest.fixture
def settings(database_url: str, standin: FaultyStandIn) -> Settings:
    base = Settings()
    return dataclasses.replace(
        base,
        slack=SlackSettings(
            api_url=standin.api_url,
            team_id=TEAM_ID,
            bot_token=BOT_TOKEN,
            signing_secret=SIGNING_SECRET,
        ),
        database=dataclasses.replace(base.database, url=database_url),
    )


@pytest.fixture
def runtime(settings: Settings, database: Database, clock: FixedClock) -> Runtime:
    return Runtime(settings=settings, database=database, clock=clock)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServedBot:
    """The bot's ASGI app on uvicorn in a thread: real HTTP on 127.0.0.1."""

    def __init__(self, runtime: Runtime) -> None:
        self.port = free_port()
        self.bolt_app = build_app(runtime, register_listeners)
        # The scheduler's pulse, marked by tests that tick by hand.
        self.pulse = TickPulse()
        routes = endpoint_routes(runtime, ProcessState(self.pulse, "test-worker"))
        routes += oauth_routes(self.bolt_app)
        config = uvicorn.Config(
            build_http_app(self.bolt_app, routes, runtime=runtime),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            backlog=2048,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServedBot:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the bot did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        executor = self.bolt_app.listener_runner.listener_executor
        executor.shutdown(wait=True)  # type: ignore[attr-defined]


@pytest.fixture
def served_bot(runtime: Runtime) -> Iterator[ServedBot]:
    bot = ServedBot(runtime).start()
    yield bot
    bot.stop()


@pytest.fixture
def slack(served_bot: ServedBot, standin: FaultyStandIn) -> SignedSlackClient:
    return SignedSlackClient(served_bot.url, SIGNING_SECRET, team_id=TEAM_ID, standin=standin)


ImportText = Callable[[str], ImportResult]


@pytest.fixture
def import_programme_text(runtime: Runtime) -> ImportText:
    def run(programme_text: str) -> ImportResult:
        programme = parse_programme(programme_text, default_timezone=runtime.settings.bot.timezone)
        with runtime.unit_of_work(write=True) as db:
            return import_programme(
                db, runtime.settings.home_team_id, programme, runtime.clock.now()
            )

    return run


SAMPLE_PROGRAMME = """
[[session]]
key = "2027-06-10-symposium"
title = "Meningsfuld måling og afrapportering af kommuners bæredygtighed"
kind = "symposium"
starts = 2027-06-10T13:30:00+02:00
ends = 2027-06-10T15:30:00+02:00
location = "Microsoft Teams"
online_url = "https://teams.example.org/meet/1"

  [[session.agenda]]
  time = 13:35:00
  title = "Globale tendenser og mega trends"
  speakers = ["Dr Eleanor Roy (CIPFA)"]

  [[session.agenda]]
  time = 14:00:00
  title = "Data & indikatorer <for> verdensmålene"
  speakers = ["Anna Holm (Aarhus Kommune)", "Jens Berg (KL)"]

[[session]]
key = "2027-09-16-netvaerksmoede"
title = "Netværksmøde i Middelfart"
kind = "network_meeting"
starts = 2027-09-16T10:00:00
ends = 2027-09-16T15:00:00
location = "Middelfart Rådhus"
online_url = "https://teams.example.org/meet/2"
capacity = 40
price = 1500
"""


@pytest.fixture
def sample_programme(import_programme_text: ImportText) -> ImportResult:
    return import_programme_text(SAMPLE_PROGRAMME)


# --- no personal data in the log ------------------------------------------------------------
#
# Every test that talks to the bot over HTTP runs with every logger at DEBUG
# into a capture; afterwards the captured text (tracebacks included) must hold
# none of the names, organisations and comments the test used, nor the token or
# the signing secret.

# Inputs whose values are personal: what members type as name, organisation and comments.
PERSONAL_INPUTS = (
    BlockId.PROFILE_NAME,
    BlockId.PROFILE_ORGANISATION_OTHER,
    BlockId.FEEDBACK_VALUABLE,
    BlockId.FEEDBACK_CHANGE,
)
SHORTEST_CHECKED = 4  # "Bo" or "ok" would match unrelated words


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _typed_personal_values(bodies: list[bytes]) -> set[str]:
    found: set[str] = set()
    for body in bodies:
        try:
            payload = json.loads(parse_qs(body.decode("utf-8"))["payload"][0])
            values = payload["view"]["state"]["values"]
        except (KeyError, ValueError, TypeError, IndexError, RecursionError):
            continue
        if not isinstance(values, dict):
            continue
        for block_id in PERSONAL_INPUTS:
            for element in (values.get(block_id) or {}).values():
                if isinstance(element, dict) and isinstance(element.get("value"), str):
                    found.add(element["value"])
    return found


def _stored_personal_values(runtime: Runtime) -> set[str]:
    with runtime.unit_of_work() as db:
        found = set(db.scalars(select(Member.name))) | set(
            db.scalars(select(Member.slack_real_name))
        )
        found |= set(db.scalars(select(Organisation.name)))
        found |= set(db.scalars(select(FeedbackResponse.most_valuable)))
        found |= set(db.scalars(select(FeedbackResponse.should_change)))
    return found


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    if "slack" not in request.fixturenames:
        yield
        return
    runtime: Runtime = request.getfixturevalue("runtime")
    standin: FaultyStandIn = request.getfixturevalue("standin")
    client: SignedSlackClient = request.getfixturevalue("slack")
    capture = _Capture()
    root = logging.getLogger()
    level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(capture)
        root.setLevel(level)
    people: Any = getattr(standin, "_users", {})
    personal = {SIGNING_SECRET, BOT_TOKEN}
    personal |= {u.real_name for u in people.values()} | {u.display_name for u in people.values()}
    personal |= _typed_personal_values(client.sent)
    personal |= _stored_personal_values(runtime)
    checked = {value.strip() for value in personal if len(value.strip()) >= SHORTEST_CHECKED}
    leaks = sorted(
        f"{value!r} in: {line[:300]}"
        for line in capture.lines
        for value in checked
        if value in line
    )
    assert not leaks, "personal data or secrets in the log:\n" + "\n".join(leaks[:20])
