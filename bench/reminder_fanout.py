"""How fast a reminder fan-out goes through the delivery worker.

Run by hand: ``.venv/bin/python bench/reminder_fanout.py [COUNT] [DATABASE_URL]``.
Prints figures; asserts nothing.  The database is a temporary SQLite file
unless a URL is given (its tables are emptied first); Slack is the in-process
Web API stand-in.  Pacing is set far above Slack's limits so the figure is
the worker's own speed: planning, claiming, building, two commits per message.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings, SlackSettings  # noqa: E402
from bot.db import Database, make_engine, upgrade  # noqa: E402
from bot.delivery.scheduler import run_planners  # noqa: E402
from bot.delivery.slack_sender import make_delivery_client  # noqa: E402
from bot.delivery.worker import DeliveryWorker  # noqa: E402
from bot.models import Base  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.sandbox.slack_standin import SlackStandIn  # noqa: E402
from tests.support import factories as make  # noqa: E402

NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)


def main(count: int, url: str | None) -> None:
    workdir = tempfile.TemporaryDirectory(prefix="sdgbot-bench-")
    url = url or f"sqlite:///{workdir.name}/bench.db"
    engine = make_engine(url)
    upgrade(engine)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    with SlackStandIn() as standin:
        base = Settings()
        settings = dataclasses.replace(
            base,
            slack=SlackSettings(api_url=standin.api_url, team_id="T0001", bot_token="xoxb-b"),
            reminders=dataclasses.replace(
                base.reminders,
                offsets=(timedelta(hours=1),),
                offset_names=("PT1H",),
                send_rate_per_second=1000,
                quiet_hours=None,
            ),
        )
        runtime = Runtime(settings, Database(engine), FixedClock(NOW))
        with runtime.unit_of_work(write=True) as db:
            session = make.add_session(db, "bench", starts=NOW + timedelta(minutes=30), now=NOW)
            users = [f"UB{i:06d}" for i in range(count)]
            make.add_confirmed_crowd(db, session, users, registered_at=NOW - timedelta(days=1))

        started = time.perf_counter()
        run_planners(runtime, NOW)
        planned = time.perf_counter()
        worker = DeliveryWorker(runtime, make_delivery_client(settings))
        report = worker.run(lambda: NOW)
        finished = time.perf_counter()
        run_planners(runtime, NOW)
        replanned = time.perf_counter()

    send_seconds = finished - planned
    print(f"backend:             {engine.dialect.name}")
    print(f"reminders:           {count} ({report.sent} sent)")
    print(f"planning (new rows): {planned - started:.2f} s")
    print(f"planning (no-op):    {replanned - finished:.3f} s")
    print(
        f"sending:             {send_seconds:.2f} s = {report.sent / send_seconds:.0f} reminders/s"
    )
    engine.dispose()
    workdir.cleanup()


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 1000,
        sys.argv[2] if len(sys.argv) > 2 else None,
    )
