"""Quieter logs, as `sdgbot serve` configures them: nothing from APScheduler per tick, one
readable INFO line for a tick that sent something, bolt's developer advice at DEBUG."""

from __future__ import annotations

import dataclasses
import io
import logging
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.clock import SystemClock
from bot.config import LoggingSettings
from bot.delivery.scheduler import DeliveryScheduler, run_due_work
from bot.delivery.slack_sender import make_delivery_client
from bot.logs import configure_logging
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from tests.support import factories as make
from tests.support.signed_client import SignedSlackClient


class Captured:
    def __init__(self) -> None:
        self.stream = io.StringIO()
        self._read = 0

    def new_lines(self) -> list[str]:
        text = self.stream.getvalue()
        fresh, self._read = text[self._read :], len(text)
        return [line for line in fresh.splitlines() if line.strip()]


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Captured]:
    """configure_logging as the command line calls it, its stderr captured."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    captured = Captured()
    monkeypatch.setattr(sys, "stderr", captured.stream)
    configure_logging(LoggingSettings())
    yield captured
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def test_ticks_with_nothing_to_do_log_nothing(runtime: Runtime, logs: Captured) -> None:
    settings = dataclasses.replace(
        runtime.settings,
        reminders=dataclasses.replace(runtime.settings.reminders, tick_seconds=1),
    )
    live = dataclasses.replace(runtime, settings=settings, clock=SystemClock())
    scheduler = DeliveryScheduler(live)
    scheduler.start()
    try:
        time.sleep(2.5)  # three ticks
    finally:
        scheduler.stop()
    logged = logs.new_lines()
    assert [line for line in logged if "apscheduler" in line] == [], logged
    assert not any("Running job" in line or "executed successfully" in line for line in logged)
    assert [line for line in logged if "deliveries" in line] == []
    assert len(logged) <= 1, logged  # at most the line saying the scheduler started


def test_a_tick_that_sends_says_so_in_one_readable_line(
    runtime: Runtime, standin: SlackStandIn, logs: Captured
) -> None:
    now = runtime.clock.now()
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(db, "soon", starts=now + timedelta(minutes=59), now=now)
        member = make.add_member(db, "U0ANNA", now=now, language="en")
        make.add_registration(db, session, member, registered_at=now - timedelta(days=1))
    standin.add_user("U0ANNA")
    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, now)
    sent = [line for line in logs.new_lines() if "deliveries" in line]
    assert len(sent) == 1, sent
    assert " INFO bot.delivery.worker: deliveries: 1 sent" in sent[0]
    assert "WorkReport(" not in sent[0]
    run_due_work(runtime, client, now + timedelta(minutes=1))
    assert [line for line in logs.new_lines() if "deliveries" in line] == []


def test_bolts_advice_for_an_unhandled_request_is_debug(
    slack: SignedSlackClient, logs: Captured
) -> None:
    slack.block_action("nobody.listens.to.this", "x", user_id="U0ANNA")
    time.sleep(0.2)
    logged = "\n".join(logs.new_lines())
    assert "[Suggestion]" not in logged and "Unhandled request" not in logged

    logging.getLogger().setLevel(logging.DEBUG)
    slack.block_action("nobody.listens.to.this", "x", user_id="U0ANNA")
    time.sleep(0.2)
    debug = [line for line in logs.new_lines() if "Unhandled request" in line]
    assert debug and all(" DEBUG " in line for line in debug)
