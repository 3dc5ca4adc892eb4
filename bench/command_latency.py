"""`/sdg next` over real signed HTTP to `sdgbot serve`, next to a bare bolt app.

Run by hand: ``.venv/bin/python bench/command_latency.py [--rounds 4]
[--database URL]``.  Prints figures; asserts nothing.  The database holds
200 sessions and 5,000 members (10,000 registrations) whose Slack profiles
are cached, so every answer is computed inside the HTTP response.  The bare
app is bolt on the same HTTP server (bot/server.py, uvicorn) with one `/sdg`
listener that acks a fixed text; the two are measured in turns, A B A B.
Targets: one client p50 <= 5 ms; 8 concurrent clients p95 <= the bare app's
p95; 32 concurrent p99 < 250 ms.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from setting import ROOT, database_argument, int_argument, print_setting, throwaway_database
from sqlalchemy import insert, select

from bot.clock import SystemClock
from bot.config import load_settings
from bot.db import Database
from bot.delivery.scheduler import run_planners
from bot.models import Member, ProgrammeSession, Registration
from bot.runtime import Runtime
from tests.conftest import free_port
from tests.support import factories as make
from tests.support.burst import percentile
from tests.support.serve_process import Server, serve_env, wait_until
from tests.support.signed_client import SignedSlackClient

SECRET = "bench-secret"
TEAM = "T0001"
MEMBERS = 5000
SESSIONS = 200

BARE_BOLT = """
import sys
import anyio
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.authorization import AuthorizeResult
from starlette.applications import Starlette
from starlette.routing import Route
from bot.server import REQUEST_THREADS, serve_http

def authorize(enterprise_id, team_id):  # as sdgbot's: the token is known, no auth.test
    return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-bare")

app = App(signing_secret=sys.argv[1], authorize=authorize, process_before_response=True)

@app.command("/sdg")
def sdg(ack):
    ack("Næste møde: Netværksmøde i Aarhus, torsdag 10. december kl. 10.00")

# sdgbot's HTTP server (uvicorn, Starlette, bolt in a thread pool of the same size),
# without sdgbot's edge in front of bolt.
limiter = anyio.CapacityLimiter(REQUEST_THREADS)

async def events(request):
    bolt_request = to_bolt_request(request, await request.body())
    response = await anyio.to_thread.run_sync(app.dispatch, bolt_request, limiter=limiter)
    return to_starlette_response(response)

serve_http(Starlette(routes=[Route("/slack/events", events, methods=["POST"])]),
           "127.0.0.1", int(sys.argv[2]))
