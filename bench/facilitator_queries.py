"""Facilitator queries on big sessions: a summary of 10,000 responses, an export of 100,000
registrations.

Run by hand: ``.venv/bin/python bench/facilitator_queries.py [--repeat 3]
[--database URL]``.  Prints figures; asserts nothing.  Timed as the
facilitator's request runs them: the service in a read-only unit of work,
then the rendering (the summary's message, its chart; the two CSV files,
and the workbook apart).  Targets: summary < 300 ms; export < 3 s.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from setting import database_argument, int_argument, print_setting, throwaway_database
from sqlalchemy import insert, select

from bot.config import FeeSettings
from bot.db import Database
from bot.i18n import Translator
from bot.models import FeedbackResponse, FeedbackSdg, Member, Registration
from bot.rendering.charts import summary_chart_png
from bot.rendering.csv_files import export_workbook, feedback_csv, registrations_csv
from bot.rendering.summaries import summary_reply
from bot.services import exports, summaries
from tests.support import factories as make

TEAM = "T0001"
RESPONSES = 10_000
REGISTRATIONS = 100_000
CHUNK = 10_000


def populate(database: Database) -> None:
    rng = random.Random(7)
    now = datetime.now(UTC)
    with database.unit_of_work(write=True) as db:
        organisations = [
            make.add_organisation(db, f"Kommune {i:02d}", team_id=TEAM).id for i in range(98)
        ]
        past = make.add_session(
            db,
            "summary",
            starts=now - timedelta(days=3),
            now=now - timedelta(days=30),
            team_id=TEAM,
        )
        big = make.add_session(
            db, "export", starts=now + timedelta(days=30), now=now, capacity=0, team_id=TEAM
        )
        past_id, big_id = past.id, big.id
    for start in range(0, REGISTRATIONS, CHUNK):
        with database.unit_of_work(write=True) as db:
            db.execute(
                insert(Member),
                [
                    {
                        "team_id": TEAM,
                        "slack_user_id": f"UQ{i:06d}",
                        "name": f"Member {i}",
                        "organisation_id": organisations[i % len(organisations)],
                        "role": "leader",
                        "language": "da",
                        "slack_real_name": "",
                        "created_at": now,
                    }
                    for i in range(start, start + CHUNK)
                ],
            )
    with database.unit_of_work(write=True) as db:
        member_ids = list(db.scalars(select(Member.id).order_by(Member.id)))
        org_of = dict(db.execute(select(Member.id, Member.organisation_id)).tuples().all())
    for start in range(0, REGISTRATIONS, CHUNK):
        with database.unit_of_work(write=True) as db:
            db.execute(
                insert(Registration),
                [
                    {
                        "team_id": TEAM,
                        "session_id": big_id,
                        "member_id": member_id,
                        "status": "confirmed",
                        "attendance": "room",
                        "organisation_id": org_of[member_id],
                        "queued_at": now - timedelta(seconds=n),
                        "registered_at": now - timedelta(seconds=n),
                    }
                    for n, member_id in enumerate(member_ids[start : start + CHUNK], start)
                ],
            )
    # Answers are stored under random ids (bot.services.feedback), not numbered by the database.
    response_ids = rng.sample(range(1, 2**31), RESPONSES)
    with database.unit_of_work(write=True) as db:
        db.execute(
            insert(FeedbackResponse),
            [
                {
                    "id": response_id,
                    "team_id": TEAM,
                    "session_id": past_id,
                    "member_id": member_id,
                    "rating": rng.randint(1, 5),
                    "most_valuable": rng.choice(["Cases fra andre kommuner", "Netværket", ""]),
                    "should_change": rng.choice(["Mere tid til dialog", "", "Kortere oplæg"]),
                    "would_recommend": rng.random() < 0.8,
                    "role": "leader",
                    "organisation_name": f"Kommune {member_id % 98:02d}",
                }
                for response_id, member_id in zip(response_ids, member_ids[:RESPONSES], strict=True)
            ],
        )
        db.execute(
            insert(FeedbackSdg),
            [
                {"response_id": response_id, "goal": goal}
                for response_id in response_ids
                for goal in rng.sample(range(1, 18), 2)
            ],
        )


def timed(what: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        what()
        times.append(time.perf_counter() - started)
    return times


def line(name: str, seconds: list[float], target: str) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{name:<44} median {statistics.median(ms):7.0f} ms  max {max(ms):7.0f} ms  {target}")


def main() -> None:
    repeat = int_argument("--repeat", 3)
    url, engine, workdir = throwaway_database(database_argument())
    print_setting(
        f"facilitator queries: {RESPONSES} responses, {REGISTRATIONS} registrations, "
        f"{engine.dialect.name}, {repeat} runs each"
    )
    database = Database(engine)
    started = time.perf_counter()
    populate(database)
    print(f"# populated in {time.perf_counter() - started:.1f} s")
    t = Translator("da", "Europe/Copenhagen")
    zone = ZoneInfo("Europe/Copenhagen")
    fees = FeeSettings()

    def summary() -> object:
        with database.unit_of_work() as db:
            result = summaries.feedback_summary(db, TEAM, "summary")
        return summary_reply(result, t)

    with database.unit_of_work() as db:
        the_summary = summaries.feedback_summary(db, TEAM, "summary")

    def export() -> object:
        with database.unit_of_work() as db:
            result = exports.session_export(db, TEAM, "export", fees)
        return registrations_csv(result, t, zone), feedback_csv(result, t)

    line("summary of 10,000 responses (service + message)", timed(summary, repeat), "< 300 ms")
    chart = timed(lambda: summary_chart_png(the_summary, t), repeat)
    line("  its chart (PNG, matplotlib; uploaded after the answer)", chart, "")
    line("export of 100,000 registrations (+ CSV)", timed(export, repeat), "< 3000 ms")
    with database.unit_of_work() as db:
        the_export = exports.session_export(db, TEAM, "export", fees)
    workbook = timed(lambda: export_workbook(the_export, t, zone), repeat)
    line("  its workbook (.xlsx, uploaded with the CSVs)", workbook, "")
    engine.dispose()
    workdir.cleanup()


if __name__ == "__main__":
    main()
