"""The delivery worker: claim due rows, build each message, send it, record it.

One row's life in :meth:`DeliveryWorker._deliver_one`::

    wait for a pacing token (given back if the row is skipped or held)
    build the message (re-checks: session cancelled or started, member gone)
    commit 'sending'          <- from here ...
    keep 1/rate after this process's previous call
    chat.postMessage
    commit 'sent' + ts        <- ... to here a crash may duplicate the message

Only the rows in 'sending' at a crash can be sent twice, and there are at
most ``MAX_SENDING`` of them per process: the row waits for its pacing
token and is built *before* it becomes 'sending', and the outcome is
committed immediately after the call returns.

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
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.delivery import claims, heartbeat
from bot.delivery.pacing import Pacer, replica_rate
from bot.delivery.registry import (
    HoldDelivery,
    MessageBuilder,
    OutgoingMessage,
    SkipDelivery,
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
CLAIM_AHEAD_SECONDS = 2.0
MIN_IN_HAND = 2
MAX_IN_HAND = 2 * SEND_THREADS


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


class DeliveryWorker:
    """Sends due deliveries; one instance per process keeps the pacing state."""

    def __init__(
        self,
        runtime: Runtime,
        client: WebClient,
        *,
        builders: dict[str, MessageBuilder] | None = None,
        claimer: str | None = None,
        pacer: Pacer | None = None,
        send_threads: int = SEND_THREADS,
    ) -> None:
        self.runtime = runtime
        self.client = client
        self.tokens = TeamTokens(runtime.settings, runtime.database.engine)
        self.builders = builders if builders is not None else message_builders()
        self.claimer = claimer or new_claimer_id()
        reminders = runtime.settings.reminders
        self.budget = float(reminders.send_rate_per_second)
        # A pacer given by the caller is left alone (tests); ours follows the replicas.
        self._shared_pacing = pacer is None
        self.pacer = pacer or Pacer(replica_rate(self.budget, 1))
        self.timeout = heartbeat.worker_timeout(runtime.settings)
        self.identity = heartbeat.identity(self.claimer, runtime.clock.now())
        self.live_replicas = 1
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
        with self.runtime.unit_of_work(write=True) as db:
            heartbeat.beat(db, self.identity, moment)
        with self.runtime.unit_of_work() as db:
            live = max(1, heartbeat.live_worker_count(db, moment, self.timeout))
        if live != self.live_replicas:
            log.info("%s sending processes share the budget", live)
        self.live_replicas = live
        if self._shared_pacing:
            self.pacer.set_rate(replica_rate(self.budget, live))
        return live

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
        *beat* records a heartbeat first (a one-off run has no heartbeat
        thread; ``serve``'s has).
        """
        report = WorkReport()
        if beat:
            self.beat(now())
        kinds = list(self.builders)
        with self.runtime.unit_of_work() as db:
            if not claims.anything_to_claim(
                db, kinds=kinds, now=now(), timeout=self.timeout, own_orphans_of=self.claimer
            ):
                return report
        self._log_kinds_without_builder(now())
        in_flight: set[Future[WorkReport]] = set()
        exhausted = False
        first = True
        with ThreadPoolExecutor(self.send_threads, thread_name_prefix="sdgbot-send") as pool:
            while True:
                capacity = self.in_hand()
                room = capacity - len(in_flight)
                if not exhausted and 2 * room >= capacity and not self._stopping.is_set():
                    batch = self._claim(now(), room, own_orphans=first)
                    first = False
                    exhausted = len(batch) < room
                    in_flight.update(pool.submit(self._deliver, row, now) for row in batch)
                if not in_flight:
                    break
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    report.add(future.result())
        if report.anything:
            # One INFO line per tick, and only when a message went out (or failed).
            important = report.sent or report.failed or report.possible_duplicates
            log.log(
                logging.INFO if important else logging.DEBUG, "deliveries: %s", report.summary()
            )
        return report

    def _claim(self, now: datetime, limit: int, *, own_orphans: bool) -> list[claims.Claimed]:
        with self.runtime.unit_of_work(write=True) as db:
            claimed = claims.claim_due(
                db,
                claimer=self.claimer,
                kinds=list(self.builders),
                now=now,
                timeout=self.timeout,
                limit=limit,
                own_orphans=own_orphans,
            )
        for row in claimed:
            if row.taken_over:
                log.warning(
                    "delivery %s was being sent by a process that stopped; sending it "
                    "again (a duplicate if Slack had accepted the first call)",
                    row.delivery_id,
                )
        return claimed

    def _log_kinds_without_builder(self, now: datetime) -> None:
        with self.runtime.unit_of_work() as db:
            kinds = claims.due_kinds_without_builder(db, list(self.builders), now)
        for kind in kinds - self._unbuilt_logged:
            log.warning("deliveries of kind %r are due but nothing builds them yet", kind)
        self._unbuilt_logged |= kinds

    # --- one row -----------------------------------------------------------------------

    def _deliver(self, row: claims.Claimed, now: Callable[[], datetime]) -> WorkReport:
        report = WorkReport(taken_over=int(row.taken_over))
        try:
            self._deliver_one(row.delivery_id, now, report)
        except Exception as exc:
            # A bug in a builder or the database: this row waits, the others go on.
            log.exception("delivery %s could not be processed", row.delivery_id)
            self._release_broken(row.delivery_id, now(), repr(exc))
            report.retried += 1
        return report

    def _deliver_one(
        self, delivery_id: int, now: Callable[[], datetime], report: WorkReport
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
            # At most MAX_SENDING rows of this process are 'sending' at a time.
            with self._sending:
                with self.runtime.unit_of_work(write=True) as db:
                    started = claims.start_sending(
                        db, delivery_id, claimer=self.claimer, now=moment, timeout=self.timeout
                    )
                if not started:
                    report.lost += 1
                    return
                self._send(delivery_id, channel, built, attempts + 1, now, report, team_id=team_id)
            return
        self.pacer.refund()  # nothing will be sent for this row
        with self.runtime.unit_of_work(write=True) as db:
            if isinstance(built, SkipDelivery):
                done = claims.record_skipped(
                    db, delivery_id, claimer=self.claimer, reason=built.reason
                )
                report.skipped += int(done)
                report.lost += int(not done)
            elif isinstance(built, HoldDelivery):
                done = claims.hold(db, delivery_id, claimer=self.claimer, until=built.until)
                report.held += int(done)
                report.lost += int(not done)

    def _send(
        self,
        delivery_id: int,
        channel: str,
        message: OutgoingMessage,
        attempt: int,
        now: Callable[[], datetime],
        report: WorkReport,
        team_id: str = "",
    ) -> None:
        token = self.tokens.token_for(team_id)
        if token is None and self.runtime.several_workspaces:
            result = SendResult(Outcome.PERMANENT, error="workspace not installed")
        else:
            self.pacer.space()
            result = post_message(self.client, channel, message.text, message.blocks, token=token)
        try:
            self._record(delivery_id, result, attempt, now(), report)
        except Exception:
            # Slack may have posted it: releasing the row could send it again
            # unmarked.  It stays 'sending' and is taken over, marked, by the
            # next run (or another process if this one dies).
            log.exception("delivery %s: the outcome of its call was not recorded", delivery_id)

    def _record(
        self,
        delivery_id: int,
        result: SendResult,
        attempt: int,
        moment: datetime,
        report: WorkReport,
    ) -> None:
        with self.runtime.unit_of_work(write=True) as db:
            if result.outcome is Outcome.SENT:
                if claims.record_sent(
                    db, delivery_id, claimer=self.claimer, now=moment, ts=result.ts or ""
                ):
                    report.sent += 1
                else:
                    report.lost += 1
                    log.error(
                        "delivery %s was sent but another process had taken it over "
                        "(this process's heartbeat had lapsed)",
                        delivery_id,
                    )
            elif result.outcome is Outcome.RATE_LIMITED:
                self.pacer.pause(result.retry_after)
                claims.release_after_rate_limit(
                    db,
                    delivery_id,
                    claimer=self.claimer,
                    not_before=moment + timedelta(seconds=result.retry_after),
                )
                report.rate_limited += 1
            elif result.outcome is Outcome.TRANSIENT and attempt < MAX_ATTEMPTS:
                claims.release_for_retry(
                    db,
                    delivery_id,
                    claimer=self.claimer,
                    not_before=moment + retry_delay(attempt),
                    error=result.error,
                )
                report.retried += 1
            elif result.outcome is Outcome.UNANSWERED and attempt < MAX_ATTEMPTS:
                # Not knowing is treated like a crash mid-call: send again, marked.
                claims.release_for_retry(
                    db,
                    delivery_id,
                    claimer=self.claimer,
                    not_before=moment + retry_delay(attempt),
                    error=claims.UNANSWERED,
                )
                report.retried += 1
                report.unanswered += 1
                log.warning(
                    "delivery %s: %s; sending it again (a duplicate if it had been posted)",
                    delivery_id,
                    result.error,
                )
            else:
                claims.record_failed(db, delivery_id, claimer=self.claimer, error=result.error)
                report.failed += 1
                log.warning("delivery %s failed: %s", delivery_id, result.error)

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
