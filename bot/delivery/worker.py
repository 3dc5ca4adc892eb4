"""The delivery worker: claim due rows, build each message, send it, record it.

One row's life::

    claimed with its batch, built with its batch (re-checks: session
        cancelled or started, member gone; skips and holds recorded together)
    wait for a pacing token; built again if that took over a second
    commit 'sending'          <- from here ...
    keep 1/rate after this process's previous call
    chat.postMessage
    commit 'sent' + ts        <- ... to here a crash may duplicate the message

Only the rows in 'sending' at a crash can be sent twice, and there are at
most ``MAX_SENDING`` of them per process: the row waits for its pacing
token and is built *before* it becomes 'sending', and the outcome is
committed right after the call returns.  The sending threads' 'sending' and
'sent' moves are committed together (:mod:`bot.delivery.group_commit`): a
thread calls Slack only once its own 'sending' is committed, and frees its
sending slot only once its outcome is.

Rows are sent from a small thread pool, so one slow member (a hanging call
is cut off after the call timeout) or one failing member (retried later via
``not_before``) never holds up the others.

The worker claims only what its pacing lets it send in the next
``CLAIM_AHEAD`` (a couple of seconds), and its claims are valid while its
heartbeat (:meth:`DeliveryWorker.beat`) is fresh: a process that dies
leaves at most a couple of seconds' worth of rows, free for any other
process (or its own restart) ``[reminders] worker_timeout_seconds`` later.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from functools import partial

from slack_sdk import WebClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from bot.delivery import claims, heartbeat
from bot.delivery.email_sender import OutgoingEmail, send_email
from bot.delivery.group_commit import Bulk, GroupCommitter, Move
from bot.delivery.pacing import Pacer, replica_rate
from bot.delivery.registry import (
    BatchPreparer,
    HoldDelivery,
    MessageBuilder,
    OutgoingMessage,
    SkipDelivery,
    batch_preparers,
    message_builders,
)
from bot.delivery.slack_sender import Outcome, SendResult, post_message
from bot.models import Delivery, DeliveryState
from bot.runtime import Runtime
from bot.workspaces import TeamTokens

log = logging.getLogger(__name__)

# Threads that wait for pacing and build messages; of them at most
# MAX_SENDING are between committing 'sending' and recording the outcome.
SEND_THREADS = 16
MAX_SENDING = 8
# After this many calls that failed with 5xx or a connection error: failed.
MAX_ATTEMPTS = 8
RETRY_BASE = timedelta(seconds=15)
RETRY_CAP = timedelta(minutes=30)
# Rows in hand: what pacing allows in about this long, within these bounds.
CLAIM_AHEAD_SECONDS = 0.5
# How often a newcomer looks whether the others pace for it yet (wait_for_shares).
SHARE_POLL_SECONDS = 0.1
MIN_IN_HAND = 2
# A batch's claim and build cost about the same for 16 rows as for 32: at a
# high rate the larger batches sent a quarter more per second (bench/reminder_fanout.py).
MAX_IN_HAND = 4 * SEND_THREADS
# A message built with its batch goes out only if its pacing token came this
# soon (a 429 pause can hold it much longer); an older one is built again, so
# the re-checks stay as fresh as when every row was built after its token.
MAX_BUILT_AGE_SECONDS = 1.0

Commit = Callable[[Move], object]


def new_claimer_id() -> str:
    """hostname-pid-random: unique per process, readable in the table."""
    return f"{socket.gethostname()[:32]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter: 15 s, 30 s, 1 min ... capped at 30 min."""
    base = min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_CAP)
    jitter = (rng or random).uniform(0.8, 1.2)
    return timedelta(seconds=base.total_seconds() * jitter)


