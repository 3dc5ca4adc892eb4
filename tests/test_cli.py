"""The ``sdgbot`` command line as an operator uses it: real processes, real files."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import free_port
from tests.support.signed_client import SignedSlackClient

EXAMPLE = Path(__file__).parent.parent / "examples" / "program.toml"


def run_cli(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    return {"SDGBOT_CONFIG": str(config), "SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": ""}


def count_sessions(database_url: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        value = conn.execute(text("SELECT count(*) FROM programme_sessions")).scalar_one()
    engine.dispose()
    return int(value)


def test_import_twice_changes_nothing_the_second_time(
    cli_env: dict[str, str], database_url: str
) -> None:
    first = run_cli("import", str(EXAMPLE), env=cli_env)
    assert first.returncode == 0, first.stderr
    assert "9 created, 0 updated, 0 unchanged" in first.stdout
    engine = create_engine(database_url)
    with engine.connect() as conn:
        before = conn.execute(
            text("SELECT key, updated_at FROM programme_sessions ORDER BY key")
        ).all()
    second = run_cli("import", str(EXAMPLE), env=cli_env)
    assert second.returncode == 0, second.stderr
    assert "0 created, 0 updated, 9 unchanged" in second.stdout
    with engine.connect() as conn:
        after = conn.execute(
            text("SELECT key, updated_at FROM programme_sessions ORDER BY key")
        ).all()
    engine.dispose()
    assert before == after


def test_programme_with_a_wrong_date_is_rejected_with_its_line(
    cli_env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    good = EXAMPLE.read_text(encoding="utf-8")
    lines = good.splitlines()
    # Break the last session's start: an impossible date, far down the file.
    index = max(i for i, line in enumerate(lines) if line.startswith("starts"))
    lines[index] = "starts = 2027-02-30T13:30:00"
    bad = tmp_path / "bad.toml"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run_cli("import", str(bad), env=cli_env)
    assert result.returncode == 1
    assert f"bad.toml:{index + 1}:" in result.stderr
    assert "nothing was written" in result.stderr
    assert count_sessions(database_url) == 0


def test_config_error_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[bot]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    result = run_cli("db", "upgrade", env={"SDGBOT_CONFIG": str(config)})
    assert result.returncode == 2
    assert "bot.timezone" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_without_tokens_names_the_missing_secret(cli_env: dict[str, str]) -> None:
    result = run_cli("serve", env=cli_env)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr


def test_socket_mode_without_app_token_names_it(cli_env: dict[str, str]) -> None:
    result = run_cli("serve", "--socket", env={**cli_env, "SLACK_BOT_TOKEN": "xoxb-x"})
    assert result.returncode == 2
    assert "SLACK_APP_TOKEN" in result.stderr


@pytest.fixture
def serve_process(cli_env: dict[str, str]) -> Iterator[tuple[str, str]]:
    port = free_port()
    secret = "serve-secret"
    env = {
        **os.environ,
        **cli_env,
        "SLACK_BOT_TOKEN": "xoxb-x",
        "SLACK_SIGNING_SECRET": secret,
        "SDGBOT_SLACK_API_URL": "http://127.0.0.1:9/api/",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    client = SignedSlackClient(url, secret)
    deadline = time.monotonic() + 60
    while True:
        try:
            if client.raw("", {}, path="/healthz").status in (200, 405):
                break
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError(process.stdout.read().decode() if process.stdout else "no output")
        time.sleep(0.1)
    yield url, secret
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def test_sdgbot_serve_answers_signed_help_and_refuses_forged(
    serve_process: tuple[str, str],
) -> None:
    url, secret = serve_process
    client = SignedSlackClient(url, secret)
    # A first-time member's answer goes to response_url after users.info; the
    # request itself is acknowledged at once.
    assert client.command("help").status == 200
    forged = SignedSlackClient(url, "wrong-secret")
    assert forged.command("help").status == 401


def test_console_from_a_pipe_prints_the_next_session() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console"],
        input="/sdg next\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SDGBOT_CONFIG": "", "SLACK_BOT_TOKEN": ""},
        cwd=Path(__file__).parent.parent,
    )
    assert result.returncode == 0, result.stderr
    # A session of the example season, which is never over in the sandbox.
    titles = re.findall(r'^title = "(.*)"$', EXAMPLE.read_text(encoding="utf-8"), re.M)
    assert any(title in result.stdout for title in titles)
    assert "Register" in result.stdout or "Tilmeld" in result.stdout


def test_console_facilitator_flag_shows_facilitator_help() -> None:
    def console(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "console", *args, "--language", "en"],
            input="/sdg help\n",
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "SDGBOT_CONFIG": "", "SLACK_BOT_TOKEN": ""},
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "For facilitators" not in console()
    assert "`/sdg summary`" in console("--facilitator")
