"""Migration 0011_recorded_fees: registrations made before seasons keep their fee.

Runs on a fresh SQLite file (migrated to 0003, the schema before this round,
filled with rows as the old release wrote them, then upgraded to head), so it
does not disturb the shared test database.  That the rows are all still there
also shows no migration rebuilt a table the others cascade from.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.config import FeeSettings
from bot.db import Database, make_engine, upgrade
from bot.services.fees import season_invoices

T = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
FEES = FeeSettings(member_price=10000, extra_participant_discount=0.25, currency="DKK")


def old_rows(engine) -> None:  # type: ignore[no-untyped-def]
    stamp = T.replace(tzinfo=None)
    with engine.begin() as conn:
        run = conn.exec_driver_sql
        run("INSERT INTO workspaces (team_id, name, created_at) VALUES ('T0001', '', ?)", (stamp,))
        for org_id, name in ((1, "Aarhus Kommune"), (2, "Oslo kommune")):
            run(
                "INSERT INTO organisations (id, team_id, name, country, is_municipality) "
                "VALUES (?, 'T0001', ?, 'DK', 1)",
                (org_id, name),
            )
        for member_id in (1, 2, 3, 4):
            run(
                "INSERT INTO members (id, team_id, slack_user_id, name, organisation_id, role, "
                "slack_real_name, created_at) VALUES (?, 'T0001', ?, ?, ?, 'leader', '', ?)",
                (member_id, f"U{member_id}", f"Member {member_id}", 1 if member_id < 4 else 2,
                 stamp),
            )  # fmt: skip
        # A session without a price (under the old rule: [fees] member_price), and a priced one.
        for session_id, key, price in ((1, "old-meeting", None), (2, "old-summit", 1500)):
            run(
                "INSERT INTO programme_sessions (id, team_id, key, title, kind, starts_at, "
                "ends_at, timezone, location, online_url, capacity, price, feedback, anonymous, "
                "description, created_at, updated_at) VALUES (?, 'T0001', ?, ?, "
                "'network_meeting', ?, ?, 'Europe/Copenhagen', 'Vejle Rådhus', '', 0, ?, 1, 0, "
                "'', ?, ?)",
                (session_id, key, key, (T + timedelta(days=30)).replace(tzinfo=None),
                 (T + timedelta(days=30, hours=5)).replace(tzinfo=None), price, stamp, stamp),
            )  # fmt: skip
        rows = [
            (1, 1, 1, "confirmed", 0),
            (2, 1, 2, "confirmed", 1),
            (3, 1, 4, "confirmed", 2),
            (4, 1, 3, "waiting", 3),
            (5, 2, 1, "confirmed", 0),
            (6, 2, 2, "cancelled", 1),
        ]
        for reg_id, session_id, member_id, status, minutes in rows:
            at = (T + timedelta(minutes=minutes)).replace(tzinfo=None)
            run(
                "INSERT INTO registrations (id, team_id, session_id, member_id, status, "
                "attendance, queued_at, registered_at, organisation_id) "
                "VALUES (?, 'T0001', ?, ?, ?, 'room', ?, ?, ?)",
                (reg_id, session_id, member_id, status, at, at, 1 if member_id < 4 else 2),
            )


@pytest.fixture
def migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.delenv("SDGBOT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./config.toml: the [fees] defaults
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0003")
    old_rows(engine)
    upgrade(engine)
    return Database(engine)


def test_old_registrations_keep_the_fee_the_per_session_rule_gave_them(migrated: Database) -> None:
    with migrated.engine.connect() as conn:
        recorded = conn.execute(
            text("SELECT id, recorded_fee, recorded_full_price FROM registrations ORDER BY id")
        ).all()
    assert [tuple(r) for r in recorded] == [
        (1, 10000, 10000),  # Aarhus, first: full member_price
        (2, 7500, 10000),  # Aarhus, second: 25 % off
        (3, 10000, 10000),  # Oslo: full
        (4, None, None),  # waiting: pays nothing, later by the season model
        (5, 1500, 1500),  # the priced session's own price
        (6, None, None),  # cancelled
    ]


def test_downgrading_and_upgrading_again_keeps_the_rows(migrated: Database) -> None:
    upgrade_to = migrated.engine
    from alembic import command

    from bot.db import alembic_config

    command.downgrade(alembic_config(upgrade_to), "0003")
    with upgrade_to.connect() as conn:
        counts = [
            conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("programme_sessions", "registrations", "members")
        ]
    assert counts == [2, 6, 4]
    upgrade(upgrade_to)
    with upgrade_to.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM registrations")).scalar() == 6


def test_the_invoices_show_the_recorded_fees_in_the_season(migrated: Database) -> None:
    with migrated.unit_of_work() as db:
        invoices = season_invoices(db, "T0001", "2026-2027", FEES, "Europe/Copenhagen")
    totals = {invoice.organisation: invoice.total for invoice in invoices.organisations}
    assert totals == {"Aarhus Kommune": 10000 + 7500 + 1500, "Oslo kommune": 10000}
    aarhus = next(i for i in invoices.organisations if i.organisation == "Aarhus Kommune")
    assert [(line.session_key, line.amount, line.discounted) for line in aarhus.lines] == [
        ("old-meeting", 10000, False),
        ("old-meeting", 7500, True),
        ("old-summit", 1500, False),
    ]
