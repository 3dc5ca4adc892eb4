"""The facilitators' session form: its fields as typed in, to a checked draft, and back.

The rules are the programme file's (``bot.programme_file``: key pattern, title
length, kinds, a session ends after it starts and lasts at most 7 days, a link
starts with http(s), a place or a link is required, counts are 0 or more); this
module names them per field for the modal (as :class:`~bot.errors.FieldCode`; the
wording is ``bot.rendering.form_errors``'s).  Dates and times are wall
times in the session's zone (``[bot] timezone`` for a new session), read with
zoneinfo: a time the clocks skip is an error, an hour they repeat is read as
the first one, as the programme file does.

Pure: no database, no Slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.errors import FieldCode, FormErrors
from bot.session_rules import (
    MAX_CAPACITY,
    MAX_PRICE,
    MAX_TITLE_LENGTH,
    FieldProblem,
    count_problem,
    key_problem,
    kind_problem,
    local_instant,
    online_url_problem,
    place_problem,
    span_problem,
    title_problem,
)
from bot.whole_numbers import whole_number

# Column sizes of programme_sessions; the modal's inputs carry the same limits.
MAX_KEY_LENGTH = 64
MAX_LOCATION_LENGTH = 300
MAX_URL_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 3000

FIELDS = (
    "key", "title", "kind", "date", "start", "end", "end_date", "location", "online_url",
    "capacity", "price", "options", "audience", "description",
)  # fmt: skip

# The shared rules' problems, as the form's field codes.
PROBLEM_CODES = {
    FieldProblem.KEY_FORMAT: FieldCode.KEY_FORMAT,
    FieldProblem.TITLE_EMPTY: FieldCode.TITLE_EMPTY,
    FieldProblem.TITLE_TOO_LONG: FieldCode.TITLE_TOO_LONG,
    FieldProblem.KIND_UNKNOWN: FieldCode.KIND_UNKNOWN,
    FieldProblem.ENDS_BEFORE_START: FieldCode.ENDS_BEFORE_START,
    FieldProblem.TOO_LONG: FieldCode.SESSION_TOO_LONG,
    FieldProblem.URL_SCHEME: FieldCode.URL_SCHEME,
    FieldProblem.PLACE_MISSING: FieldCode.PLACE_MISSING,
}


@dataclass(frozen=True)
class SessionFormInput:
    """The form's fields as written: text, or None when left empty."""

    key: str | None = None
    title: str | None = None
    kind: str | None = None
    date: str | None = None  # YYYY-MM-DD
    start: str | None = None  # HH:MM
    end: str | None = None  # HH:MM
    end_date: str | None = None  # YYYY-MM-DD; empty = the same day
    location: str | None = None
    online_url: str | None = None
    capacity: str | None = None
    price: str | None = None
    feedback: bool = True
    anonymous: bool = False
    members_only: bool = False
    description: str | None = None


@dataclass(frozen=True)
class SessionDraft:
    """A checked session, as the form describes it (times in UTC)."""

    key: str
    title: str
    kind: str
    starts: datetime
    ends: datetime
    timezone: str
    location: str
    online_url: str
    capacity: int
    price: int | None
    feedback: bool
    anonymous: bool
    description: str
    # Open to the season's members only (included in the membership), as in the file.
    members_only: bool = False


def _text(value: str | None) -> str:
    return (value or "").strip()


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(_text(value)) if _text(value) else None
    except ValueError:
        return None


def _clock(value: str | None) -> time | None:
    try:
        parsed = time.fromisoformat(_text(value)) if _text(value) else None
    except ValueError:
        return None
    return parsed if parsed is None or parsed.tzinfo is None else None


class _NotACount(ValueError):
    pass


class _TooLarge(ValueError):
    pass


def _count(value: str | None, *, empty: int | None, most: int) -> int | None:
    """ASCII digits up to *most*; *empty* when left empty; _NotACount or _TooLarge otherwise."""
    text = _text(value)
    if not text:
        return empty
    if text.isascii() and text.isdigit() and len(text) > len(str(most)):
        raise _TooLarge(text)  # 10**25 is too large, not "not a number"
    number = whole_number(text)
    if number is None:
        raise _NotACount(text)
    if count_problem(number, most) is FieldProblem.TOO_LARGE:
        raise _TooLarge(text)
    return number


def _add_problem(errors: FormErrors, field: str, problem: FieldProblem | None) -> None:
    if problem is FieldProblem.TITLE_TOO_LONG:
        errors.add(field, PROBLEM_CODES[problem], limit=MAX_TITLE_LENGTH)
    elif problem is not None:
        errors.add(field, PROBLEM_CODES[problem])


