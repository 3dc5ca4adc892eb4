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
