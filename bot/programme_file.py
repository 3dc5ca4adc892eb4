"""Parser and validator of the programme file (``program.toml``).

The programme file lists the season's sessions as ``[[session]]`` tables, each
with an optional list of ``[[session.agenda]]`` items, and optionally the
seasons themselves as ``[[season]]`` tables (key, title, first and last day,
membership price; see :mod:`bot.seasons` for the default without them).  It is read with
:mod:`tomllib` and checked as a whole: a file with any error is rejected with a
:class:`ProgrammeError` that names the line and the reason.

Times written without an offset (``starts = 2027-06-10T13:30:00``, agenda
``time = 13:35``) are local times in the network's timezone (by default
Europe/Copenhagen); everything handed back is in UTC.

Two conveniences go beyond TOML 1.0 (which :mod:`tomllib` implements): a time
or datetime may be written without seconds (``13:35``, ``2027-06-10T13:30``),
as TOML 1.1 allows; ``:00`` is added before parsing.

This module is pure: no database, no Slack.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.session_rules import (
    KEY_RULE,
    KINDS,
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

__all__ = [
    "KINDS",
    "AgendaItemSpec",
    "SeasonSpec",
    "FieldProblem",
    "Programme",
    "ProgrammeError",
    "SessionSpec",
    "count_problem",
    "key_problem",
    "kind_problem",
    "load_programme",
    "local_instant",
    "online_url_problem",
    "parse_programme",
    "place_problem",
    "shift_programme",
    "span_problem",
    "title_problem",
]

MAX_AGENDA_ITEMS = 100

SESSION_KEYS: tuple[str, ...] = (
    "key", "title", "kind", "starts", "ends", "location", "online_url", "capacity",
    "price", "members_only", "feedback", "anonymous", "description", "agenda",
)  # fmt: skip
SEASON_KEYS: tuple[str, ...] = ("key", "title", "starts", "ends", "membership_price")
MAX_SEASON_DAYS = 800
AGENDA_KEYS: tuple[str, ...] = ("time", "title", "speakers")
_DATETIME_EXAMPLE = "e.g. 2027-06-10T13:30:00+02:00"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class AgendaItemSpec:
    starts: datetime  # aware, UTC
    title: str
    speakers: tuple[str, ...]
    position: int  # 0-based, file order


@dataclass(frozen=True)
class SessionSpec:
    key: str
    title: str
    kind: str
    starts: datetime  # aware, UTC
    ends: datetime  # aware, UTC
    timezone: str  # IANA zone in which the file's local times were read
    location: str
    online_url: str
    capacity: int  # 0 = no limit
    price: int | None  # None when absent
    members_only: bool
    feedback: bool
    anonymous: bool
    description: str
    agenda: tuple[AgendaItemSpec, ...]
    line: int  # line of its [[session]] header (0 if unknown)


@dataclass(frozen=True)
class SeasonSpec:
    key: str
    title: str
    first_day: date  # local, inclusive
    last_day: date  # local, inclusive
    membership_price: int | None  # None: [fees] member_price
    line: int  # line of its [[season]] header (0 if unknown)


@dataclass(frozen=True)
class Programme:
    sessions: tuple[SessionSpec, ...]
    seasons: tuple[SeasonSpec, ...] = ()


class ProgrammeError(ValueError):
    """The programme file is invalid; ``str()`` gives ``path:line: reason``.

    Raised for the first error in the file (by line); ``problems`` holds every
    error found, itself included, so that a facilitator fixes them all at once.
    """

    def __init__(
        self,
        path: str,
        line: int | None,
        reason: str,
        problems: tuple[ProgrammeError, ...] = (),
    ) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        self.problems: tuple[ProgrammeError, ...] = problems or (self,)
        where = path if line is None else f"{path}:{line}"
        self.where = f"{where}: {reason}"
        super().__init__("\n".join(p.where for p in self.problems) if problems else self.where)

    @classmethod
    def of(cls, problems: list[ProgrammeError]) -> ProgrammeError:
        ordered = sorted(problems, key=lambda p: (p.line is not None, p.line or 0))
        first = ordered[0]
        return cls(first.path, first.line, first.reason, tuple(ordered))


_T = TypeVar("_T")


# --------------------------------------------------------------------------- locating lines
#
# tomllib gives no positions for values, so the text is scanned once more for the
# lines of the [[session]] / [[session.agenda]] headers and of the keys inside them.
# Only lines that *start* outside a multi-line string are looked at.


@dataclass
class _Block:
    line: int
    keys: dict[str, int] = field(default_factory=dict)  # key -> line of its first `key =`
    agenda: list[_Block] = field(default_factory=list)

    def at(self, key: str) -> int:
        return self.keys.get(key, self.line)


@dataclass
class _Layout:
    top: dict[str, int] = field(default_factory=dict)  # top-level key or table -> line
    sessions: list[_Block] = field(default_factory=list)
    seasons: list[_Block] = field(default_factory=list)


_SESSION_HEADER = re.compile(r"\s*\[\[\s*session\s*\]\]\s*(#.*)?$")
_SEASON_HEADER = re.compile(r"\s*\[\[\s*season\s*\]\]\s*(#.*)?$")
_AGENDA_HEADER = re.compile(r"\s*\[\[\s*session\s*\.\s*agenda\s*\]\]\s*(#.*)?$")
_OTHER_HEADER = re.compile(
    r"\s*\[\[?\s*([A-Za-z0-9_-]+)\s*\.?\s*([A-Za-z0-9_-]*)[\w.\s-]*\]\]?\s*(#.*)?$"
)
_KEY_LINE = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*[.=]""")
# A time of day or a datetime without seconds as a value: `time = 13:35`.
_NO_SECONDS = re.compile(
    r"(\s*[A-Za-z0-9_-]+\s*=\s*(?:\d{4}-\d{2}-\d{2}[Tt ])?\d{2}:\d{2})"
    r"(?=[Zz]|[+-]\d{2}:\d{2}|\s*(?:#|$))"
)


