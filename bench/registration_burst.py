"""First-time registrations in bursts, over signed HTTP to a real `sdgbot serve`.

Run by hand: ``.venv/bin/python bench/registration_burst.py [--members 300]
[--burst 32] [--capacity 20] [--database URL]``.  Prints figures; asserts
nothing.  Each member types `/sdg register KEY`, gets the profile modal, and
the members of a burst press Submit at the same instant (see
tests/support/burst.py).  Targets: no ack over 3 s, ack p99 <= 1 s,
views.open p99 <= 1.5 s after the command, exactly `capacity` confirmed.
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path

from setting import database_argument, int_argument, print_setting, throwaway_database

from bot.db import Database
from bot.models import Registration, RegistrationStatus
from bot.sandbox.slack_standin import SlackStandIn
from tests.support import factories as make
from tests.support.burst import BurstFigures, one_burst, percentile
from tests.support.serve_process import Server, serve_env
from tests.support.signed_client import SignedSlackClient

SECRET = "bench-secret"
TEAM = "T0001"


def line(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{name:<26} n={len(ms):<4} p50={statistics.median(ms):7.0f} ms  "
        f"p95={percentile(ms, 95):7.0f} ms  p99={percentile(ms, 99):7.0f} ms  "
        f"max={max(ms):7.0f} ms  over 3 s: {sum(1 for m in ms if m > 3000)}"
    )


def main() -> None:
    members = int_argument("--members", 300)
    burst = int_argument("--burst", 32)
    capacity = int_argument("--capacity", 20)
    url, engine, workdir = throwaway_database(database_argument())
    print_setting(
        f"registration bursts: {members} first-time members in bursts of {burst}, "
        f"{capacity} seats, {engine.dialect.name}"
    )
    database = Database(engine)
    now = datetime.now(UTC)
    with database.unit_of_work(write=True) as db:
        make.add_session(
            db,
            "burst",
            starts=now + timedelta(days=10),
            now=now - timedelta(days=1),
            capacity=capacity,
            team_id=TEAM,
        )
        organisation = make.add_organisation(db, "Aarhus Kommune", team_id=TEAM)
        option = (f"o:{organisation.id}", organisation.name)
    config = Path(workdir.name) / "config.toml"
    config.write_text("", encoding="utf-8")
    with SlackStandIn() as standin:
        env = serve_env(
            config=config,
            database_url=url,
            api_url=standin.api_url,
            team_id=TEAM,
            bot_token="xoxb-bench",
            signing_secret=SECRET,
        )
        server = Server(env, Path(workdir.name) / "serve.log").wait_ready()
        try:
            slack = SignedSlackClient(server.url, SECRET, team_id=TEAM, standin=standin)
            figures = BurstFigures()
            user_ids = [f"UB{i:05d}" for i in range(members)]
            for user_id in user_ids:
                standin.add_user(user_id, locale="da-DK")
            for start in range(0, members, burst):
                figures.add(
                    one_burst(slack, standin, user_ids[start : start + burst], "burst", option)
                )
        finally:
            server.stop()
    with database.unit_of_work() as db:
        confirmed = db.query(Registration).filter_by(status=RegistrationStatus.CONFIRMED).count()
    line("/sdg register ack", figures.command_acks)
    line("views.open after command", figures.views_open)
    line("view_submission ack", figures.submission_acks)
    acks = figures.command_acks + figures.submission_acks
    line("all acks", acks)
    print(
        f"confirmed {confirmed} of {capacity} seats; modals missing or late: "
        f"{figures.missing_modals}; failed submissions: {figures.failed_submissions}"
    )
    engine.dispose()
    workdir.cleanup()


if __name__ == "__main__":
    main()
