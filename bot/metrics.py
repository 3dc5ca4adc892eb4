"""``GET /metrics``: what the bot is doing, in Prometheus text format.

Counters and the ack histogram live in one registry per process (the
``PROCESS`` instance); figures that live in the database (deliveries by
kind and state, live workers) are read at scrape time by
:class:`DatabaseCollector`, so every replica reports the same truth and
nothing drifts after a restart.

The edge (bot/edge/http.py) counts the requests it refuses before bolt and
the replays it acknowledges without running them; live workers come from the
delivery heartbeats through ``DatabaseCollector(..., live_workers=...)``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.commands import UnknownCommand, parse_command

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Slack allows 3 s; the buckets show how close the acks come to it.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)

# Labels that come from payloads are cut, so a label never grows without bound.
LABEL_MAX = 40


class ProcessMetrics:
    """The counters of one process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "sdgbot_requests",
            "Requests from Slack by kind (command, action, view, options, event), "
            "command or action and outcome (ok, error); refused ones are sdgbot_requests_refused",
            ["kind", "command", "outcome"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "sdgbot_ack_seconds",
            "Time from a request reaching bolt to its acknowledgement",
            ["kind"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.slack_api_calls = Counter(
            "sdgbot_slack_api_calls",
            "Slack Web API calls by method and HTTP status (each attempt; 'error' when no answer)",
            ["method", "status"],
            registry=self.registry,
        )
        self.answered_errors = Counter(
            "sdgbot_answered_errors",
            "Requests answered with an error: 'refused' (a domain error, a short private "
            "answer) or 'unexpected' (a bug: 'Something went wrong' and one logged reference)",
            ["kind"],
            registry=self.registry,
        )
        self.replays_refused = Counter(
            "sdgbot_replays_refused",
            "Replayed or retried requests from Slack that were acknowledged and not run again",
            ["kind"],
            registry=self.registry,
        )
        self.requests_refused = Counter(
            "sdgbot_requests_refused",
            "Requests refused at the edge before bolt, by HTTP status "
            "(401 unverified, 400 not Slack-shaped, 413 too large)",
            ["status"],
            registry=self.registry,
        )

    def generate(self, *extra: CollectorRegistry) -> bytes:
        return generate_latest(self.registry) + b"".join(generate_latest(r) for r in extra)


PROCESS = ProcessMetrics()


# --- Slack requests ------------------------------------------------------------------


def _label(value: Any) -> str:
    text = str(value or "")
    return text[:LABEL_MAX] or "-"


def classify_request(body: dict[str, Any]) -> tuple[str, str]:
    """(kind, command) for a parsed Slack request body."""
    if "command" in body:
        try:
            return "command", parse_command(str(body.get("text") or "")).name.value
        except UnknownCommand:
            return "command", "unknown"
    payload_type = body.get("type")
    if payload_type == "block_actions":
        actions = body.get("actions")
        first = actions[0] if isinstance(actions, list) and actions else {}
        action_id = first.get("action_id") if isinstance(first, dict) else ""
        return "action", _label(action_id)
    if payload_type in ("view_submission", "view_closed"):
        view = body.get("view")
        callback = view.get("callback_id") if isinstance(view, dict) else ""
        return "view", _label(callback)
    if payload_type == "block_suggestion":
        return "options", _label(body.get("action_id"))
    if payload_type == "event_callback":
        event = body.get("event")
        return "event", _label(event.get("type") if isinstance(event, dict) else "")
    return "other", _label(payload_type)


def outcome_of(status: int) -> str:
    # Unverified requests never get here: the edge refuses them before bolt.
    return "ok" if status < 400 else "error"


def instrument_dispatch(app: Any, metrics: ProcessMetrics = PROCESS) -> None:
    """Count and time every request bolt dispatches, over HTTP and Socket Mode.

    Both transports call ``app.dispatch``; with ``process_before_response``
    the ack listener runs inside it, so its duration is the ack latency.
    """
    dispatch = app.dispatch

    def timed_dispatch(req: Any) -> Any:
        started = time.perf_counter()
        response = dispatch(req)
        elapsed = time.perf_counter() - started
        try:
            body = req.body if isinstance(req.body, dict) else {}
            kind, command = classify_request(body)
            metrics.requests.labels(kind, command, outcome_of(int(response.status))).inc()
            metrics.ack_seconds.labels(kind).observe(elapsed)
        except Exception:  # noqa: BLE001 - counting never breaks an answer
            log.debug("request not counted", exc_info=True)
        return response

    app.dispatch = timed_dispatch


# --- Slack Web API calls -------------------------------------------------------------


class WebApiCallCounter(RetryHandler):
    """Counts every Web API attempt by method and status; never asks for a retry.

    slack_sdk shows each answer (and each failure to get one) to its retry
    handlers, in order; placed first in the list this one sees them all,
    including the 429s and 5xx that the handlers after it retry.  A client
    with no other handler (the delivery sender) still retries nothing.
    """

    def __init__(self, metrics: ProcessMetrics = PROCESS) -> None:
        super().__init__(max_retry_count=0)
        self.metrics = metrics

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = urlparse(request.url).path.rsplit("/", 1)[-1] or "-"
        status = str(response.status_code) if response is not None else "error"
        self.metrics.slack_api_calls.labels(_label(method), status).inc()
        return False

    def _can_retry(self, **_kwargs: Any) -> bool:
        return False

    def __deepcopy__(self, _memo: dict[int, Any]) -> WebApiCallCounter:
        # bolt deep-copies each request (its client too) for lazy listeners;
        # the copy must count into the same process metrics.
        return self


# --- figures from the database, read at scrape time ----------------------------------

LiveWorkers = Callable[[Session], int]


class DatabaseCollector(Collector):
    """Deliveries by kind and state, and live workers, counted when scraped."""

    def __init__(
        self, sessions: Callable[[], Any], *, live_workers: LiveWorkers | None = None
    ) -> None:
        self.sessions = sessions
        self.live_workers = live_workers

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        from bot.models import Delivery

        up = GaugeMetricFamily(
            "sdgbot_database_up", "1 when the database answered this scrape, else 0"
        )
        deliveries = GaugeMetricFamily(
            "sdgbot_deliveries",
            "Scheduled messages (reminders, prompts, notices) by kind and state",
            labels=["kind", "state"],
        )
        workers = GaugeMetricFamily(
            "sdgbot_live_workers", "Processes whose heartbeat is fresh (replicas sending)"
        )
        try:
            with self.sessions() as db:
                rows = db.execute(
                    select(Delivery.kind, Delivery.state, func.count()).group_by(
                        Delivery.kind, Delivery.state
                    )
                ).all()
                for kind, state, count in rows:
                    deliveries.add_metric([str(kind), str(state)], int(count))
                if self.live_workers is not None:
                    workers.add_metric([], self.live_workers(db))
            up.add_metric([], 1)
        except Exception as exc:  # noqa: BLE001 - a scrape must answer even without a database
            log.warning("metrics: database not readable: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        yield up
        yield deliveries
        if self.live_workers is not None:
            yield workers


def database_registry(
    sessions: Callable[[], Any], *, live_workers: LiveWorkers | None = None
) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(sessions, live_workers=live_workers))
    return registry
