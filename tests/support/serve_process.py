"""`sdgbot serve` as a real subprocess, for the multi-process tests and the benches."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tests.conftest import free_port


def serve_env(
    *,
    config: Path,
    database_url: str,
    api_url: str,
    team_id: str,
    bot_token: str,
    signing_secret: str,
    **settings: str,
) -> dict[str, str]:
    """The environment of a server: this one's, minus any SDGBOT_/SLACK_ overrides.

    *settings* are further ``SDGBOT_...`` variables, e.g. ``REMINDERS_OFFSETS="PT30S"``.
    """
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SDGBOT_", "SLACK_"))},
        "SDGBOT_CONFIG": str(config),
        "SLACK_BOT_TOKEN": bot_token,
        "SLACK_SIGNING_SECRET": signing_secret,
        "SDGBOT_SLACK_API_URL": api_url,
        "SDGBOT_SLACK_TEAM_ID": team_id,
        "SDGBOT_DATABASE_URL": database_url,
        "SDGBOT_LOGGING_LEVEL": "WARNING",
        **{f"SDGBOT_{name}": value for name, value in settings.items()},
    }


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)  # the polling process must not crowd the servers


class Server:
    """One `sdgbot serve` subprocess."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"]
            + ["--port", str(self.port)],
            env=env,
            cwd=log_path.parent,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"sdgbot serve exited:\n{self.log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):
                return True
        except OSError:
            return False

    def wait_ready(self, timeout: float = 60) -> Server:
        wait_until(self.ready, timeout, "sdgbot serve to listen")
        return self

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