@dataclass
class WorkReport:
    """What one run did; :attr:`possible_duplicates` counts the documented window."""

    sent: int = 0
    skipped: int = 0
    held: int = 0
    retried: int = 0
    rate_limited: int = 0
    failed: int = 0
    taken_over: int = 0  # from a process that died while sending them
    unanswered: int = 0  # sent, no answer, sent again
    lost: int = 0  # another process took the row first: nothing done here

    @property
    def possible_duplicates(self) -> int:
        return self.taken_over + self.unanswered

    def add(self, other: WorkReport) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def anything(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def summary(self) -> str:
        """``1 sent, 2 skipped``: the counts that are not zero, for one log line."""
        counts = ((f.name.replace("_", " "), getattr(self, f.name)) for f in fields(self))
        return ", ".join(f"{n} {name}" for name, n in counts if n)

    def count(self, tallies: tuple[str, ...]) -> None:
        for name in tallies:
            setattr(self, name, getattr(self, name) + 1)


@dataclass(frozen=True)
class Built:
    """A claimed row's message, built with its batch, waiting for its turn."""

    message: OutgoingMessage
    channel: str
    team_id: str
    attempts: int
    at: float  # time.monotonic()


class DeliveryWorker:
    """Sends due deliveries; one instance per process keeps the pacing state."""

    def __init__(
        self,
        runtime: Runtime,
        client: WebClient,
        *,
        builders: dict[str, MessageBuilder] | None = None,
        preparers: dict[str, BatchPreparer] | None = None,
        claimer: str | None = None,
        pacer: Pacer | None = None,
        send_threads: int = SEND_THREADS,
    ) -> None:
        self.runtime = runtime
        self.client = client
        self.tokens = TeamTokens(runtime.settings, runtime.database.engine)
        self.builders = builders if builders is not None else message_builders()
        self.preparers = preparers if preparers is not None else batch_preparers()
        self.claimer = claimer or new_claimer_id()
        reminders = runtime.settings.reminders
        self.budget = float(reminders.send_rate_per_second)
        # A pacer given by the caller is left alone (tests); ours follows the replicas.
        self._shared_pacing = pacer is None
        self.pacer = pacer or Pacer(replica_rate(self.budget, 1))
        self.timeout = heartbeat.worker_timeout(runtime.settings)
        self.identity = heartbeat.identity(self.claimer, runtime.clock.now())
        self.live_replicas = 1
        self._announced = False
        # The moments of the last two heartbeats written (see _claimant).
        self._beats: deque[datetime] = deque(maxlen=2)
        self.send_threads = send_threads
        self._sending = threading.BoundedSemaphore(MAX_SENDING)
        self._stopping = threading.Event()
        self._unbuilt_logged: set[str] = set()

    def stop(self) -> None:
        """Finish the rows in hand, claim no more."""
        self._stopping.set()
        self.pacer.stop()

    # --- heartbeat ---------------------------------------------------------------------

    def beat(self, now: datetime | None = None) -> int:
        """Tell the others this process is alive; returns the live replicas.

        The pacing follows: the budget is split evenly among live replicas.
        """
        moment = now or self.runtime.clock.now()
        if not self._announced:
            # The row goes in before the others are counted: of two processes
            # starting at once, the later to commit sees the earlier and waits.
            with self.runtime.unit_of_work(write=True) as db:
                heartbeat.beat(db, self.identity, moment, pacing_for=0)
            self._announced = True
        with self.runtime.unit_of_work() as db:
            live = 1 + heartbeat.live_others(db, self.identity.id, moment, self.timeout)
        if live != self.live_replicas:
            log.info("%s sending processes share the budget", live)
        self.live_replicas = live
        if self._shared_pacing:
            self.pacer.set_rate(replica_rate(self.budget, live))
        # Written after the rate is set: a newcomer waits for this (wait_for_shares).
        with self.runtime.unit_of_work(write=True) as db:
            heartbeat.beat(db, self.identity, moment, pacing_for=live)
        self._beats.append(moment)
        return live

    def wait_for_shares(self, stopping: threading.Event, limit: float) -> float:
        """Before a newcomer's first send: until every other live process paces for it.

        Their shares shrink at their next heartbeat; sending before then would
        add this one's share to theirs.  At most *limit* seconds (a process
        that does not say what it paces for, e.g. of an older version, is
        waited for that long).  Returns the seconds waited.
        """
        started = time.monotonic()
        while not stopping.is_set() and time.monotonic() - started < limit:
            # Counted again each time: a third process may have come meanwhile,
            # and this one's share must be the one the others pace for.
            live = self.beat()
            with self.runtime.unit_of_work() as db:
                behind = heartbeat.others_pacing_for_fewer(
                    db, self.identity.id, self.runtime.clock.now(), self.timeout, live
                )
            if behind == 0:
                break
            stopping.wait(SHARE_POLL_SECONDS)
        return time.monotonic() - started

    def leave(self) -> None:
        """Stopped for good: remove the heartbeat row (the others' share grows at once)."""
        with self.runtime.unit_of_work(write=True) as db:
            heartbeat.leave(db, self.claimer)

    def in_hand(self) -> int:
        """How many rows to hold: what pacing allows in about CLAIM_AHEAD_SECONDS."""
        ahead = int(self.pacer.rate * CLAIM_AHEAD_SECONDS + 0.999)
        return max(MIN_IN_HAND, min(MAX_IN_HAND, ahead))

    # --- the loop ----------------------------------------------------------------------

    def run(self, now: Callable[[], datetime], *, beat: bool = True) -> WorkReport:
        """Send everything due at ``now()``; returns when no due row is left to claim.

        Rows are claimed a few at a time (about two seconds' worth of pacing)
        and refilled whenever half of them are done, so a large fan-out never
        sits claimed (and unavailable to other replicas) while it waits.
        *beat* records a heartbeat first and keeps beating from a thread of
        its own while the run lasts (a one-off run has no heartbeat thread;
        ``serve``'s has): a long fan-out is never taken for a dead one's.
        """
        if not beat:
            return self._run(now)
        self.beat(now())
        done = threading.Event()
        beating = threading.Thread(
            target=self._beat_until, args=(done, now), name="sdgbot-run-heartbeat", daemon=True
        )
        beating.start()
        try:
            return self._run(now)
        finally:
            done.set()
            beating.join()

    def _beat_until(self, done: threading.Event, now: Callable[[], datetime]) -> None:
        """Beat every fifth of the timeout until *done*.

        A one-off run may be given a fixed *now* (the console's clock, the
        CLI's start): its beats move on by the time that really passed.
        """
        first, started = now(), time.monotonic()
        while not done.wait(self.timeout.total_seconds() / 5):
            moment = max(now(), first + timedelta(seconds=time.monotonic() - started))
            try:
                self.beat(moment)
            except Exception:
                # The others take over this run's claims if it stays silent.
                log.exception("heartbeat failed")

    def _run(self, now: Callable[[], datetime]) -> WorkReport:
        report = WorkReport()
        kinds = list(self.builders)
        with self.runtime.unit_of_work() as db:
            if not claims.anything_to_claim(
                db, self._claimant(own_orphans=True), kinds=kinds, now=now(), timeout=self.timeout
            ):
                return report
        self._log_kinds_without_builder(now())
        in_flight: set[Future[WorkReport]] = set()
        exhausted = False
        first = True
        committer = GroupCommitter(self.runtime)
        commit: Commit = committer.commit
        try:
            with ThreadPoolExecutor(self.send_threads, thread_name_prefix="sdgbot-send") as pool:
                while True:
                    capacity = self.in_hand()
                    room = capacity - len(in_flight)
                    if not exhausted and 2 * room >= capacity and not self._stopping.is_set():
                        batch = self._claim(now(), room, own_orphans=first)
                        first = False
                        exhausted = len(batch) < room
                        for row, built in self._prepare(batch, now(), report):
                            in_flight.add(pool.submit(self._deliver, row, built, now, commit))
                        if not in_flight:
                            continue  # the whole batch was skipped or held: claim more
                    if not in_flight:
                        break
                    done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        report.add(future.result())
        finally:
            committer.close()
        if report.anything:
            # One INFO line per tick, and only when a message went out (or failed).
            important = report.sent or report.failed or report.possible_duplicates
            log.log(
                logging.INFO if important else logging.DEBUG, "deliveries: %s", report.summary()
            )
        return report

    def _claimant(self, *, own_orphans: bool) -> claims.Claimant:
        """Others' heartbeats are judged as of this process's previous one (see Claimant)."""
        beats = list(self._beats)
        return claims.Claimant(
            self.claimer, judged_at=beats[0] if beats else None, own_orphans=own_orphans
        )

    def _claim(self, now: datetime, limit: int, *, own_orphans: bool) -> list[claims.Claimed]:
        with self.runtime.unit_of_work(write=True) as db:
            claimed = claims.claim_due(
                db,
                self._claimant(own_orphans=own_orphans),
                kinds=list(self.builders),
                now=now,
                timeout=self.timeout,
                limit=limit,
            )
        for row in claimed:
            if row.taken_over:
                log.warning(
                    "delivery %s was being sent by a process that stopped; sending it "
                    "again (a duplicate if Slack had accepted the first call)",
                    row.delivery_id,
                )
        return claimed

    def _prepare(
        self, batch: list[claims.Claimed], moment: datetime, report: WorkReport
    ) -> list[tuple[claims.Claimed, Built | None]]:
        """Build a claimed batch in one unit of work; record its skips and holds in one more.

        Returns the rows to send, each with its message, or with None when it
        is to be built alone (its builder failed here: the single-row path
        logs it and retries the row later).
        """
        if not batch:
            return []
        to_send: list[tuple[claims.Claimed, Built | None]] = []
        finished: list[tuple[claims.Claimed, SkipDelivery | HoldDelivery]] = []
        lost = 0
        try:
            with self.runtime.unit_of_work() as db:
                ids = [row.delivery_id for row in batch]
                rows = {d.id: d for d in db.scalars(select(Delivery).where(Delivery.id.in_(ids)))}
                for kind, prepare in self.preparers.items():
                    of_kind = [d for d in rows.values() if d.kind == kind]
                    if of_kind:
                        prepare(db, of_kind, moment)
                for row in batch:
                    delivery = rows.get(row.delivery_id)
                    if (
                        delivery is None
                        or delivery.claimed_by != self.claimer
                        or delivery.state != DeliveryState.PENDING
                    ):
                        lost += 1
                        report.taken_over += int(row.taken_over)
                        continue
                    try:
                        settings = self.runtime.settings_for(delivery.team_id)
                        built = self.builders[delivery.kind](db, delivery, settings, moment)
                    except Exception:
                        to_send.append((row, None))
                        continue
                    if isinstance(built, OutgoingMessage):
                        prepared = Built(
                            built,
                            delivery.recipient,
                            delivery.team_id,
                            delivery.attempts,
                            time.monotonic(),
                        )
                        to_send.append((row, prepared))
                    else:
                        finished.append((row, built))
        except Exception:
            log.exception("a batch of deliveries could not be built together; building each alone")
            return [(row, None) for row in batch]
        report.lost += lost
        if finished:
            try:
                with self.runtime.unit_of_work(write=True) as db:
                    tallies = [self._finish_unsent(db, row.delivery_id, b) for row, b in finished]
            except Exception:
                log.exception("skips and holds of a batch not recorded; building each alone")
                return to_send + [(row, None) for row, _ in finished]
            for (row, _), tally in zip(finished, tallies, strict=True):
                report.taken_over += int(row.taken_over)
                report.count(tally)
        return to_send

    def _finish_unsent(
        self, db: Session, delivery_id: int, built: SkipDelivery | HoldDelivery
    ) -> tuple[str, ...]:
        if isinstance(built, SkipDelivery):
            done = claims.record_skipped(db, delivery_id, claimer=self.claimer, reason=built.reason)
            return ("skipped",) if done else ("lost",)
        done = claims.hold(db, delivery_id, claimer=self.claimer, until=built.until)
        return ("held",) if done else ("lost",)

    def _log_kinds_without_builder(self, now: datetime) -> None:
        with self.runtime.unit_of_work() as db:
            kinds = claims.due_kinds_without_builder(db, list(self.builders), now)
        for kind in kinds - self._unbuilt_logged:
            log.warning("deliveries of kind %r are due but nothing builds them yet", kind)
        self._unbuilt_logged |= kinds

    # --- one row -----------------------------------------------------------------------

    def _deliver(
        self,
        row: claims.Claimed,
        built: Built | None,
        now: Callable[[], datetime],
        commit: Commit | None = None,
    ) -> WorkReport:
        report = WorkReport(taken_over=int(row.taken_over))
        commit = commit or self._commit_alone
        try:
            if built is None:
                self._deliver_one(row.delivery_id, now, report, commit)
            else:
                self._deliver_built(row.delivery_id, built, now, report, commit)
        except Exception as exc:
            # A bug in a builder or the database: this row waits, the others go on.
            log.exception("delivery %s could not be processed", row.delivery_id)
            self._release_broken(row.delivery_id, now(), repr(exc))
            report.retried += 1
        return report

    def _commit_alone(self, move: Move) -> object:
        with self.runtime.database.write_connection() as db:
            if isinstance(move, Bulk):
                return move.apply(db, [move.arg])[0]
            return move(db)

    def _start_many(self, db: Connection, rows: Sequence[tuple[int, datetime]]) -> list[bool]:
        """'sending' for the rows of several threads in one statement."""
        moved = claims.start_sending_many(
            db,
            [delivery_id for delivery_id, _ in rows],
            claimer=self.claimer,
            now=max(moment for _, moment in rows),
            timeout=self.timeout,
        )
        return [delivery_id in moved for delivery_id, _ in rows]

    def _sent_many(
        self, db: Connection, rows: Sequence[tuple[int, datetime, str]]
    ) -> list[tuple[str, ...]]:
        """'sent' for the rows of several threads in one statement."""
        moved = claims.record_sent_many(db, rows, claimer=self.claimer)
        return [("sent",) if row[0] in moved else ("lost",) for row in rows]

    def _deliver_built(
        self,
        delivery_id: int,
        built: Built,
        now: Callable[[], datetime],
        report: WorkReport,
        commit: Commit,
    ) -> None:
        if not self.pacer.acquire():
            self._give_back(delivery_id)
            return
        if time.monotonic() - built.at > MAX_BUILT_AGE_SECONDS:
            self.pacer.refund()  # taken again by the single-row path
            self._deliver_one(delivery_id, now, report, commit)
            return
        self._start_and_send(
            delivery_id,
            built.channel,
            built.message,
            built.attempts,
            built.team_id,
            now(),
            now,
            report,
            commit,
        )

    def _deliver_one(
        self,
        delivery_id: int,
        now: Callable[[], datetime],
        report: WorkReport,
        commit: Commit,
    ) -> None:
        if not self.pacer.acquire():
            self._give_back(delivery_id)
            return
        moment = now()
        with self.runtime.unit_of_work() as db:
            delivery = db.get(Delivery, delivery_id)
            if (
                delivery is None
                or delivery.claimed_by != self.claimer
                or delivery.state != DeliveryState.PENDING
            ):
                self.pacer.refund()
                report.lost += 1
                return
            # The workspace's own settings ([workspace.T…]) and, below, its token.
            settings = self.runtime.settings_for(delivery.team_id)
            built = self.builders[delivery.kind](db, delivery, settings, moment)
            channel = delivery.recipient
            team_id = delivery.team_id
            attempts = delivery.attempts
        if isinstance(built, OutgoingMessage):
            self._start_and_send(
                delivery_id, channel, built, attempts, team_id, moment, now, report, commit
            )
            return
        self.pacer.refund()  # nothing will be sent for this row
        with self.runtime.unit_of_work(write=True) as db:
            report.count(self._finish_unsent(db, delivery_id, built))

    def _start_and_send(
        self,
        delivery_id: int,
        channel: str,
        message: OutgoingMessage,
        attempts: int,
        team_id: str,
        moment: datetime,
        now: Callable[[], datetime],
        report: WorkReport,
        commit: Commit,
    ) -> None:
        # At most MAX_SENDING rows of this process are 'sending' at a time.
        with self._sending:
            started = commit(Bulk(self._start_many, (delivery_id, moment)))
            if not started:
                report.lost += 1
                return
            self._send(delivery_id, channel, message, attempts + 1, now, report, team_id, commit)

    def _send(
        self,
        delivery_id: int,
        channel: str,
        message: OutgoingMessage,
        attempt: int,
        now: Callable[[], datetime],
        report: WorkReport,
        team_id: str,
        commit: Commit,
    ) -> None:
        token = self.tokens.token_for(team_id)
        if isinstance(message, OutgoingEmail):
            # A guest without Slack: the same row, sent over SMTP ([email]).
            result = send_email(self.runtime.settings_for(team_id).email, message)
        elif token is None and self.runtime.several_workspaces:
            result = SendResult(Outcome.PERMANENT, error="workspace not installed")
        else:
            self.pacer.space()
            result = post_message(self.client, channel, message.text, message.blocks, token=token)
        if result.outcome is Outcome.RATE_LIMITED:
            self.pacer.pause(result.retry_after)
        moment = now()
        try:
            if result.outcome is Outcome.SENT:
                move: Move = Bulk(self._sent_many, (delivery_id, moment, result.ts or ""))
            else:
                move = partial(
                    self._record,
                    delivery_id=delivery_id,
                    result=result,
                    attempt=attempt,
                    moment=moment,
                )
            tallies = commit(move)
        except Exception:
            # Slack may have posted it: releasing the row could send it again
            # unmarked.  It stays 'sending' and is taken over, marked, by the
            # next run (or another process if this one dies).
            log.exception("delivery %s: the outcome of its call was not recorded", delivery_id)
            return
        assert isinstance(tallies, tuple)
        report.count(tallies)
        if result.outcome is Outcome.SENT and "lost" in tallies:
            log.error(
                "delivery %s was sent but another process had taken it over "
                "(this process's heartbeat had lapsed)",
                delivery_id,
            )
        elif "unanswered" in tallies:
            log.warning(
                "delivery %s: %s; sending it again (a duplicate if it had been posted)",
                delivery_id,
                result.error,
            )
        elif "failed" in tallies:
            log.warning("delivery %s failed: %s", delivery_id, result.error)

    def _record(
        self,
        db: Connection,
        *,
        delivery_id: int,
        result: SendResult,
        attempt: int,
        moment: datetime,
    ) -> tuple[str, ...]:
        """Record one call's outcome (not 'sent': see _sent_many); returns the counters."""
        if result.outcome is Outcome.RATE_LIMITED:
            claims.release_after_rate_limit(
                db,
                delivery_id,
                claimer=self.claimer,
                not_before=moment + timedelta(seconds=result.retry_after),
            )
            return ("rate_limited",)
        if result.outcome is Outcome.TRANSIENT and attempt < MAX_ATTEMPTS:
            claims.release_for_retry(
                db,
                delivery_id,
                claimer=self.claimer,
                not_before=moment + retry_delay(attempt),
                error=result.error,
            )
            return ("retried",)
        if result.outcome is Outcome.UNANSWERED and attempt < MAX_ATTEMPTS:
            # Not knowing is treated like a crash mid-call: send again, marked.
            claims.release_for_retry(
                db,
                delivery_id,
                claimer=self.claimer,
                not_before=moment + retry_delay(attempt),
                error=claims.UNANSWERED,
            )
            return ("retried", "unanswered")
        claims.record_failed(db, delivery_id, claimer=self.claimer, error=result.error)
        return ("failed",)

    def _give_back(self, delivery_id: int) -> None:
        """Stopping: release the claim so another process need not wait for the timeout."""
        with self.runtime.unit_of_work(write=True) as db:
            claims.hold(db, delivery_id, claimer=self.claimer, until=self.runtime.clock.now())

    def _release_broken(self, delivery_id: int, moment: datetime, error: str) -> None:
        """Retry later a row whose message could not be built; 'sending' rows stay put.

        A row already in 'sending' may have reached Slack: it is left to be
        taken over, marked as a possible duplicate, at the next run.
        """
        with self.runtime.unit_of_work(write=True) as db:
            delivery = db.get(Delivery, delivery_id)
            if (
                delivery is None
                or delivery.claimed_by != self.claimer
                or delivery.state != DeliveryState.PENDING
            ):
                return
            if delivery.attempts + 1 >= MAX_ATTEMPTS:
                claims.record_failed(
                    db, delivery_id, claimer=self.claimer, error=error, state=delivery.state
                )
                return
            claims.release_unsent(
                db,
                delivery_id,
                claimer=self.claimer,
                not_before=moment + retry_delay(delivery.attempts + 1),
                error=error,
            )
