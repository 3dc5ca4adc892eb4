"""What the operator endpoints cost: /healthz, /metrics, a private calendar feed, and the
request counting around bolt's dispatch.

Run by hand: ``.venv/bin/python bench/ops_endpoints.py``.  Prints figures; asserts nothing.
The bot runs on uvicorn on 127.0.0.1 with a temporary SQLite file, the example season,
5,000 members registered (15,000 reminder rows for /metrics to count) and the Web API
stand-in.  The counting overhead is measured A B A B: ``/sdg next`` with the dispatch
counted, then with bolt's own dispatch, interleaved.
"""

from __future__ import annotations

import dataclasses
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.calendar_feed import feed_path  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings, SlackSettings  # noqa: E402
from bot.db import Database, make_engine, upgrade  # noqa: E402
from bot.delivery.scheduler import run_planners  # noqa: E402
from bot.endpoints import ProcessState, endpoint_routes  # noqa: E402
from bot.health import TickPulse  # noqa: E402
from bot.models import Delivery, ProgrammeSession  # noqa: E402
from bot.programme_file import load_programme  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.sandbox.slack_standin import SlackStandIn  # noqa: E402
from bot.server import build_http_app  # noqa: E402
from bot.services.calendar_links import calendar_token  # noqa: E402
from bot.services.programme import import_programme  # noqa: E402
from handlers import register_listeners  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.support.factories import add_confirmed_crowd  # noqa: E402
from tests.support.signed_client import SignedSlackClient  # noqa: E402

SECRET = "bench-secret"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{name:<40} n={len(ms):<4} median={statistics.median(ms):7.2f} ms  "
        f"p95={percentile(ms, 95):7.2f} ms  max={max(ms):7.2f} ms"
    )


def timed_get(url: str) -> float:
    started = time.perf_counter()
    with NO_PROXY.open(url, timeout=10) as response:
        response.read()
    return time.perf_counter() - started


def main() -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    cores = len(__import__("os").sched_getaffinity(0))
    print(f"machine: {platform.machine()}, {cores} cores, python {platform.python_version()}")
    print(f"commit: {commit}")
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
            bot=dataclasses.replace(Settings().bot, public_url="http://127.0.0.1"),
        )
        clock = FixedClock(datetime(2026, 9, 1, tzinfo=UTC))
        runtime = Runtime(settings, Database(engine), clock)
        with runtime.unit_of_work(write=True) as db:
            import_programme(
                db, "T0001", load_programme(ROOT / "examples" / "program.toml"), clock.now()
            )
            first = db.scalars(
                select(ProgrammeSession).order_by(ProgrammeSession.starts_at)
            ).first()
            assert first is not None
            add_confirmed_crowd(
                db, first, [f"UC{n:05d}" for n in range(5000)], registered_at=clock.now()
            )
        run_planners(runtime, clock.now())
        with runtime.unit_of_work() as db:
            rows = db.scalar(select(func.count()).select_from(Delivery))
        with runtime.unit_of_work(write=True) as db:
            token = calendar_token(db, "T0001", "UC00001", clock.now())
        print(f"deliveries in the database: {rows}")

        bolt_app = build_app(runtime, register_listeners)
        routes = endpoint_routes(runtime, ProcessState(TickPulse(), "bench"))
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                build_http_app(bolt_app, routes),
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
        base = f"http://127.0.0.1:{port}"
        client = SignedSlackClient(base, SECRET, standin=standin)

        report("GET /healthz", [timed_get(base + "/healthz") for _ in range(200)])
        report(
            "GET /metrics (15,000 rows counted)", [timed_get(base + "/metrics") for _ in range(100)]
        )
        report(
            "GET private season feed (.ics)",
            [timed_get(base + feed_path(token)) for _ in range(100)],
        )

        users = [f"U{n:05d}" for n in range(8)]
        for user in users:
            standin.add_user(user, locale="da-DK")
            client.command("next", user_id=user)
        standin.wait_for("response_url", count=len(users), timeout=60)
        counted_dispatch = bolt_app.dispatch
        counted: list[float] = []
        bare: list[float] = []
        for _round in range(10):
            bolt_app.dispatch = counted_dispatch  # type: ignore[method-assign]
            counted += [client.command("next", user_id=users[i % 8]).elapsed for i in range(40)]
            del bolt_app.dispatch  # bolt's own App.dispatch again
            bare += [client.command("next", user_id=users[i % 8]).elapsed for i in range(40)]
        report("/sdg next, dispatch counted (A)", counted)
        report("/sdg next, bolt's dispatch (B)", bare)
        print(
            f"{'':<40} median ratio A/B = "
            f"{statistics.median(counted) / statistics.median(bare):.3f}"
        )
        server.should_exit = True
        thread.join()


if __name__ == "__main__":
    main()
