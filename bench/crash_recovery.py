"""kill -9 at a random moment of a reminder fan-out, restart at once: what arrives, and when.

Run by hand: ``.venv/bin/python bench/crash_recovery.py [--trials 20]
[--count 1000] [--rate 200] [--database URL]``.  Prints figures; asserts
nothing.  Each trial plans *count* reminders due now, starts `sdgbot serve`,
kills it with SIGKILL at a random moment of the fan-out, starts it again at
once and waits for every member's reminder.  Printed per trial: when the
kill came, the rows caught in 'sending' (the documented duplicate window),
the duplicates Slack received, lost reminders, and the time from the restart
(the new process being spawned) to the last reminder.
"""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

from reminder_fanout import TEAM, TOKEN, delivered, plan
from setting import database_argument, int_argument, print_setting, throwaway_database
from sqlalchemy import func, select

from bot.db import make_engine
from bot.models import Delivery, DeliveryState
from tests.support.faulty_standin import FaultyStandIn
from tests.support.serve_process import Server, serve_env, wait_until


def sending_rows(url: str) -> int:
    engine = make_engine(url, pool_size=1)
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.state == DeliveryState.SENDING)
        ).scalar_one()
    engine.dispose()
    return int(n)


def main() -> None:
    trials = int_argument("--trials", 20)
    count = int_argument("--count", 1000)
    rate = int_argument("--rate", 200)
    rng = random.Random(int_argument("--seed", 1))
    url, engine, workdir = throwaway_database(database_argument())
    engine.dispose()
    print_setting(
        f"crash recovery: kill -9 during a {count}-reminder fan-out, {trials} trials, "
        f"budget {rate}/s, {url.split(':')[0]}"
    )
    work = Path(workdir.name)
    config = work / "config.toml"
    config.write_text("", encoding="utf-8")
    recoveries: list[float] = []
    resumptions: list[float] = []
    total_lost = total_duplicates = total_window = 0
    with FaultyStandIn() as standin:
        standin.set_latency("chat.postMessage", 0.01)  # calls in flight at the kill
        env = serve_env(
            config=config,
            database_url=url,
            api_url=standin.api_url,
            team_id=TEAM,
            bot_token=TOKEN,
            signing_secret="bench",
            REMINDERS_OFFSETS="PT1H",
            REMINDERS_QUIET_HOURS="",
            REMINDERS_SEND_RATE_PER_SECOND=str(rate),
        )
        for trial in range(trials):
            prefix = f"K{trial:02d}"
            users = plan(url, config, count, prefix)
            first = Server(env, work / f"serve-{prefix}-a.log").wait_ready()
            # Somewhere in the fan-out: after 5 % .. 90 % of it has gone out.
            kill_at = rng.randint(count // 20, count * 9 // 10)

            def sent_at_least(n: int, prefix: str = prefix) -> bool:
                return len(delivered(standin, prefix)[0]) >= n

            wait_until(lambda n=kill_at: sent_at_least(n), 120, "the kill point")
            first.kill_hard()
            window = sending_rows(url)
            restarted = time.monotonic()
            second = Server(env, work / f"serve-{prefix}-b.log")
            try:
                wait_until(lambda: sent_at_least(count), 120, "all sent")
                time.sleep(1.0)  # a late duplicate would come now
            finally:
                second.stop()
            per_member, times, _refused = delivered(standin, prefix)
            recovery = times[-1] - restarted
            resumed = min(t for t in times if t > restarted) - restarted
            lost = len(set(users) - set(per_member))
            duplicates = sum(per_member.values()) - len(per_member)
            recoveries.append(recovery)
            resumptions.append(resumed)
            total_lost += lost
            total_duplicates += duplicates
            total_window += window
            print(
                f"trial {trial + 1:>2}: killed after {kill_at:>4} sent; 'sending' at the kill "
                f"{window}; duplicates {duplicates}; lost {lost}; restart to first / last "
                f"reminder {resumed:5.2f} / {recovery:5.2f} s"
            )
    print(
        f"{trials} trials: lost {total_lost}; duplicates {total_duplicates} "
        f"(rows caught in 'sending': {total_window}); restart to first reminder median "
        f"{statistics.median(resumptions):.2f} s, max {max(resumptions):.2f} s; to the last "
        f"median {statistics.median(recoveries):.2f} s, max {max(recoveries):.2f} s"
    )
    workdir.cleanup()


if __name__ == "__main__":
    main()
