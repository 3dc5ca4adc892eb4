"""A reminder fan-out through real `sdgbot serve` processes, against the Web API stand-in.

Run by hand: ``.venv/bin/python bench/reminder_fanout.py [--count 5000]
[--rate 100] [--database URL] [--limited-only] [--replicas N]
[--unlimited-only]``.  Prints figures; asserts nothing.  ``--limited-only``
runs the limited mode alone (with ``--replicas N``: N processes only; one,
then three without it), and prints when any 429 came; ``--unlimited-only``
the no-limit mode and its yardstick alone.  Modes:

- *no limit*: one `sdgbot serve` with a budget of 1000/s (the most the config
  allows), the stand-in answering everything; target: >= 0.8 of the loop's rate;
- *plain loop*, right after it: one slack_sdk WebClient posting the same
  messages (each text and its blocks, as the stand-in received them from the
  bot) one after another in a process of its own: the yardstick;
- *limited*: the stand-in allows chat.postMessage R/s (429 beyond) and the
  budget is R: one process, then three replicas sharing it; target: total
  <= 1.05 x count/R, 0 lost, 0 duplicates.

The servers start first, and the fan-out (all due at once) is planned once
every one of them paces for the others, as when replicas have run long
before a fan-out comes due: the figures are the sending alone, from the
first call's arrival to the last's.  While calls arrive, this process's heap
is frozen (tests/support/collector.py): the stand-in counts the limit in its
threads, and a full garbage collection here would bunch the arrivals.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from setting import ROOT, database_argument, int_argument, print_setting, throwaway_database
from sqlalchemy import select

from bot.clock import SystemClock
from bot.config import load_settings
from bot.db import Database, make_engine
from bot.delivery.scheduler import run_planners
from bot.models import Worker
from bot.runtime import Runtime
from tests.support import factories as make
from tests.support.collector import heap_frozen
from tests.support.faulty_standin import FaultyStandIn
from tests.support.serve_process import Server, serve_env, wait_until

TEAM = "T0001"
TOKEN = "xoxb-bench"

PLAIN_LOOP = """
import json, sys
from slack_sdk import WebClient
client = WebClient(token=sys.argv[1], base_url=sys.argv[2], retry_handlers=[])
with open(sys.argv[3], encoding="utf-8") as messages:
    for i, message in enumerate(json.load(messages)):
        channel = f"UP{i:06d}"
        client.chat_postMessage(channel=channel, text=message["text"], blocks=message["blocks"])
"""


def plan(url: str, config: Path, count: int, prefix: str) -> list[str]:
    """*count* members of a session in 30 minutes, their PT1H reminders planned and due."""
    environment = {
        "SDGBOT_CONFIG": str(config),
        "SDGBOT_DATABASE_URL": url,
        "SDGBOT_SLACK_TEAM_ID": TEAM,
        "SDGBOT_REMINDERS_OFFSETS": "PT1H",
        "SDGBOT_REMINDERS_QUIET_HOURS": "",
    }
    settings = load_settings(None, env=environment)
    runtime = Runtime(settings, Database(make_engine(url, pool_size=2)), SystemClock())
    now = runtime.clock.now()
    users = [f"{prefix}{i:06d}" for i in range(count)]
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(
            db,
            f"fan-out-{prefix}",
            starts=now + timedelta(minutes=30),
            now=now - timedelta(days=2),
            team_id=TEAM,
        )
        make.add_confirmed_crowd(
            db, session, users, registered_at=now - timedelta(days=1), team_id=TEAM
        )
    run_planners(runtime, now)
    runtime.database.dispose()
    return users


def delivered(standin: FaultyStandIn, prefix: str) -> tuple[Counter[str], list[float], int]:
    calls = [
        c for c in standin.calls_to("chat.postMessage") if str(c.args["channel"]).startswith(prefix)
    ]
    ok = [c for c in calls if c.status == 200 and c.response.get("ok")]
    refused = sum(1 for c in calls if c.status == 429)
    return Counter(str(c.args["channel"]) for c in ok), sorted(c.at for c in ok), refused


def sent_messages(standin: FaultyStandIn, prefix: str) -> list[dict[str, object]]:
    """The text and blocks of each message the bot posted, as the stand-in received them."""
    return [
        {"text": c.args.get("text", ""), "blocks": c.args.get("blocks")}
        for c in standin.calls_to("chat.postMessage")
        if str(c.args["channel"]).startswith(prefix) and c.status == 200
    ]


def report(
    name: str, count: int, per_member: Counter[str], times: list[float], refused: int, target: str
) -> float:
    seconds = times[-1] - times[0] if len(times) > 1 else float("nan")
    rate = (len(times) - 1) / seconds if len(times) > 1 else float("nan")
    lost = count - len(per_member)
    duplicates = sum(per_member.values()) - len(per_member)
    print(
        f"{name:<28} {len(times):>5} sent in {seconds:6.2f} s = {rate:6.0f}/s; "
        f"lost {lost}, duplicates {duplicates}, 429s {refused}; {target}"
    )
    return rate


def pacing_for_each_other(url: str, replicas: int) -> bool:
    """Every live process's heartbeat row says it paces for *replicas*."""
    engine = make_engine(url, pool_size=1)
    with engine.connect() as conn:
        shares = list(conn.execute(select(Worker.pacing_for)).scalars())
    engine.dispose()
    return shares == [replicas] * replicas