def read_draft(form: SessionFormInput, zone_name: str, *, key: str | None = None) -> SessionDraft:
    """Check every field; raise :class:`FormErrors` naming each wrong one.

    *key* is the session's key when editing (the form then has no key field).
    """
    errors = FormErrors()
    zone = ZoneInfo(zone_name)
    session_key = key if key is not None else _text(form.key)
    if key is None:
        _add_problem(errors, "key", key_problem(session_key))
    title = _text(form.title)
    _add_problem(errors, "title", title_problem(title))
    kind = _text(form.kind)
    _add_problem(errors, "kind", kind_problem(kind))

    day, end_day = _day(form.date), _day(form.end_date)
    start_at, end_at = _clock(form.start), _clock(form.end)
    if day is None:
        errors.add("date", FieldCode.DATE_MISSING)
    if _text(form.end_date) and end_day is None:
        errors.add("end_date", FieldCode.DATE_MISSING)
    if start_at is None:
        errors.add("start", FieldCode.START_MISSING)
    if end_at is None:
        errors.add("end", FieldCode.END_MISSING)
    starts = ends = None
    if day is not None and start_at is not None:
        starts = local_instant(datetime.combine(day, start_at), zone)
        if starts is None:
            errors.add("start", FieldCode.TIME_SKIPPED)
    if day is not None and end_at is not None:
        ends = local_instant(datetime.combine(end_day or day, end_at), zone)
        if ends is None:
            errors.add("end", FieldCode.TIME_SKIPPED)
    if starts is not None and ends is not None:
        _add_problem(errors, "end", span_problem(starts, ends))

    location, online_url = _text(form.location), _text(form.online_url)
    if len(location) > MAX_LOCATION_LENGTH:
        errors.add("location", FieldCode.TEXT_TOO_LONG)
    if len(online_url) > MAX_URL_LENGTH:
        errors.add("online_url", FieldCode.TEXT_TOO_LONG)
    _add_problem(errors, "online_url", online_url_problem(online_url))
    _add_problem(errors, "location", place_problem(location, online_url))
    description = _text(form.description)
    if len(description) > MAX_DESCRIPTION_LENGTH:
        errors.add("description", FieldCode.TEXT_TOO_LONG)

    capacity: int | None = 0
    try:
        capacity = _count(form.capacity, empty=0, most=MAX_CAPACITY)
    except _NotACount:
        errors.add("capacity", FieldCode.CAPACITY_NOT_A_NUMBER)
    except _TooLarge:
        errors.add("capacity", FieldCode.CAPACITY_TOO_LARGE)
    price: int | None = None
    try:
        price = _count(form.price, empty=None, most=MAX_PRICE)
    except _NotACount:
        errors.add("price", FieldCode.PRICE_NOT_A_NUMBER)
    except _TooLarge:
        errors.add("price", FieldCode.PRICE_TOO_LARGE)
    if form.members_only and price:
        # The programme file's rule: a members' session has no price of its own.
        errors.add("price", FieldCode.MEMBERS_ONLY_PRICED)

    if errors:
        raise errors
    assert starts is not None and ends is not None and capacity is not None
    return SessionDraft(
        key=session_key,
        title=title,
        kind=kind,
        starts=starts,
        ends=ends,
        timezone=zone_name,
        location=location,
        online_url=online_url,
        capacity=capacity,
        price=price,
        feedback=form.feedback,
        anonymous=form.anonymous,
        description=description,
        members_only=form.members_only,
    )


def form_of(draft: SessionDraft) -> SessionFormInput:
    """The form prefilled with a session's values (wall times in its zone)."""
    zone = ZoneInfo(draft.timezone)
    starts, ends = draft.starts.astimezone(zone), draft.ends.astimezone(zone)
    return SessionFormInput(
        key=draft.key,
        title=draft.title,
        kind=draft.kind,
        date=starts.date().isoformat(),
        start=f"{starts:%H:%M}",
        end=f"{ends:%H:%M}",
        end_date=ends.date().isoformat() if ends.date() != starts.date() else None,
        location=draft.location,
        online_url=draft.online_url,
        capacity=str(draft.capacity),
        price=None if draft.price is None else str(draft.price),
        feedback=draft.feedback,
        anonymous=draft.anonymous,
        members_only=draft.members_only,
        description=draft.description,
    )
