"""`sdgbot serve`: time from start to ready, and its idle memory.

Run by hand: ``.venv/bin/python bench/footprint.py [--runs 3] [--database URL]``.
Prints figures; asserts nothing.  Ready is the first 200 from /healthz after
the process is spawned; the idle RSS is read from /proc after 10 s with
nothing to do (its heartbeat and sending loop running).  Target: RSS < 120 MB.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from setting import database_argument, int_argument, print_setting, throwaway_database

from bot.sandbox.slack_standin import SlackStandIn
from tests.support.serve_process import Server, serve_env


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    runs = int_argument("--runs", 3)
    url, engine, workdir = throwaway_database(database_argument())
    engine.dispose()
    print_setting(f"footprint of sdgbot serve, {runs} runs, {url.split(':')[0]}")
    work = Path(workdir.name)
    config = work / "config.toml"
    config.write_text("", encoding="utf-8")
    ready: list[float] = []
    rss: list[float] = []
    with SlackStandIn() as standin:
        env = serve_env(
            config=config,
            database_url=url,
            api_url=standin.api_url,
            team_id="T0001",
            bot_token="xoxb-bench",
            signing_secret="bench",
        )
        for run in range(runs):
            server = Server(env, work / f"serve-{run}.log")
            server.wait_ready()
            ready.append(time.monotonic() - server.started)
            time.sleep(10)
            rss.append(rss_mb(server.process.pid))
            server.stop()
            print(f"run {run + 1}: ready after {ready[-1]:.2f} s; idle RSS {rss[-1]:.1f} MB")
    print(
        f"start to ready: median {statistics.median(ready):.2f} s, max {max(ready):.2f} s; "
        f"idle RSS median {statistics.median(rss):.1f} MB, max {max(rss):.1f} MB (target < 120 MB)"
    )
    workdir.cleanup()


if __name__ == "__main__":
    main()