def run_fan_out(
    env: dict[str, str],
    config: Path,
    replicas: int,
    prefix: str,
    count: int,
    standin: FaultyStandIn,
    timeout: float,
) -> None:
    """Start *replicas* servers; once they share the budget, plan *count* reminders due now."""
    url = env["SDGBOT_DATABASE_URL"]
    logs = config.parent
    servers = [Server(env, logs / f"serve-{prefix}-{i}.log") for i in range(replicas)]
    try:
        for server in servers:
            server.wait_ready()
        wait_until(lambda: pacing_for_each_other(url, replicas), 30, "the shares")
        with heap_frozen():
            plan(url, config, count, prefix)
            wait_until(
                lambda: len(delivered(standin, prefix)[0]) >= count, timeout, f"{count} sent"
            )
            time.sleep(1.5)  # anything sent twice would come now
    finally:
        for server in servers:
            server.stop()


def main() -> None:
    count = int_argument("--count", 5000)
    rate = int_argument("--rate", 100)
    url, engine, workdir = throwaway_database(database_argument())
    engine.dispose()
    print_setting(
        f"reminder fan-out: {count} reminders, {url.split(':')[0]}, limited runs at {rate}/s"
    )
    work = Path(workdir.name)
    config = work / "config.toml"
    config.write_text("", encoding="utf-8")
    limited_only = "--limited-only" in sys.argv
    replica_counts = (int_argument("--replicas", 0),) if "--replicas" in sys.argv else (1, 3)
    with FaultyStandIn() as standin:
        if limited_only:
            limited(standin, url, config, count, rate, replica_counts)
            workdir.cleanup()
            return
        run_fan_out(environment(standin, url, config, 1000), config, 1, "UN", count, standin, 120)
        unlimited = report("sdgbot serve, no limit", count, *delivered(standin, "UN"), target="")

        # The yardstick posts the very messages the bot sent: the stand-in reads
        # and checks each one's blocks, which costs its process as much for both.
        sent = work / "messages.json"
        sent.write_text(json.dumps(sent_messages(standin, "UN")), encoding="utf-8")
        started = time.monotonic()
        with heap_frozen():  # as for the servers' calls
            subprocess.run(
                [sys.executable, "-c", PLAIN_LOOP, TOKEN, standin.api_url, str(sent)],
                check=True,
                cwd=ROOT,
            )
        loop_rate = report(
            "plain slack_sdk loop",
            count,
            *delivered(standin, "UP"),
            target=f"(whole run {time.monotonic() - started:.1f} s)",
        )
        print(f"{'':<28} {unlimited / loop_rate:.2f} of the plain loop's rate (target >= 0.8)")
        if "--unlimited-only" in sys.argv:
            workdir.cleanup()
            return

        limited(standin, url, config, count, rate, replica_counts)
    workdir.cleanup()


def environment(standin: FaultyStandIn, url: str, config: Path, budget: int) -> dict[str, str]:
    return serve_env(
        config=config,
        database_url=url,
        api_url=standin.api_url,
        team_id=TEAM,
        bot_token=TOKEN,
        signing_secret="bench",
        REMINDERS_OFFSETS="PT1H",
        REMINDERS_QUIET_HOURS="",
        REMINDERS_TICK_SECONDS="30",
        REMINDERS_SEND_RATE_PER_SECOND=str(budget),
    )


def limited(
    standin: FaultyStandIn,
    url: str,
    config: Path,
    count: int,
    rate: int,
    replica_counts: tuple[int, ...],
) -> None:
    standin.limit_rate("chat.postMessage", rate)
    for replicas in replica_counts:
        prefix = f"U{replicas}R"
        env = environment(standin, url, config, rate)
        run_fan_out(env, config, replicas, prefix, count, standin, 3 * count / rate + 30)
        per_member, times, refused = delivered(standin, prefix)
        seconds = times[-1] - times[0]
        report(
            f"{replicas} replica(s) at {rate}/s",
            count,
            per_member,
            times,
            refused,
            target=f"{seconds / (count / rate):.3f} x {count}/R (target <= 1.05)",
        )
        if refused:
            moments = [
                f"{call.at - times[0]:.2f}"
                for call in standin.calls_to("chat.postMessage")
                if call.status == 429 and str(call.args["channel"]).startswith(prefix)
            ]
            print(f"{'':<28} 429s at {', '.join(moments)} s after the first call")


if __name__ == "__main__":
    main()