def _structural_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (1-based number, text) of each line that starts outside a multi-line string."""
    inside: str | None = None  # '"""' or "'''" while in a multi-line string
    for number, line in enumerate(text.split("\n"), start=1):
        if inside is None:
            yield number, line
        i = 0
        while i < len(line):
            if inside is not None:
                if inside == '"""' and line[i] == "\\":
                    i += 2
                elif line.startswith(inside, i):
                    i += 3
                    inside = None
                else:
                    i += 1
            elif line[i] == "#":
                break
            elif line.startswith('"""', i) or line.startswith("'''", i):
                inside = line[i : i + 3]
                i += 3
            elif line[i] in "\"'":  # one-line string: skip to its closing quote
                quote, i = line[i], i + 1
                while i < len(line) and line[i] != quote:
                    i += 2 if quote == '"' and line[i] == "\\" else 1
                i += 1
            else:
                i += 1


def _prepare(text: str) -> tuple[str, _Layout]:
    """Add missing seconds to times and find where sessions, items and keys are."""
    lines = text.split("\n")  # as tomllib counts lines; a "\r" stays at the end
    layout = _Layout()
    block: _Block | None = None  # the table that `key =` lines belong to now
    at_top = True
    for number, line in _structural_lines(text):
        lines[number - 1] = _NO_SECONDS.sub(r"\1:00", line, count=1)
        if _SESSION_HEADER.match(line):
            block = _Block(number)
            layout.sessions.append(block)
            layout.top.setdefault("session", number)
        elif _SEASON_HEADER.match(line):
            block, at_top = _Block(number), False
            layout.seasons.append(block)
            layout.top.setdefault("season", number)
        elif _AGENDA_HEADER.match(line):
            block = _Block(number) if layout.sessions else None
            if block is not None:
                layout.sessions[-1].agenda.append(block)
            layout.top.setdefault("session", number)
        elif header := _OTHER_HEADER.match(line):  # e.g. [bot] or a stray [session.extra]
            block, at_top = None, False
            name, sub = header.group(1, 2)
            if name == "session" and sub and layout.sessions:
                layout.sessions[-1].keys.setdefault(sub, number)
            layout.top.setdefault(name, number)
        elif key_line := _KEY_LINE.match(line):
            key = next(g for g in key_line.groups() if g is not None)
            if block is not None:
                block.keys.setdefault(key, number)
            elif at_top and not layout.sessions:
                layout.top.setdefault(key, number)
    return "\n".join(lines), layout


