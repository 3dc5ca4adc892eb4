"""Importing a programme file: upsert by key, all or nothing.

A session whose time, place or online link the file changes tells its
registrants the way ``/sdg edit`` does (``change_notices.tell_registrants_of_change``),
in the same transaction; importing the same file again changes nothing and
tells nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import AgendaItem, ProgrammeSession
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

    @property
    def told_total(self) -> int:
        return sum(self.told.values())

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.seasons)


def _agenda_of(spec: SessionSpec) -> list[tuple[int, datetime, str, list[str]]]:
    return [(a.position, a.starts, a.title, list(a.speakers)) for a in spec.agenda]


def _stored_agenda(session: ProgrammeSession) -> list[tuple[int, datetime, str, list[str]]]:
    return [(a.position, a.starts_at, a.title, list(a.speakers)) for a in session.agenda]


def import_programme(
    db: Session, team_id: str, programme: Programme, now: datetime
) -> ImportResult:
    """Create or update every session of *programme*; a second run changes nothing."""
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
        changed.append((session, SessionState.of(session), session.capacity))
        _apply(session, spec)
        session.updated_at = now
        result.updated.append(spec.key)
        if moved:
            result.rescheduled.append(spec.key)
    db.flush()
    for session, before, capacity_before in changed:
        if session.capacity != capacity_before:
            # New seats go to the waiting list, as with /sdg edit.
            raise_capacity(db, team_id, session.key, session.capacity, now)
        told = tell_registrants_of_change(db, session, before, now)
        if told:
            result.told[session.key] = told
    return result


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
