"""Engines, units of work and schema migrations."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
# A unit of work sets this in ``session.info`` when what it wrote must leave no
# trace in the database files beyond the rows themselves (anonymous feedback).
SCRUB_FILES_AFTER_COMMIT = "scrub_files_after_commit"
# Set by Database.scrubs_deferred: scrubs of this context are left to its caller.
_DEFERRED_SCRUB: ContextVar[DeferredScrub | None] = ContextVar("deferred_scrub", default=None)
SCRUB_BUSY_TIMEOUT_MS = 500
SCRUB_RETRIES = 60


def make_engine(url: str, *, pool_size: int = 20) -> Engine:
    """An engine with the settings each backend needs for a multi-threaded bot."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take it over so that
        # BEGIN IMMEDIATE can serialise writers (see unit_of_work(write=True)).
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are overwritten with zeros, not left in free space.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    mode = connection.info.pop("sqlite_begin", "BEGIN")
    connection.exec_driver_sql(mode)


class FairLock:
    """A first-come, first-served lock: waiters are woken in the order they came.

    SQLite's busy handler lets waiting writers sleep and retry at growing
    intervals, so under a burst a writer can sleep past the moment the lock
    was free while a later one takes it; the last in a burst of 32 waited
    seconds.  In front of it, writers of this process queue here instead
    and each is woken the moment its turn comes; the busy handler is left
    for writers of other processes.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._owner: int | None = None
        self._waiters: deque[tuple[threading.Event, int]] = deque()

    def acquire(self) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                # A writer inside a writer would wait for itself forever.
                raise RuntimeError("a write unit of work inside another on the same thread")
            if self._owner is None and not self._waiters:
                self._owner = me
                return
            turn = threading.Event()
            self._waiters.append((turn, me))
        turn.wait()  # release() has made this thread the owner

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                turn, self._owner = self._waiters.popleft()
                turn.set()
            else:
                self._owner = None


class ReadOnlyUnitOfWork(RuntimeError):
    """A write inside ``unit_of_work()``; writers must ask for ``write=True``."""


def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get("read_only") and (session.new or session.dirty or session.deleted):
        raise ReadOnlyUnitOfWork("this unit of work is read-only: use unit_of_work(write=True)")


def _refuse_dml(state: ORMExecuteState) -> None:
    if state.session.info.get("read_only") and (
        state.is_insert or state.is_update or state.is_delete
    ):
        raise ReadOnlyUnitOfWork("this unit of work is read-only: use unit_of_work(write=True)")


class UnitSession(Session):
    """The session of a unit of work: a read-only one refuses writes.

    The guards are listeners of this class, registered once: registered on
    each session they cost about 0.06 ms a unit of work, and every request
    opens two or three.
    """


event.listen(UnitSession, "before_flush", _refuse_flush)
event.listen(UnitSession, "do_orm_execute", _refuse_dml)


@dataclass
class DeferredScrub:
    """A unit of work inside :meth:`Database.scrubs_deferred` asked for a scrub."""

    needed: bool = False


class Database:
    """Owns the engine and hands out units of work.

    Writers say so (``write=True``): on SQLite a transaction that reads first
    and writes later cannot wait for another writer under WAL (it fails at
    once with "database is locked"), so writers take the lock up front with
    BEGIN IMMEDIATE.  Read-only units refuse writes, so a forgotten flag shows
    up in tests on either database rather than under load in production.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, class_=UnitSession, expire_on_commit=False)
        # SQLite has one writer at a time: this process's writers take turns here.
        self._sqlite_writer = FairLock()
        self._scrub_lock = threading.Lock()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def unit_of_work(self, *, write: bool = False) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on error.

        ``write=True`` on SQLite starts with BEGIN IMMEDIATE so that
        read-then-write logic (capacity checks, claims) cannot interleave,
        after this process's earlier writers (:class:`FairLock`).  On
        PostgreSQL the services lock the rows they need instead.
        """
        with self._writers_turn(write) as locked, self._unit(write=write, locked=locked) as session:
            yield session

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A write transaction on a bare Core connection: committed at the end, rolled
        back on error, after this process's earlier writers as in ``unit_of_work``.

        For statements run many times a second (the fan-out's 'sending' and
        'sent' moves): an ORM session's set-up, listeners and commit cost
        about 0.5 ms, twenty times the statements they wrap (a transaction
        of three rows' UPDATE is 0.03 ms in SQLite itself), and under a
        fan-out's threads that became the one committer thread's limit.
        """
        with (
            self._writers_turn(True) as locked,
            self._connect(locked) as connection,
            connection.begin(),
        ):
            yield connection

    @contextmanager
    def _writers_turn(self, write: bool) -> Iterator[bool]:
        """For a writer on SQLite, this process's turn (:class:`FairLock`); yields whether taken."""
        locked = write and self.is_sqlite
        if locked:
            self._sqlite_writer.acquire()
        try:
            yield locked
        finally:
            if locked:
                self._sqlite_writer.release()

    def _connect(self, locked: bool) -> Connection:
        """A connection whose transaction, with *locked*, begins with SQLite's write lock."""
        connection = self.engine.connect()
        if locked:
            connection.info["sqlite_begin"] = "BEGIN IMMEDIATE"
        return connection

    @contextmanager
    def _unit(self, *, write: bool, locked: bool) -> Iterator[Session]:
        connection = None
        if locked:
            connection = self._connect(locked)
            session = UnitSession(bind=connection, expire_on_commit=False)
        else:
            session = self._sessions()
        session.info["read_only"] = not write
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            scrub = session.info.pop(SCRUB_FILES_AFTER_COMMIT, False)
            session.close()
            if connection is not None:
                connection.close()
        if scrub and self.is_sqlite:
            deferred = _DEFERRED_SCRUB.get()
            if deferred is not None:
                deferred.needed = True
            else:
                self.scrub_files()

    @contextmanager
    def scrubs_deferred(self) -> Iterator[DeferredScrub]:
        """Within the block, a scrub a unit of work asks for is only recorded.

        The caller runs :meth:`scrub_files` later when ``needed``: the listener
        frame does so after the ack, so VACUUM does not delay Slack's answer.
        """
        deferred = DeferredScrub()
        token = _DEFERRED_SCRUB.set(deferred)
        try:
            yield deferred
        finally:
            _DEFERRED_SCRUB.reset(token)

    def scrub_files(self) -> None:
        """Leave nothing in the SQLite files but the current rows, in key order.

        ``VACUUM`` rewrites every table in key order (a page otherwise keeps
        its rows' cells in the order they were inserted) and drops freed pages;
        ``wal_checkpoint(TRUNCATE)`` copies the log into the main file and
        empties it.  After a modal submission it runs once the modal is
        answered (the frame's lazy part); it waits at most half a second for
        other connections, and what it could not do then is retried in the
        background every second, for a minute.
        """
        if not self._scrub_once():
            threading.Thread(target=self._scrub_later, name="sdgbot-scrub", daemon=True).start()

    def _scrub_later(self) -> None:
        for _attempt in range(SCRUB_RETRIES):
            time.sleep(1.0)
            if self._scrub_once():
                return
        log.warning("the SQLite files could not be scrubbed after an anonymous answer")

    def _scrub_once(self) -> bool:
        """VACUUM and an emptied log; False when another connection was in the way."""
        with self._scrub_lock, self.engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            assert raw is not None
            raw.execute(f"PRAGMA busy_timeout={SCRUB_BUSY_TIMEOUT_MS}")
            raw.execute("PRAGMA temp_store=MEMORY")  # VACUUM's copy stays off the disk
            try:
                raw.execute("VACUUM")
                busy, _log_frames, _checkpointed = raw.execute(
                    "PRAGMA wal_checkpoint(TRUNCATE)"
                ).fetchone()
            except sqlite3.OperationalError:
                return False  # locked: the answer is stored, the scrub comes later
            finally:
                raw.execute("PRAGMA busy_timeout=30000")
        return not busy

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations; safe to run at every start, by several processes at once."""
    from bot.migration_lock import migration_lock, migrations_applied

    with migration_lock(engine), migrations_applied(engine):
        command.upgrade(alembic_config(engine), revision)
