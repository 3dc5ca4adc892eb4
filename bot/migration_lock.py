"""One migration at a time, across processes and hosts.

Two replicas starting together would otherwise both run the same
migration: the slower one fails on a table that now exists, or worse,
half-applies a data migration twice.  The lock is a PostgreSQL advisory
lock (session level, on its own connection, so it spans alembic's
transactions) or, for SQLite, an exclusive ``flock`` on a file beside the
database.  The second process waits, then finds the schema at head and
does nothing.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)

# pg_advisory_lock takes a bigint; any constant the bot uses nowhere else.
ADVISORY_KEY = 0x5D6_B07_0001


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with _postgres_lock(engine):
            yield
        return
    database = engine.url.database or ""
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        with _file_lock(Path(database).with_name(Path(database).name + ".migrate.lock")):
            yield
        return
    yield


@contextmanager
def _postgres_lock(engine: Engine) -> Iterator[None]:
    with engine.connect() as connection:
        got = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY})
        if not got:
            log.info("another process is migrating the database; waiting for it")
            started = time.monotonic()
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_KEY})
            log.info("waited %.1f s for the other process's migration", time.monotonic() - started)
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            connection.commit()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("another process is migrating the database; waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _current(engine: Engine) -> str:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(sorted(heads)) or "empty"


@contextmanager
def migrations_applied(engine: Engine) -> Iterator[None]:
    """One INFO line saying whether this process changed the schema."""
    before = _current(engine)
    yield
    after = _current(engine)
    if after != before:
        log.info("database migrated: %s -> %s", before, after)
    else:
        log.debug("database schema already at %s", after)
