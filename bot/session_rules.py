"""The rules a session's values must keep, however the session is written.

Shared by the programme file's parser (:mod:`bot.programme_file`) and the
facilitators' session form (:mod:`bot.services.session_form`), so a session
the form accepts is one the file would accept too.  Each check names the
problem; the caller words it for its reader (a line of the file in English, a
translated error under a form field).  Pure: no database, no Slack.
"""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "KEY_RULE",
    "KINDS",
    "MAX_CAPACITY",
    "MAX_PRICE",
    "MAX_SESSION_LENGTH",
    "MAX_TITLE_LENGTH",
    "FieldProblem",
    "count_problem",
    "key_problem",
    "kind_problem",
    "local_instant",
    "online_url_problem",
    "place_problem",
    "span_problem",
    "title_problem",
]

KINDS: tuple[str, ...] = ("symposium", "network_meeting", "webinar", "reflection")
KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# What KEY_PATTERN means, for people: keys appear in commands, so no æ, ø, å.
KEY_RULE = "a-z, 0-9, . _ -; no æ, ø, å; at most 64, starting with a letter or digit"
MAX_TITLE_LENGTH = 200
MAX_SESSION_LENGTH = timedelta(days=7)
# Sensible bounds, well inside the INTEGER columns (10**25 overflowed them).
MAX_CAPACITY = 10_000
MAX_PRICE = 1_000_000
_URL_SCHEMES = ("https://", "http://")


class FieldProblem(enum.StrEnum):
    KEY_FORMAT = "key_format"
    TITLE_EMPTY = "title_empty"
    TITLE_TOO_LONG = "title_too_long"
    KIND_UNKNOWN = "kind_unknown"
    ENDS_BEFORE_START = "ends_before_start"
    TOO_LONG = "too_long"
    URL_SCHEME = "url_scheme"
    PLACE_MISSING = "place_missing"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"


def key_problem(key: str) -> FieldProblem | None:
    return None if KEY_PATTERN.fullmatch(key) else FieldProblem.KEY_FORMAT


def title_problem(title: str) -> FieldProblem | None:
    if not title.strip():
        return FieldProblem.TITLE_EMPTY
    if len(title.strip()) > MAX_TITLE_LENGTH:
        return FieldProblem.TITLE_TOO_LONG
    return None


def kind_problem(kind: object) -> FieldProblem | None:
    return None if kind in KINDS else FieldProblem.KIND_UNKNOWN


def span_problem(starts: datetime, ends: datetime) -> FieldProblem | None:
    if ends <= starts:
        return FieldProblem.ENDS_BEFORE_START
    if ends - starts > MAX_SESSION_LENGTH:
        return FieldProblem.TOO_LONG
    return None


def online_url_problem(online_url: str) -> FieldProblem | None:
    url = online_url.strip()
    return FieldProblem.URL_SCHEME if url and not url.startswith(_URL_SCHEMES) else None


def place_problem(location: str, online_url: str) -> FieldProblem | None:
    return FieldProblem.PLACE_MISSING if not location.strip() and not online_url.strip() else None


def count_problem(value: int, most: int) -> FieldProblem | None:
    if value < 0:
        return FieldProblem.NEGATIVE
    return FieldProblem.TOO_LARGE if value > most else None


def local_instant(local: datetime, zone: ZoneInfo) -> datetime | None:
    """A naive wall time in *zone* -> UTC; None when the clocks skip it (spring forward).

    An ambiguous wall time (the hour the clocks fall back) is read as the first one.
    """
    result = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if result.astimezone(zone).replace(tzinfo=None) != local:
        return None
    return result
