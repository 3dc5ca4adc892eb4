"""How fast members get an answer: /sdg next over real HTTP, one at a time and in a burst.

Run by hand: ``.venv/bin/python bench/ack_latency.py``.  Prints figures; asserts nothing.
The bot runs on uvicorn on 127.0.0.1 with a temporary SQLite file and the
example season; the Slack Web API is the in-process stand-in.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_app  # noqa: E402
from bot.calendar_feed import calendar_routes  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings, SlackSettings  # noqa: E402
from bot.db import Database, make_engine, upgrade  # noqa: E402
from bot.programme_file import load_programme  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.sandbox.slack_standin import SlackStandIn  # noqa: E402
from bot.server import build_http_app  # noqa: E402
from bot.services.programme import import_programme  # noqa: E402
from handlers import register_listeners  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.support.signed_client import SignedSlackClient  # noqa: E402

SECRET = "bench-secret"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{name:<34} n={len(ms):<4} median={statistics.median(ms):7.1f} ms  "
        f"p95={percentile(ms, 95):7.1f} ms  max={max(ms):7.1f} ms"
    )


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="sdgbot-bench-")
    with SlackStandIn() as standin:
        url = f"sqlite:///{workdir}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        settings = dataclasses.replace(
            Settings(),
            slack=SlackSettings(
                api_url=standin.api_url, team_id="T0001", bot_token="xoxb-b", signing_secret=SECRET
            ),
        )
        clock = FixedClock(datetime(2026, 9, 1, tzinfo=UTC))
        runtime = Runtime(settings, Database(engine), clock)
        with runtime.unit_of_work(write=True) as db:
            import_programme(
                db, "T0001", load_programme(ROOT / "examples" / "program.toml"), clock.now()
            )
        bolt_app = build_app(runtime, register_listeners)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                build_http_app(bolt_app, calendar_routes(runtime), runtime=runtime),
                host="127.0.0.1",
                port=port,
                log_level="warning",
                backlog=2048,
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        client = SignedSlackClient(f"http://127.0.0.1:{port}", SECRET, standin=standin)
        users = [f"U{n:05d}" for n in range(64)]
        for user in users:
            standin.add_user(user, locale="da-DK")
            client.command("next", user_id=user)  # first contact: users.info, then cached
        standin.wait_for("response_url", count=len(users), timeout=60)

        sequential = [client.command("next", user_id=users[i % 8]).elapsed for i in range(200)]
        report("/sdg next, one at a time", sequential)
        help_times = [client.command("help", user_id=users[i % 8]).elapsed for i in range(200)]
        report("/sdg help, one at a time", help_times)
        for burst in (32, 64):
            with ThreadPoolExecutor(max_workers=burst) as pool:
                results = list(pool.map(lambda u: client.command("next", user_id=u), users[:burst]))
            statuses = {r.status for r in results}
            report(f"/sdg next, {burst} at the same instant", [r.elapsed for r in results])
            print(f"{'':<34} statuses={sorted(statuses)}")
        server.should_exit = True
        thread.join()


if __name__ == "__main__":
    main()
