"""Importing a programme file: upsert by key, all or nothing.

A session whose time, place or online link the file changes tells its
registrants the way ``/sdg edit`` does (``change_notices.tell_registrants_of_change``),
in the same transaction; importing the same file again changes nothing and
tells nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import (
    AgendaItem,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    is_online_location,
)
from bot.programme_file import Programme, SessionSpec
from bot.services.change_notices import SessionState, tell_registrants_of_change
from bot.services.members import ensure_workspace
from bot.services.registration import raise_capacity
from bot.services.seasons import store_seasons

_FIELDS = (
    "title",
    "kind",
    "timezone",
    "location",
    "online_url",
    "capacity",
    "price",
    "members_only",
    "feedback",
    "anonymous",
    "description",
)


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Keys whose start or end moved: their reminders must move too.
    rescheduled: list[str] = field(default_factory=list)
    # Key -> members queued a change notice (time, place or link changed), when any were.
    told: dict[str, int] = field(default_factory=dict)
    # [[season]] keys created or changed.
    seasons: list[str] = field(default_factory=list)
    # Sessions in the database that the file does not mention (left as they are).
    not_in_file: list[str] = field(default_factory=list)

    @property
    def told_total(self) -> int:
        return sum(self.told.values())

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.seasons)


@dataclass(frozen=True)
class PastMove:
    """A session with registrants that the file would move to a start already past."""

    key: str
    line: int
    registrants: int
    starts: datetime


class MoveIntoThePast(Exception):
    """Refused unless forced: registrants would be told of a session that has begun.

    An operator's error (the command line), so it is worded there, in English.
    """

    def __init__(self, moves: list[PastMove]) -> None:
        super().__init__(", ".join(move.key for move in moves))
        self.moves = moves


def _registrants(db: Session, session_id: int) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.session_id == session_id,
                Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)),
            )
        )
        or 0
    )


def _agenda_of(spec: SessionSpec) -> list[tuple[int, datetime, str, list[str]]]:
    return [(a.position, a.starts, a.title, list(a.speakers)) for a in spec.agenda]


def _stored_agenda(session: ProgrammeSession) -> list[tuple[int, datetime, str, list[str]]]:
    return [(a.position, a.starts_at, a.title, list(a.speakers)) for a in session.agenda]


def import_programme(
    db: Session, team_id: str, programme: Programme, now: datetime, *, force: bool = False
) -> ImportResult:
    """Create or update every session of *programme*; a second run changes nothing.

    A session with registrants is not moved to a start in the past unless
    *force*: :class:`MoveIntoThePast` names them all, and nothing is written.
    """
    ensure_workspace(db, team_id, now)
    result = ImportResult()
    result.seasons = store_seasons(db, team_id, programme.seasons, now)
    # Locked like an edit locks its session, so an import, an edit and members
    # registering never interleave (BEGIN IMMEDIATE already does it on SQLite).
    existing = {
        s.key: s
        for s in db.scalars(
            select(ProgrammeSession).where(ProgrammeSession.team_id == team_id).with_for_update()
        )
    }
    # (session, what members saw, its capacity before the import)
    changed: list[tuple[ProgrammeSession, SessionState, int]] = []
    into_the_past: list[PastMove] = []
    in_file = {spec.key for spec in programme.sessions}
    result.not_in_file = sorted(key for key in existing if key not in in_file)
    for spec in programme.sessions:
        session = existing.get(spec.key)
        if session is None:
            session = ProgrammeSession(
                team_id=team_id, key=spec.key, created_at=now, updated_at=now
            )
            _apply(session, spec)
            db.add(session)
            result.created.append(spec.key)
            continue
        moved = session.starts_at != spec.starts or session.ends_at != spec.ends
        differs = moved or any(getattr(session, f) != getattr(spec, f) for f in _FIELDS)
        differs = differs or _stored_agenda(session) != _agenda_of(spec)
        if not differs:
            result.unchanged.append(spec.key)
            continue
        if moved and spec.starts <= now < session.ends_at and not force:
            registrants = _registrants(db, session.id)
            if registrants:
                into_the_past.append(PastMove(spec.key, spec.line, registrants, spec.starts))
        changed.append((session, SessionState.of(session), session.capacity))
        _apply(session, spec)
        session.updated_at = now
        result.updated.append(spec.key)
        if moved:
            result.rescheduled.append(spec.key)
    if into_the_past:
        raise MoveIntoThePast(into_the_past)
    db.flush()
    for session, before, capacity_before in changed:
        if session.capacity != capacity_before:
            # New seats go to the waiting list, as with /sdg edit.
            raise_capacity(db, team_id, session.key, session.capacity, now)
        told = tell_registrants_of_change(db, session, before, now)
        if told:
            result.told[session.key] = told
    return result


@dataclass(frozen=True)
class ProgrammeWarning:
    line: int  # 0: the file as a whole
    text: str  # English, for the operator's terminal


def programme_warnings(programme: Programme, now: datetime) -> list[ProgrammeWarning]:
    """What is allowed but probably not meant: checked before anything is written."""
    warnings: list[ProgrammeWarning] = []
    for spec in programme.sessions:
        if is_online_location(spec.location) and not spec.online_url:
            warnings.append(
                ProgrammeWarning(
                    spec.line,
                    f"session {spec.key!r} is online but has no online_url: "
                    "members get no join link",
                )
            )
    over = [spec for spec in programme.sessions if spec.ends <= now]
    if over and len(over) == len(programme.sessions):
        warnings.append(
            ProgrammeWarning(
                0,
                f"every session in the file is already over (the last ended "
                f"{max(s.ends for s in over):%Y-%m-%d}): is it last season's file?",
            )
        )
    elif over:
        keys = ", ".join(spec.key for spec in over[:5]) + (", ..." if len(over) > 5 else "")
        warnings.append(
            ProgrammeWarning(0, f"{len(over)} session(s) in the file are already over: {keys}")
        )
    return warnings


def _apply(session: ProgrammeSession, spec: SessionSpec) -> None:
    for name in _FIELDS:
        setattr(session, name, getattr(spec, name))
    session.starts_at = spec.starts
    session.ends_at = spec.ends
    if _stored_agenda(session) != _agenda_of(spec):
        session.agenda.clear()
        session.agenda.extend(
            AgendaItem(
                position=a.position, starts_at=a.starts, title=a.title, speakers=list(a.speakers)
            )
            for a in spec.agenda
        )
