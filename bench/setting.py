"""What every bench prints first (the machine, its load, the commit) and the
throwaway database it runs on.  Run from a clean checkout: ``make venv`` once,
then ``.venv/bin/python bench/<name>.py``."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, text  # noqa: E402

from bot.db import make_engine, upgrade  # noqa: E402
from bot.models import Base  # noqa: E402


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def print_setting(what: str) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"# {what}")
    print(
        f"# commit {commit()}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load average {load}; Python {platform.python_version()}"
    )


def throwaway_database(url: str | None) -> tuple[str, Engine, tempfile.TemporaryDirectory[str]]:
    """A migrated, empty database: a temporary SQLite file, or *url* with its tables emptied."""
    workdir = tempfile.TemporaryDirectory(prefix="sdgbot-bench-")
    url = url or f"sqlite:///{workdir.name}/bench.db"
    engine = make_engine(url)
    upgrade(engine)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return url, engine, workdir


def database_argument() -> str | None:
    """``--database URL`` (a throwaway PostgreSQL database); SQLite without it."""
    if "--database" in sys.argv:
        return sys.argv[sys.argv.index("--database") + 1]
    return None


def int_argument(name: str, default: int) -> int:
    if name in sys.argv:
        return int(sys.argv[sys.argv.index(name) + 1])
    return default
