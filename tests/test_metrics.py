"""``GET /metrics``: Prometheus text that parses, with counters that move with traffic."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from bot.clock import FixedClock
from bot.delivery.scheduler import run_due_work
from bot.delivery.slack_sender import make_delivery_client
from bot.metrics import PROCESS, DatabaseCollector, classify_request
from bot.runtime import Runtime
from tests.conftest import ImportText, ServedBot
from tests.support.conversation import answer_of, text_of
from tests.support.factories import add_member, add_organisation
from tests.support.faulty_standin import FaultyStandIn
from tests.support.signed_client import SignedSlackClient

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(bot: ServedBot) -> Samples:
    with NO_PROXY.open(bot.url + "/metrics", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_counters_move_with_the_traffic(
    served_bot: ServedBot,
    slack: SignedSlackClient,
    standin: FaultyStandIn,
    runtime: Runtime,
    clock: FixedClock,
    sample_programme: object,
) -> None:
    with runtime.unit_of_work(write=True) as db:
        add_member(db, "U_KNOWN", now=clock.now(), organisation=add_organisation(db, "Vejle"))
    standin.add_user("U_KNOWN", locale="en-GB")
    standin.add_user("U_NEW", locale="en-GB")
    before = scrape(served_bot)

    for _ in range(3):
        assert slack.command("help", user_id="U_KNOWN").status == 200
    registered = answer_of(
        slack.command("register 2027-06-10-symposium", user_id="U_KNOWN"), standin
    )
    assert "You are registered" in text_of(registered)
    slack.command("no-such-word", user_id="U_KNOWN")
    assert "no-such-key" in text_of(
        answer_of(slack.command("show no-such-key", user_id="U_KNOWN"), standin)
    )
    # A member seen for the first time: users.info, which answers 429 once (then retried).
    standin.fail_next("users.info", status=429, retry_after=1)
    answer_of(slack.command("next", user_id="U_NEW"), standin)
    forged = slack.raw(
        "command=/sdg&text=help", {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"}
    )
    assert forged.status == 401
    # The reminders of the registration, sent by the worker; the first send gets a 503.
    standin.fail_next("chat.postMessage", status=503)
    clock.advance(timedelta(days=32))
    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, clock.now())
    clock.advance(timedelta(minutes=5))
    run_due_work(runtime, client, clock.now())

    after = scrape(served_bot)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("sdgbot_requests_total", kind="command", command="help", outcome="ok") == 3
    assert moved("sdgbot_requests_total", kind="command", command="register", outcome="ok") == 1
    assert moved("sdgbot_requests_total", kind="command", command="unknown", outcome="ok") == 1
    assert moved("sdgbot_requests_total", kind="command", command="next", outcome="ok") == 1
    assert moved("sdgbot_requests_refused_total", status="401") == 1
    assert moved("sdgbot_requests_total", kind="command", command="show", outcome="ok") == 1
    assert moved("sdgbot_answered_errors_total", kind="refused") == 1
    assert moved("sdgbot_answered_errors_total", kind="unexpected") == 0
    # The forged one was refused at the edge and never reached bolt.
    assert moved("sdgbot_ack_seconds_count", kind="command") == 7
    assert moved("sdgbot_ack_seconds_bucket", kind="command", le="3.0") == 7
    assert moved("sdgbot_slack_api_calls_total", method="users.info", status="429") == 1
    assert moved("sdgbot_slack_api_calls_total", method="users.info", status="200") >= 1
    assert moved("sdgbot_slack_api_calls_total", method="chat.postMessage", status="503") == 1
    assert moved("sdgbot_slack_api_calls_total", method="chat.postMessage", status="200") >= 1
    # From the database at scrape time.
    assert value(after, "sdgbot_database_up") == 1
    assert value(after, "sdgbot_deliveries", kind="reminder", state="sent") >= 1
    assert value(before, "sdgbot_deliveries", kind="reminder", state="sent") == 0


def test_replays_refused_and_live_workers_have_their_hooks(runtime: Runtime) -> None:
    before = PROCESS.replays_refused.labels("command")._value.get()
    PROCESS.replays_refused.labels("command").inc()
    assert PROCESS.replays_refused.labels("command")._value.get() == before + 1
    collector = DatabaseCollector(runtime.unit_of_work, live_workers=lambda db: 3)
    families = {family.name: family for family in collector.collect()}
    assert families["sdgbot_live_workers"].samples[0].value == 3


def test_a_scrape_without_a_database_still_answers() -> None:
    def broken() -> object:
        raise OSError("connection refused")

    families = {f.name: f for f in DatabaseCollector(broken).collect()}
    assert families["sdgbot_database_up"].samples[0].value == 0
    assert "sdgbot_deliveries" not in families


def test_request_kinds_and_labels() -> None:
    assert classify_request({"command": "/sdg", "text": "tilmeld x"}) == ("command", "register")
    assert classify_request({"type": "block_actions", "actions": []}) == ("action", "-")
    assert classify_request({"type": "view_submission", "view": {"callback_id": "c" * 99}}) == (
        "view",
        "c" * 40,
    )
    assert classify_request({"type": "event_callback", "event": {"type": "app_home_opened"}}) == (
        "event",
        "app_home_opened",
    )


def test_metrics_are_served_next_to_the_bot(
    served_bot: ServedBot, import_programme_text: ImportText
) -> None:
    samples = scrape(served_bot)
    assert value(samples, "sdgbot_database_up") == 1
