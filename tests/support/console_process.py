"""``sdgbot console`` as a process, its standard input a pipe: what ``printf ... | make run`` does."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_console_process(
    lines: Sequence[str], *args: str, cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the console in *cwd* (no config.toml there) with *lines* piped in."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SDGBOT_", "SLACK_"))
    }
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", *args],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
    )


def programme_near_today(directory: Path) -> str:
    """A small programme whose first session is ten days ahead of the real clock.

    The console runs on the real clock; console tests that move it a fixed amount
    (``/time +15d``) need sessions at a known distance, which the example season,
    moved by whole years, does not give.
    """
    from datetime import UTC, datetime, timedelta

    first = (datetime.now(UTC) + timedelta(days=10)).date()
    second = first + timedelta(days=14)
    path = directory / "near.toml"
    path.write_text(
        f"""
[[session]]
key = "{first}-netvaerksmoede"
title = "Netværksmøde i Middelfart"
kind = "network_meeting"
starts = {first}T10:00:00
ends = {first}T15:00:00
location = "Middelfart Rådhus"
online_url = "https://teams.example.org/meet/1"
capacity = 40

[[session]]
key = "{second}-webinar"
title = "Webinar om data"
kind = "webinar"
starts = {second}T09:00:00
ends = {second}T10:00:00
location = "online"
online_url = "https://teams.example.org/meet/2"
""",
        encoding="utf-8",
    )
    return str(path)
