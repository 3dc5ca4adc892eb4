"""The workers' looks for due rows use the partial index of rows still to send.

Sent, skipped and failed rows stay in the table season after season; a look
that walked them all (the plain index on due_at) grew with every season, and
every worker looks every second.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.db import Database
from bot.delivery import claims

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TIMEOUT = timedelta(seconds=5)


def plan_of(db: Session, query: Any) -> str:
    """The database's plan for *query*, with its parameters bound as they would be."""
    connection = db.connection()
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    if connection.dialect.name == "sqlite":
        values = tuple(str(compiled.params[name]) for name in compiled.positiontup or ())
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values)
        return "\n".join(str(row[-1]) for row in rows)
    # A handful of rows makes a sequential scan the cheaper plan: ask whether the
    # index can serve the query at all.
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
    return "\n".join(str(row[0]) for row in rows)


def test_a_claim_and_an_idle_look_search_only_the_rows_still_to_send(database: Database) -> None:
    for own_orphans in (False, True):
        claimant = claims.Claimant("worker-1", own_orphans=own_orphans)
        query = claims._claim_query(["reminder", "feedback"], NOW, TIMEOUT, 32, claimant)
        with database.unit_of_work() as db:
            assert "ix_deliveries_to_send" in plan_of(db, query)


def test_the_index_holds_only_pending_and_sending_rows(database: Database) -> None:
    with database.unit_of_work() as db:
        if db.get_bind().dialect.name == "sqlite":
            sql = db.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'ix_deliveries_to_send'")
            ).scalar_one()
        else:
            sql = db.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_deliveries_to_send'")
            ).scalar_one()
    assert "pending" in sql and "sending" in sql
    assert "sent'" not in sql and "skipped" not in sql and "failed" not in sql