# --------------------------------------------------------------------------- parsing


def load_programme(path: str | Path, *, default_timezone: str = "Europe/Copenhagen") -> Programme:
    """Read and validate the programme file at ``path``."""
    name = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as exc:
        raise ProgrammeError(name, None, f"cannot read the file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ProgrammeError(name, line, "the file is not valid UTF-8") from exc
    return parse_programme(text, path=name, default_timezone=default_timezone)


def parse_programme(
    text: str, *, path: str = "<programme>", default_timezone: str = "Europe/Copenhagen"
) -> Programme:
    """Parse and validate a programme; raise :class:`ProgrammeError` on the first error."""
    try:
        zone = ZoneInfo(default_timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProgrammeError(path, None, f"unknown timezone {default_timezone!r}") from exc
    prepared, layout = _prepare(text)
    try:
        data = tomllib.loads(prepared)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\s*\(at line (\d+), column \d+\)$", message)
        if found is None:
            found = re.search(r"\s*\(at end of document\)$", message)
            line = text.count("\n") + 1 if found else None
        else:
            line = int(found.group(1))
        reason = message[: found.start()] if found else message
        if reason.startswith("Invalid date"):
            reason += " (is it a real date and time, e.g. 2027-06-10T13:30:00?)"
        raise ProgrammeError(path, line, f"not valid TOML: {reason}") from exc
    validator = _Validator(path, default_timezone, zone, layout)
    programme = validator.programme(data)
    if validator.problems:
        raise ProgrammeError.of(validator.problems)
    return programme


class _Validator:
    def __init__(self, path: str, zone_name: str, zone: ZoneInfo, layout: _Layout) -> None:
        self.path = path
        self.zone_name = zone_name
        self.zone = zone
        self.layout = layout
        self.problems: list[ProgrammeError] = []

    def fail(self, line: int | None, reason: str) -> ProgrammeError:
        return ProgrammeError(self.path, line or None, reason)

    def note(self, line: int | None, reason: str) -> None:
        """An error that does not stop the check: the rest of the file is read on."""
        self.problems.append(self.fail(line, reason))

    def attempt(self, check: Callable[[], _T], default: _T) -> _T:
        """Run one check; its error is noted and *default* stands in for the value."""
        try:
            return check()
        except ProgrammeError as problem:
            self.problems.append(problem)
            return default

    def programme(self, data: dict[str, Any]) -> Programme:
        for name in data:
            if name not in ("session", "season"):
                self.note(
                    self.layout.top.get(name),
                    f"unknown top-level key {name!r}: "
                    "the file may only hold [[season]] and [[session]] tables",
                )
        seasons = self.seasons(data.get("season", []))
        raw = data.get("session", [])
        if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
            raise self.fail(
                self.layout.top.get("session"),
                "sessions must be written as [[session]] tables",
            )
        if not raw:
            raise self.fail(None, "the programme has no sessions: add a [[session]] table")
        sessions: list[SessionSpec] = []
        first_line: dict[str, int] = {}
        for index, table in enumerate(raw):
            block = self._block(self.layout.sessions, index)
            key = table.get("key")
            if isinstance(key, str) and key in first_line:
                self.note(
                    block.at("key"),
                    f"duplicate session key {key!r} (first used on line {first_line[key]})",
                )
            elif isinstance(key, str):
                first_line[key] = block.line
            before = len(self.problems)
            try:
                spec = self.session(table, block)
            except ProgrammeError as problem:  # a rule that stops reading this session
                self.problems.append(problem)
                continue
            if spec is not None and len(self.problems) == before:
                sessions.append(spec)
        return Programme(tuple(sessions), seasons)

    def seasons(self, raw: Any) -> tuple[SeasonSpec, ...]:
        if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
            raise self.fail(
                self.layout.top.get("season"), "seasons must be written as [[season]] tables"
            )
        specs: list[SeasonSpec] = []
        for index, table in enumerate(raw):
            block = self._block(self.layout.seasons, index)
            spec = self.season(table, block)
            for other in specs:
                if other.key == spec.key:
                    raise self.fail(
                        block.at("key"),
                        f"duplicate season key {spec.key!r} (first used on line {other.line})",
                    )
                if spec.first_day <= other.last_day and other.first_day <= spec.last_day:
                    raise self.fail(
                        block.at("starts"),
                        f"season {spec.key!r} overlaps season {other.key!r} "
                        f"(line {other.line}): a day belongs to one season",
                    )
            specs.append(spec)
        return tuple(sorted(specs, key=lambda s: s.first_day))

    def season(self, table: dict[str, Any], block: _Block) -> SeasonSpec:
        self.unknown_keys(table, SEASON_KEYS, block, "[[season]]")
        for name in ("key", "starts", "ends"):
            if name not in table:
                raise self.fail(block.line, f"the season has no {name!r} (it is required)")
        key = table["key"]
        if not isinstance(key, str) or key_problem(key):
            raise self.fail(
                block.at("key"),
                "key must be 1-64 letters, digits, '.', '_' or '-', starting with a letter "
                f'or digit, e.g. "2026-2027" (got {key!r})',
            )
        title = self.title(table.get("title", key), block.at("title"))
        first_day = self.day(table["starts"], "starts", block.at("starts"))
        last_day = self.day(table["ends"], "ends", block.at("ends"))
        if last_day < first_day:
            raise self.fail(block.at("ends"), "the season must end on or after its first day")
        if (last_day - first_day).days > MAX_SEASON_DAYS:
            raise self.fail(block.at("ends"), f"a season may last at most {MAX_SEASON_DAYS} days")
        price = table.get("membership_price")
        if price is not None:
            price = self.count(price, "membership_price", block.at("membership_price"), MAX_PRICE)
        return SeasonSpec(key, title, first_day, last_day, price, block.line)

    def day(self, value: Any, name: str, line: int) -> date:
        # A TOML datetime is a date too: refuse it, a season is whole days.
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self.fail(line, f"{name} must be a date, e.g. 2026-08-01")
        return value

    @staticmethod
    def _block(blocks: list[_Block], index: int) -> _Block:
        # Sessions written some other way (inline tables) have no header line: 0.
        return blocks[index] if index < len(blocks) else _Block(0)

    def unknown_keys(
        self, table: Mapping[str, Any], allowed: tuple[str, ...], block: _Block, what: str
    ) -> None:
        for name in table:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = (
                    f"; did you mean {close[0]!r}?"
                    if close
                    else f" (allowed: {', '.join(allowed)})"
                )
                self.note(block.at(name), f"unknown key {name!r} in {what}{hint}")

    def session(self, table: dict[str, Any], block: _Block) -> SessionSpec | None:
        """The session, or None when any of its values is wrong (each one noted)."""
        self.unknown_keys(table, SESSION_KEYS, block, "[[session]]")
        for name in ("key", "title", "kind", "starts", "ends"):
            if name not in table:
                self.note(block.line, f"the session has no {name!r} (it is required)")

        def key() -> str:
            value = table.get("key", "")
            if not isinstance(value, str) or key_problem(value):
                raise self.fail(
                    block.at("key"),
                    f'key may use {KEY_RULE}, e.g. "2027-06-10-symposium" (got {value!r})',
                )
            return value

        def kind() -> str:
            value = table.get("kind")
            if kind_problem(value):
                raise self.fail(
                    block.at("kind"), f"kind must be one of {', '.join(KINDS)} (got {value!r})"
                )
            return str(value)

        def online_url() -> str:
            url = self.text(table, "online_url", block).strip()
            if online_url_problem(url):
                raise self.fail(
                    block.at("online_url"), "online_url must start with https:// or http://"
                )
            return url

        the_key = self.attempt(key, "") if "key" in table else ""
        title = ""
        if "title" in table:
            title = self.attempt(lambda: self.title(table["title"], block.at("title")), "")
        the_kind = self.attempt(kind, "") if "kind" in table else ""
        starts = ends = None
        if "starts" in table:
            starts = self.attempt(
                lambda: self.instant(table["starts"], "starts", block.at("starts")), None
            )
        if "ends" in table:
            ends = self.attempt(lambda: self.instant(table["ends"], "ends", block.at("ends")), None)
        if starts is not None and ends is not None:
            span = span_problem(starts, ends)
            if span is FieldProblem.ENDS_BEFORE_START:
                self.note(block.at("ends"), "the session must end after it starts")
            if span is FieldProblem.TOO_LONG:
                self.note(block.at("ends"), "a session may last at most 7 days")

        noted = len(self.problems)
        location = self.attempt(lambda: self.text(table, "location", block), "")
        url = self.attempt(online_url, "")
        if place_problem(location, url) and len(self.problems) == noted:
            self.note(block.line, "location or online_url is required")

        capacity = self.attempt(
            lambda: self.count(
                table.get("capacity", 0), "capacity", block.at("capacity"), MAX_CAPACITY
            ),
            0,
        )
        price = table.get("price")
        if price is not None:
            price = self.attempt(
                lambda: self.count(price, "price", block.at("price"), MAX_PRICE), None
            )
        feedback = self.attempt(lambda: self.flag(table, "feedback", True, block), True)
        anonymous = self.attempt(lambda: self.flag(table, "anonymous", False, block), False)
        description = self.attempt(lambda: self.text(table, "description", block), "")

        members_only = self.flag(table, "members_only", False, block)
        if members_only and price:
            raise self.fail(
                block.at("price"),
                "a members-only session is included in the season's membership: "
                "remove price or members_only",
            )

        agenda_raw = table.get("agenda", [])
        agenda: tuple[AgendaItemSpec, ...] = ()
        if not isinstance(agenda_raw, list) or not all(isinstance(a, dict) for a in agenda_raw):
            self.note(
                block.at("agenda"), "agenda items must be written as [[session.agenda]] tables"
            )
        elif len(agenda_raw) > MAX_AGENDA_ITEMS:
            extra = self._block(block.agenda, MAX_AGENDA_ITEMS)
            self.note(
                extra.line or block.line,
                f"a session may have at most {MAX_AGENDA_ITEMS} agenda items",
            )
        elif starts is not None and ends is not None:
            agenda = self.agenda(agenda_raw, block, starts, ends)

        if starts is None or ends is None or not the_key or not title or not the_kind:
            return None
        return SessionSpec(
            key=the_key,
            title=title,
            kind=the_kind,
            starts=starts,
            ends=ends,
            timezone=self.zone_name,
            location=location.strip(),
            online_url=url,
            capacity=capacity,
            price=price,
            members_only=members_only,
            feedback=feedback,
            anonymous=anonymous,
            description=description.strip(),
            agenda=agenda,
            line=block.line,
        )

    def agenda(
        self, raw: list[dict[str, Any]], block: _Block, starts: datetime, ends: datetime
    ) -> tuple[AgendaItemSpec, ...]:
        items: list[AgendaItemSpec] = []
        for position, item in enumerate(raw):
            item_block = self._block(block.agenda, position)
            try:
                items.append(self.agenda_item(item, item_block, position, starts, ends))
            except ProgrammeError as problem:
                self.problems.append(problem)
        return tuple(items)

    def agenda_item(
        self, item: dict[str, Any], block: _Block, position: int, starts: datetime, ends: datetime
    ) -> AgendaItemSpec:
        self.unknown_keys(item, AGENDA_KEYS, block, "[[session.agenda]]")
        missing = [name for name in ("time", "title") if name not in item]
        for name in missing[1:]:
            self.note(block.line, f"the agenda item has no {name!r} (it is required)")
        if missing:
            raise self.fail(block.line, f"the agenda item has no {missing[0]!r} (it is required)")
        at = item["time"]
        if not isinstance(at, time) or at.tzinfo is not None:
            raise self.fail(block.at("time"), "time must be a time of day, e.g. 13:35")
        day = starts.astimezone(self.zone).date()
        when = self.localize(datetime.combine(day, at), "time", block.at("time"))
        if not starts <= when < ends:
            raise self.fail(
                block.at("time"),
                f"agenda time {at:%H:%M} is outside the session "
                f"({self.wall(starts)}-{self.wall(ends)} {self.zone_name})",
            )
        speakers = item.get("speakers", [])
        if not isinstance(speakers, list) or not all(
            isinstance(s, str) and s.strip() for s in speakers
        ):
            raise self.fail(
                block.at("speakers"),
                'speakers must be a list of names, e.g. ["Dr Eleanor Roy (CIPFA)"]',
            )
        return AgendaItemSpec(
            starts=when,
            title=self.title(item["title"], block.at("title")),
            speakers=tuple(s.strip() for s in speakers),
            position=position,
        )

    # -- single values

    def title(self, value: Any, line: int) -> str:
        problem = title_problem(value) if isinstance(value, str) else FieldProblem.TITLE_EMPTY
        if problem is FieldProblem.TITLE_EMPTY:
            raise self.fail(line, "title must be a non-empty string")
        if problem is FieldProblem.TITLE_TOO_LONG:
            raise self.fail(line, f"title is longer than {MAX_TITLE_LENGTH} characters")
        return str(value).strip()

    def text(self, table: dict[str, Any], name: str, block: _Block) -> str:
        value = table.get(name, "")
        if not isinstance(value, str):
            raise self.fail(block.at(name), f"{name} must be a string in quotes")
        return value

    def flag(self, table: dict[str, Any], name: str, default: bool, block: _Block) -> bool:
        value = table.get(name, default)
        if not isinstance(value, bool):
            raise self.fail(block.at(name), f"{name} must be true or false")
        return value

    def count(self, value: Any, name: str, line: int, most: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or count_problem(value, most):
            raise self.fail(line, f"{name} must be a whole number from 0 to {most} (got {value!r})")
        return value

    def instant(self, value: Any, name: str, line: int) -> datetime:
        if not isinstance(value, datetime):  # a bare date is a `date`, not a `datetime`
            raise self.fail(line, f"{name} must be a date and time, {_DATETIME_EXAMPLE}")
        if value.tzinfo is not None:
            return value.astimezone(UTC)
        return self.localize(value, name, line)

    def localize(self, local: datetime, name: str, line: int) -> datetime:
        """A naive local datetime in the zone -> UTC (fold=0 when ambiguous)."""
        result = local_instant(local, self.zone)
        if result is None:
            raise self.fail(
                line,
                f"{name} {local:%Y-%m-%d %H:%M} does not exist in {self.zone_name} "
                "(the clocks jump forward that night)",
            )
        return result

    def wall(self, instant: datetime) -> str:
        return f"{instant.astimezone(self.zone):%H:%M}"


# --------------------------------------------------------------------------- moving in time


def _shift(instant: datetime, zone: ZoneInfo, weeks: int) -> datetime:
    """Move by whole weeks keeping the local wall time (13:30 stays 13:30 across DST).

    A wall time that would fall in a spring-forward gap comes out an hour later.
    """
    local = instant.astimezone(zone).replace(tzinfo=None) + timedelta(weeks=weeks)
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def shift_programme(programme: Programme, weeks: int) -> Programme:
    """Move every session and agenda item by ``weeks`` whole weeks in local wall time."""
    if weeks == 0:
        return programme
    sessions = []
    for s in programme.sessions:
        zone = ZoneInfo(s.timezone)
        agenda = tuple(replace(a, starts=_shift(a.starts, zone, weeks)) for a in s.agenda)
        sessions.append(
            replace(
                s,
                starts=_shift(s.starts, zone, weeks),
                ends=_shift(s.ends, zone, weeks),
                agenda=agenda,
            )
        )
    seasons = tuple(
        replace(
            season,
            first_day=season.first_day + timedelta(weeks=weeks),
            last_day=season.last_day + timedelta(weeks=weeks),
        )
        for season in programme.seasons
    )
    return Programme(tuple(sessions), seasons)
