"""Many sending threads' small writes committed together, each thread waiting for its own.

A fan-out moves every row twice around its call: 'sending' committed before
it, 'sent' after it.  One transaction per move costs more than the call
itself (the unit of work, SQLite's write lock, the commit), and the sending
threads queue for the lock.  Here a thread hands its move to one committer
thread and waits until that move is committed: whatever the other threads
handed in meanwhile goes into the same transaction.  The order a row needs
is kept, since a thread goes on (to its call, or to free its sending slot)
only once its own move is committed.

Moves of one kind (a :class:`Bulk`) go into one statement for all of them,
so a transaction of 16 moves is a couple of statements, not 16.

If a shared transaction fails, each move is tried again in a transaction of
its own, so one bad row cannot fail the others.

The moves run on a bare Core connection (``Database.write_connection``), not
in an ORM unit of work: a unit of work's own cost was twenty times that of
the statements, and this one thread's transactions were what limited a
fan-out's rate (bench/reminder_fanout.py).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from bot.runtime import Runtime

log = logging.getLogger(__name__)

T = TypeVar("T")
A = TypeVar("A")


@dataclass(frozen=True)
class Bulk(Generic[A]):
    """One row's move that *apply* can do for many rows at once.

    *apply* gets the args of all the moves with the same *apply* in the
    transaction, and returns one result per arg, in their order.
    """

    apply: Callable[[Connection, Sequence[A]], Sequence[Any]]
    arg: A


Move = Callable[[Connection], Any] | Bulk[Any]

# The most moves in one transaction: about what MAX_SENDING threads hand in
# twice over, so a transaction stays short.
MAX_BATCH = 32


class GroupCommitter:
    """Commits the moves handed to :meth:`commit` from one thread of its own."""

    def __init__(self, runtime: Runtime, name: str = "sdgbot-commit") -> None:
        self.runtime = runtime
        self._queue: queue.SimpleQueue[tuple[Move, Future[Any]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def commit(self, move: Move) -> Any:
        """Run *move* in a write transaction; returns once it is committed (or raises)."""
        done: Future[Any] = Future()
        self._queue.put((move, done))
        return done.result()

    def close(self) -> None:
        """After the moves handed in so far; no more may follow."""
        self._queue.put(None)
        self._thread.join()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            closing = False
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    closing = True
                    break
                batch.append(item)
            self._apply(batch)
            if closing:
                return

    def _apply(self, batch: list[tuple[Move, Future[Any]]]) -> None:
        try:
            with self.runtime.database.write_connection() as connection:
                results = _run(connection, [move for move, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            log.warning("a shared delivery transaction failed; trying its moves one by one")
            for item in batch:
                self._apply([item])
            return
        for (_, done), result in zip(batch, results, strict=True):
            done.set_result(result)


def _run(db: Connection, moves: list[Move]) -> list[Any]:
    results: list[Any] = [None] * len(moves)
    bulks: dict[Any, list[int]] = {}
    for i, move in enumerate(moves):
        if isinstance(move, Bulk):
            bulks.setdefault(move.apply, []).append(i)
        else:
            results[i] = move(db)
    for apply, places in bulks.items():
        args = [moves[i].arg for i in places]  # type: ignore[union-attr]
        for i, result in zip(places, apply(db, args), strict=True):
            results[i] = result
    return results
