"""32 first-time members register for one session at the same instant.

Over real signed HTTP to a real `sdgbot serve` process: each types
`/sdg register KEY`, gets the profile modal, and all 32 press Submit at once.
Slack's rules hold for everyone (every ack within 3 s, every modal opened
while its trigger lives) and exactly `capacity` members get a seat.  Speed
figures are printed by bench/registration_burst.py, not asserted here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.models import Registration, RegistrationStatus
from bot.sandbox.slack_standin import SlackStandIn
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, TEAM_ID
from tests.support import factories as make
from tests.support.burst import one_burst
from tests.support.serve_process import Server, serve_env
from tests.support.signed_client import SignedSlackClient

pytestmark = pytest.mark.slow

CAPACITY = 20
BURST = 32
KEY = "burst-meeting"


@pytest.fixture
def server(database_url: str, standin: SlackStandIn, tmp_path: Path) -> Iterator[Server]:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    env = serve_env(
        config=config,
        database_url=database_url,
        api_url=standin.api_url,
        team_id=TEAM_ID,
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
    )
    server = Server(env, tmp_path / "serve.log").wait_ready()
    yield server
    server.stop()


def test_32_first_time_registrations_at_once_are_all_acked_in_time(
    database: Database, standin: SlackStandIn, server: Server
) -> None:
    now = datetime.now(UTC)
    with database.unit_of_work(write=True) as db:
        make.add_session(
            db, KEY, starts=now + timedelta(days=10), now=now - timedelta(days=1), capacity=CAPACITY
        )
        organisation = make.add_organisation(db, "Aarhus Kommune")
        option = (f"o:{organisation.id}", organisation.name)
    user_ids = [f"UBURST{i:03d}" for i in range(BURST)]
    for user_id in user_ids:
        standin.add_user(user_id, locale="da-DK")
    slack = SignedSlackClient(server.url, SIGNING_SECRET, team_id=TEAM_ID, standin=standin)

    figures = one_burst(slack, standin, user_ids, KEY, option)

    print(
        f"\nslowest command ack {max(figures.command_acks):.2f}s, views.open "
        f"{max(figures.views_open):.2f}s, submission ack {max(figures.submission_acks):.2f}s"
    )
    assert (figures.missing_modals, figures.failed_submissions) == (0, 0)
    assert len(figures.submission_acks) == BURST
    assert max(figures.command_acks) < 3.0
    assert max(figures.submission_acks) < 3.0
    assert max(figures.views_open) < 3.0  # the trigger_id still lived
    with database.unit_of_work() as db:
        statuses = {
            status: n
            for status, n in db.execute(
                select(Registration.status, func.count()).group_by(Registration.status)
            )
        }
    assert statuses == {
        RegistrationStatus.CONFIRMED: CAPACITY,
        RegistrationStatus.WAITING: BURST - CAPACITY,
    }
