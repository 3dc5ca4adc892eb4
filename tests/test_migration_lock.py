"""Two replicas starting together on an empty database migrate it once; the second waits."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.health import code_heads
from tests.conftest import free_port

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
POSTGRES_URL = os.environ.get("SDGBOT_TEST_POSTGRES_URL", "")


def healthy(port: int) -> bool:
    try:
        with NO_PROXY.open(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.HTTPError):
        return False


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("needs SDGBOT_TEST_POSTGRES_URL (make test runs it on PostgreSQL)")
    name = f"sdgbot_lock_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def empty_sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fresh.db'}"


def start_two_replicas_at_once(url: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    env = {
        **os.environ,
        "SDGBOT_CONFIG": str(config),
        "SLACK_BOT_TOKEN": "xoxb-x",
        "SLACK_SIGNING_SECRET": "s",
        "SDGBOT_SLACK_API_URL": "http://127.0.0.1:9/api/",
    }
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"replica-{n}.log" for n in (1, 2)]
    processes = []
    for port, log in zip(ports, logs, strict=True):
        with log.open("wb") as out:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"]
                    + ["--port", str(port)],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        deadline = time.monotonic() + 90
        while not all(healthy(port) for port in ports):
            for process, log in zip(processes, logs, strict=True):
                assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, [log.read_text()[-2000:] for log in logs]
            time.sleep(0.2)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    texts = [log.read_text() for log in logs]
    migrated = [t.count("database migrated: empty ->") for t in texts]
    assert sorted(migrated) == [0, 1], texts
    assert not any("Traceback" in t for t in texts), texts
    engine = create_engine(url)
    with engine.connect() as conn:
        versions = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    engine.dispose()
    assert versions == set(code_heads())


def test_two_replicas_on_an_empty_postgresql_migrate_once(
    empty_postgres: str, tmp_path: Path
) -> None:
    start_two_replicas_at_once(empty_postgres, tmp_path)


def test_two_replicas_on_an_empty_sqlite_file_migrate_once(
    empty_sqlite: str, tmp_path: Path
) -> None:
    start_two_replicas_at_once(empty_sqlite, tmp_path)