"""


def populate(database: Database) -> list[str]:
    now = datetime.now(UTC)
    with database.unit_of_work(write=True) as db:
        organisation = make.add_organisation(db, "Aarhus Kommune", team_id=TEAM)
        for i in range(SESSIONS):
            make.add_session(
                db,
                f"session-{i:03d}",
                starts=now + timedelta(days=2 + i * 2, hours=i % 5),
                now=now,
                capacity=40,
                team_id=TEAM,
            )
        users = [f"UC{i:05d}" for i in range(MEMBERS)]
        db.execute(
            insert(Member),
            [
                {
                    "team_id": TEAM,
                    "slack_user_id": user,
                    "name": f"Member {user}",
                    "organisation_id": organisation.id,
                    "role": "leader",
                    "language": "da",
                    "slack_locale": "da-DK",
                    "slack_tz": "Europe/Copenhagen",
                    "slack_real_name": "",
                    "slack_profile_fetched_at": now,
                    "created_at": now,
                }
                for user in users
            ],
        )
        member_ids = list(db.scalars(select(Member.id).order_by(Member.id)))
        session_ids = list(db.scalars(select(ProgrammeSession.id).order_by(ProgrammeSession.id)))
        db.execute(
            insert(Registration),
            [
                {
                    "team_id": TEAM,
                    "session_id": session_ids[(n * 7 + k) % SESSIONS],
                    "member_id": member_id,
                    "status": "confirmed",
                    "attendance": "room",
                    "organisation_id": organisation.id,
                    "queued_at": now,
                    "registered_at": now,
                }
                for n, member_id in enumerate(member_ids)
                for k in (0, 1)
            ],
        )
    return users


def timed(client: SignedSlackClient, users: list[str], n: int, concurrency: int) -> list[float]:
    def one(i: int) -> float:
        result = client.command("next", user_id=users[i % len(users)])
        assert result.status == 200, result.status
        return result.elapsed

    if concurrency == 1:
        return [one(i) for i in range(n)]
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, range(n)))


def ms(values: list[float], p: float) -> float:
    return percentile([v * 1000 for v in values], p)


def main() -> None:
    rounds = int_argument("--rounds", 4)
    url, engine, workdir = throwaway_database(database_argument())
    print_setting(
        f"/sdg next: {SESSIONS} sessions, {MEMBERS} members, {engine.dialect.name}, "
        f"{rounds} rounds A B A B"
    )
    database = Database(engine)
    users = populate(database)
    # The reminders of those registrations, planned now rather than at the server's first tick.
    empty = Path(workdir.name) / "config.toml"
    empty.write_text("", encoding="utf-8")
    settings = load_settings(empty, env={"SDGBOT_SLACK_TEAM_ID": TEAM})
    run_planners(Runtime(settings, database, SystemClock()), datetime.now(UTC))
    engine.dispose()
    work = Path(workdir.name)
    config = work / "config.toml"
    config.write_text("", encoding="utf-8")
    env = serve_env(
        config=config,
        database_url=url,
        api_url="http://127.0.0.1:9/api/",
        team_id=TEAM,
        bot_token="xoxb-bench",
        signing_secret=SECRET,
        BOT_LANGUAGE="da",
    )
    bot = Server(env, work / "serve.log").wait_ready()
    bare_port = free_port()
    bare = subprocess.Popen(
        [sys.executable, "-c", BARE_BOLT, SECRET, str(bare_port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        sdgbot = SignedSlackClient(bot.url, SECRET, team_id=TEAM)
        plain = SignedSlackClient(f"http://127.0.0.1:{bare_port}", SECRET, team_id=TEAM)

        def bare_up() -> bool:
            try:
                return plain.command("next").status == 200
            except OSError:
                return False

        wait_until(bare_up, 30, "the bare bolt app")
        timed(sdgbot, users, 50, 1)  # warm up both
        timed(plain, users, 50, 1)

        one = timed(sdgbot, users, 300, 1)
        one_bare = timed(plain, users, 300, 1)
        print(
            f"1 client:    sdgbot p50 {ms(one, 50):6.1f} ms p95 {ms(one, 95):6.1f} ms | "
            f"bare bolt p50 {ms(one_bare, 50):6.1f} ms p95 {ms(one_bare, 95):6.1f} ms "
            f"(target: sdgbot p50 <= 5 ms)"
        )
        for concurrency, n in ((8, 400), (32, 640)):
            ours: list[float] = []
            theirs: list[float] = []
            ratios: list[float] = []
            for _ in range(rounds):
                a = timed(sdgbot, users, n, concurrency)
                b = timed(plain, users, n, concurrency)
                ours += a
                theirs += b
                ratios.append(ms(a, 95) / ms(b, 95))
            print(
                f"{concurrency:>2} clients:  sdgbot p50 {ms(ours, 50):6.1f} "
                f"p95 {ms(ours, 95):6.1f} "
                f"p99 {ms(ours, 99):6.1f} ms | bare bolt p50 {ms(theirs, 50):6.1f} "
                f"p95 {ms(theirs, 95):6.1f} p99 {ms(theirs, 99):6.1f} ms | p95 ratio "
                f"{ms(ours, 95) / ms(theirs, 95):.2f} (per round: "
                f"{', '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f})"
            )
        print("targets: 8 clients p95 ratio <= 1.00; 32 clients sdgbot p99 < 250 ms")
    finally:
        bot.stop()
        bare.terminate()
        bare.wait(timeout=10)
    workdir.cleanup()


if __name__ == "__main__":
    main()
