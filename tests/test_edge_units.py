"""The edge's parts on their own: signature, remembered requests, log filter."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.edge.replays import (
    event_key,
    purge_seen_requests,
    remember_request,
    signed_request_key,
)
from bot.edge.signature import SignatureRefused, expected_signature, verify_signature
from bot.logs import SlackPayloadFilter
from bot.models import SlackRequestSeen

SECRET = "s3cret"
NOW = 1_800_000_000.0


def test_a_good_signature_passes_and_each_flaw_has_its_reason() -> None:
    body = b"command=%2Fsdg&text=help"
    good = expected_signature(SECRET, str(int(NOW)), body)
    verify_signature(SECRET, str(int(NOW)), good, body, NOW)
    cases = {
        "missing timestamp": (None, good, body),
        "missing signature": (str(int(NOW)), None, body),
        "malformed timestamp": ("1.5", good, body),
        "malformed signature": (str(int(NOW)), "v0=XYZ", body),
        "bad signature": (str(int(NOW)), good, body + b"&x=1"),
    }
    for reason, (timestamp, signature, signed_body) in cases.items():
        with pytest.raises(SignatureRefused) as refused:
            verify_signature(SECRET, timestamp, signature, signed_body, NOW)
        assert refused.value.reason == reason
    stale = str(int(NOW) - 301)
    with pytest.raises(SignatureRefused, match="stale"):
        verify_signature(SECRET, stale, expected_signature(SECRET, stale, body), body, NOW)
    with pytest.raises(SignatureRefused, match="no signing secret"):
        verify_signature("", str(int(NOW)), good, body, NOW)


def test_a_request_is_remembered_once_and_purged_after_ten_minutes(database: Database) -> None:
    t0 = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)
    key = signed_request_key("1800000000", "v0=" + "a" * 64)
    with database.unit_of_work(write=True) as db:
        assert remember_request(db, key, t0) is True
        assert remember_request(db, event_key("Ev1"), t0 + timedelta(minutes=5)) is True
    with database.unit_of_work(write=True) as db:
        assert remember_request(db, key, t0 + timedelta(seconds=1)) is False
        assert purge_seen_requests(db, t0 + timedelta(minutes=11)) == 1
    with database.unit_of_work() as db:
        assert db.scalar(select(func.count()).select_from(SlackRequestSeen)) == 1
    with database.unit_of_work(write=True) as db:
        assert remember_request(db, key, t0 + timedelta(minutes=11)) is True


@pytest.mark.parametrize(
    ("message", "kept"),
    [
        (
            "Sending a request - url: http://x/api/chat.postMessage, query_params: {}, "
            "json_body: {'text': 'Anna Holm'}",
            "Sending a request - url: http://x/api/chat.postMessage",
        ),
        (
            'Responding with status: 200 body: "{\\"text\\": \\"Anna\\"}" (4 millis)',
            "Responding with status: 200",
        ),
        ("Unhandled request ({'type': 'block_actions', 'value': 'Aarhus'})", "Unhandled request"),
    ],
)
def test_slack_library_lines_are_cut_where_the_payload_begins(message: str, kept: str) -> None:
    record = logging.LogRecord("slack_bolt", logging.DEBUG, __file__, 1, "%s", (message,), None)
    assert SlackPayloadFilter().filter(record)
    assert record.getMessage() == kept + " [payload left out of the log]"
    own = logging.LogRecord("sdgbot.edge", logging.INFO, __file__, 1, "%s", (message,), None)
    SlackPayloadFilter().filter(own)
    assert own.getMessage() == message
