"""The database layer: migrations, SQLite settings, UTC round trips, team ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import StatementError

from bot.db import Database, make_engine, upgrade
from bot.models import Base, ProgrammeSession
from tests.conftest import BACKEND


def make_session(key: str, starts: datetime) -> ProgrammeSession:
    return ProgrammeSession(
        team_id="T1",
        key=key,
        title="t",
        kind="webinar",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        timezone="Europe/Copenhagen",
        location="online",
        online_url="",
        capacity=0,
        price=None,
        feedback=True,
        anonymous=False,
        description="",
        created_at=starts,
        updated_at=starts,
    )


def test_migrations_create_every_model_table(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    upgrade(database.engine)  # applying again is harmless


def test_every_workspace_row_carries_a_team_id() -> None:
    owned = {
        "organisations",
        "members",
        "programme_sessions",
        "registrations",
        "deliveries",
        "feedback_responses",
        "workspaces",
    }
    for table in Base.metadata.sorted_tables:
        if table.name in owned:
            assert "team_id" in table.c, table.name


def test_times_come_back_aware_in_utc(database: Database) -> None:
    copenhagen = timezone(timedelta(hours=2))
    starts = datetime(2027, 6, 10, 13, 30, tzinfo=copenhagen)
    with database.unit_of_work(write=True) as db:
        db.add(make_session("k1", starts))
    with database.unit_of_work() as db:
        stored = db.scalars(select(ProgrammeSession)).one()
    assert stored.starts_at == starts
    assert stored.starts_at.tzinfo is not None
    assert stored.starts_at.utcoffset() == timedelta(0)
    assert stored.starts_at.hour == 11


def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(StatementError), database.unit_of_work(write=True) as db:
        db.add(make_session("k2", datetime(2027, 6, 10, 13, 30)))
        db.flush()


def test_unit_of_work_rolls_back_on_error(database: Database) -> None:
    with pytest.raises(RuntimeError), database.unit_of_work(write=True) as db:
        db.add(make_session("k3", datetime(2027, 6, 10, 11, 30, tzinfo=UTC)))
        db.flush()
        raise RuntimeError("boom")
    with database.unit_of_work() as db:
        assert db.scalars(select(ProgrammeSession)).all() == []


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite connection settings")
def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    engine.dispose()


def test_read_only_unit_of_work_refuses_writes(database: Database) -> None:
    from sqlalchemy import update

    from bot.db import ReadOnlyUnitOfWork

    with pytest.raises(ReadOnlyUnitOfWork), database.unit_of_work() as db:
        db.add(make_session("k4", datetime(2027, 6, 10, 11, 30, tzinfo=UTC)))
        db.flush()
    with pytest.raises(ReadOnlyUnitOfWork), database.unit_of_work() as db:
        db.execute(update(ProgrammeSession).values(title="x"))
    with database.unit_of_work(write=True) as db:
        db.add(make_session("k5", datetime(2027, 6, 10, 11, 30, tzinfo=UTC)))
    with database.unit_of_work() as db:
        assert [s.key for s in db.scalars(select(ProgrammeSession))] == ["k5"]


def test_concurrent_writers_wait_for_each_other(database: Database) -> None:
    """Many threads that read then write: none fails with 'database is locked'."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.services.members import ensure_member

    now = datetime(2027, 6, 1, tzinfo=UTC)

    def create(n: int) -> None:
        with database.unit_of_work(write=True) as db:
            ensure_member(db, "T1", f"U{n:04d}", now)

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(create, range(64)))
    with database.unit_of_work() as db:
        from bot.models import Member

        assert len(db.scalars(select(Member)).all()) == 64


def test_migrations_match_the_models(database: Database) -> None:
    """A model change without its migration (or the reverse) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_migrations_go_down_and_up_again(database_url: str, tmp_path: object) -> None:
    from alembic import command

    from bot.db import alembic_config

    engine = make_engine(database_url)
    command.downgrade(alembic_config(engine), "0001")
    upgrade(engine)
    assert {t.name for t in Base.metadata.sorted_tables} <= set(inspect(engine).get_table_names())
    engine.dispose()
