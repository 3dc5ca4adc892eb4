"""Finding sessions: the next one, the upcoming list, one by key."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BindParameter, bindparam, func, inspect, or_, select
from sqlalchemy.orm import Session, lazyload

from bot.errors import SessionNotFound
from bot.models import (
    AgendaItem,
    Attendance,
    Member,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    is_online_location,
)

FEED_KEEPS_ENDED = timedelta(days=60)


@dataclass(frozen=True)
class AgendaEntry:
    starts: datetime
    title: str
    speakers: tuple[str, ...]


@dataclass(frozen=True)
class SessionView:
    """What a reader may see of a session, with seat counts."""

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
    agenda: tuple[AgendaEntry, ...]
    cancelled: bool
    room_confirmed: int = 0
    waiting: int = 0
    my_status: str | None = None  # the reader's registration status, if any
    # Open to the season's members only, and included in the membership.
    members_only: bool = False
    # A participant from the reader's organisation is confirmed already: a priced
    # session costs the reader extra_participant_discount less (bot/services/fees.py).
    colleague_confirmed: bool = False

    @property
    def is_online_only(self) -> bool:
        return is_online_location(self.location)

    @property
    def platform(self) -> str:
        """The meeting platform named as location ("Microsoft Teams"), if any."""
        name = self.location.strip()
        return name if self.is_online_only and name.casefold() != "online" else ""

    @property
    def is_hybrid(self) -> bool:
        return bool(self.online_url) and not self.is_online_only

    @property
    def seats_left(self) -> int | None:
        if self.capacity <= 0 or self.is_online_only:
            return None
        return max(self.capacity - self.room_confirmed, 0)


def _to_view(
    session: ProgrammeSession,
    agenda: tuple[AgendaEntry, ...],
    counts: dict[int, tuple[int, int]],
    statuses: dict[int, str],
    colleagues: frozenset[int] = frozenset(),
) -> SessionView:
    room, waiting = counts.get(session.id, (0, 0))
    return SessionView(
        key=session.key,
        title=session.title,
        kind=session.kind,
        starts=session.starts_at,
        ends=session.ends_at,
        timezone=session.timezone,
        location=session.location,
        online_url=session.online_url,
        capacity=session.capacity,
        price=session.price,
        feedback=session.feedback,
        anonymous=session.anonymous,
        description=session.description,
        agenda=agenda,
        cancelled=session.cancelled_at is not None,
        room_confirmed=room,
        waiting=waiting,
        my_status=statuses.get(session.id),
        members_only=session.members_only,
        colleague_confirmed=session.id in colleagues,
    )


# Seats held in the room: confirmed, and offered but not yet answered (as registration counts).
SEAT_HOLDING = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)


# Built once: every `/sdg next` runs these, and building a select and its cache
# key costs more than SQLite's answer to it (bench/command_latency.py).
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_SEAT_COUNTS = (
    select(Registration.session_id, Registration.status, Registration.attendance, func.count())
    .where(Registration.session_id.in_(_IDS))
    .group_by(Registration.session_id, Registration.status, Registration.attendance)
)
_OWN_STATUSES = (
    select(Registration.session_id, Registration.status)
    .join(Member, Member.id == Registration.member_id)
    .where(
        Registration.session_id.in_(_IDS),
        Member.team_id == bindparam("team_id"),
        Member.slack_user_id == bindparam("user_id"),
        Registration.status != RegistrationStatus.CANCELLED,
    )
)
_READER_ORGANISATION = select(Member.id, Member.organisation_id).where(
    Member.team_id == bindparam("team_id"), Member.slack_user_id == bindparam("user_id")
)
_COLLEAGUES_CONFIRMED = select(Registration.session_id).where(
    Registration.session_id.in_(_IDS),
    Registration.status == RegistrationStatus.CONFIRMED,
    Registration.organisation_id == bindparam("organisation_id"),
    or_(Registration.member_id.is_(None), Registration.member_id != bindparam("member_id")),
)
_AGENDAS = (
    select(AgendaItem.session_id, AgendaItem.starts_at, AgendaItem.title, AgendaItem.speakers)
    .where(AgendaItem.session_id.in_(_IDS))
    .order_by(AgendaItem.session_id, AgendaItem.position)
)
# Running sessions (at most three) and the next one, in one query: the
# sessions not yet ended come in order of their start, the running ones first.
_RUNNING_SHOWN = 3
_NOT_ENDED = (
    select(ProgrammeSession)
    .where(
        ProgrammeSession.team_id == bindparam("team_id"),
        ProgrammeSession.ends_at > bindparam("now"),
        ProgrammeSession.cancelled_at.is_(None),
    )
    .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
    .limit(_RUNNING_SHOWN + 1)
    # The agenda comes with the views (_agendas), not by the mapper's selectin.
    .options(lazyload(ProgrammeSession.agenda))
)


def _agendas(db: Session, sessions: list[ProgrammeSession]) -> dict[int, tuple[AgendaEntry, ...]]:
    """Each session's agenda: as loaded with the session, else in one query for all."""
    found: dict[int, tuple[AgendaEntry, ...]] = {}
    missing: list[int] = []
    for session in sessions:
        if "agenda" in inspect(session).unloaded:
            missing.append(session.id)
        else:
            found[session.id] = tuple(
                AgendaEntry(item.starts_at, item.title, tuple(item.speakers))
                for item in session.agenda
            )
    if missing:
        items: dict[int, list[AgendaEntry]] = {session_id: [] for session_id in missing}
        rows = db.connection().execute(_AGENDAS, {"ids": missing})
        for session_id, starts, title, speakers in rows:
            items[session_id].append(AgendaEntry(starts, title, tuple(speakers)))
        found.update((session_id, tuple(entries)) for session_id, entries in items.items())
    return found


def _views(
    db: Session, sessions: list[ProgrammeSession], team_id: str, slack_user_id: str | None
) -> list[SessionView]:
    ids = [s.id for s in sessions]
    if not ids:
        return []
    # Plain column queries, run on the connection: the ORM's execution path
    # added more than SQLite took to answer them (bench/command_latency.py).
    connection = db.connection()
    counts: dict[int, tuple[int, int]] = {}
    for session_id, status, attendance, count in connection.execute(_SEAT_COUNTS, {"ids": ids}):
        room, waiting = counts.get(session_id, (0, 0))
        # A seat offered (a priced promotion, a colleague signed up) is held: not left.
        if status in SEAT_HOLDING and attendance == Attendance.ROOM:
            room += count
        elif status == RegistrationStatus.WAITING:
            waiting += count
        counts[session_id] = (room, waiting)
    statuses: dict[int, str] = {}
    if slack_user_id:
        own = connection.execute(
            _OWN_STATUSES, {"ids": ids, "team_id": team_id, "user_id": slack_user_id}
        )
        statuses = {session_id: status for session_id, status in own}
    colleagues = _colleague_confirmed(
        db, [s.id for s in sessions if s.price], team_id, slack_user_id
    )
    agendas = _agendas(db, sessions)
    return [_to_view(s, agendas[s.id], counts, statuses, colleagues) for s in sessions]


def _colleague_confirmed(
    db: Session, priced_ids: list[int], team_id: str, slack_user_id: str | None
) -> frozenset[int]:
    """Priced sessions where someone else from the reader's organisation is confirmed."""
    if not slack_user_id or not priced_ids:
        return frozenset()
    connection = db.connection()
    reader = connection.execute(
        _READER_ORGANISATION, {"team_id": team_id, "user_id": slack_user_id}
    ).first()
    if reader is None or reader.organisation_id is None:
        return frozenset()
    rows = connection.scalars(
        _COLLEAGUES_CONFIRMED,
        {"ids": priced_ids, "organisation_id": reader.organisation_id, "member_id": reader.id},
    )
    return frozenset(rows)


def now_and_next(
    db: Session, team_id: str, now: datetime, slack_user_id: str | None = None
) -> tuple[list[SessionView], SessionView | None]:
    """What `/sdg next` shows: the sessions going on now (up to three) and the next one."""
    current = list(db.scalars(_NOT_ENDED, {"team_id": team_id, "now": now}))
    running = [s for s in current if s.starts_at <= now][:_RUNNING_SHOWN]
    upcoming = [s for s in current if s.starts_at > now][:1]
    if not upcoming and len(current) > _RUNNING_SHOWN:
        # More running than the query's window: the next one lies beyond it.
        later = next_session(db, team_id, now, slack_user_id)
        return _views(db, running, team_id, slack_user_id), later
    views = _views(db, running + upcoming, team_id, slack_user_id)
    return views[: len(running)], (views[len(running)] if upcoming else None)


def next_session(
    db: Session, team_id: str, now: datetime, slack_user_id: str | None = None
) -> SessionView | None:
    session = db.scalar(
        select(ProgrammeSession)
        .where(
            ProgrammeSession.team_id == team_id,
            ProgrammeSession.starts_at > now,
            ProgrammeSession.cancelled_at.is_(None),
        )
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
        .limit(1)
    )
    return _views(db, [session], team_id, slack_user_id)[0] if session else None


def upcoming_sessions(
    db: Session, team_id: str, now: datetime, slack_user_id: str | None = None, limit: int = 30
) -> list[SessionView]:
    """Sessions that have not ended, soonest first (cancelled ones included, marked)."""
    sessions = list(
        db.scalars(
            select(ProgrammeSession)
            .where(ProgrammeSession.team_id == team_id, ProgrammeSession.ends_at > now)
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
            .limit(limit)
        )
    )
    return _views(db, sessions, team_id, slack_user_id)


def find_session(db: Session, team_id: str, key: str) -> ProgrammeSession:
    session = db.scalar(
        select(ProgrammeSession).where(
            ProgrammeSession.team_id == team_id, func.lower(ProgrammeSession.key) == key.lower()
        )
    )
    if session is None:
        keys = list(
            db.scalars(select(ProgrammeSession.key).where(ProgrammeSession.team_id == team_id))
        )
        suggestions = tuple(difflib.get_close_matches(key, keys, n=3, cutoff=0.5))
        raise SessionNotFound(key, suggestions)
    return session


def session_by_key(
    db: Session, team_id: str, key: str, slack_user_id: str | None = None
) -> SessionView:
    return _views(db, [find_session(db, team_id, key)], team_id, slack_user_id)[0]


@dataclass(frozen=True)
class CalendarEntry:
    view: SessionView
    updated_at: datetime
    # Rises with every change, so calendars replace the event they hold.
    sequence: int


def _calendar_entry(session: ProgrammeSession, view: SessionView) -> CalendarEntry:
    minutes = int((session.updated_at - session.created_at).total_seconds() // 60)
    return CalendarEntry(view, session.updated_at, max(minutes, 0))


def calendar_entries(
    db: Session, team_id: str, now: datetime, key: str | None = None
) -> list[CalendarEntry]:
    """Sessions for a calendar feed: upcoming and recently ended, cancelled ones included.

    Recently ended sessions stay in the feed for a while so subscribed
    calendars do not lose them the moment they end.
    """
    if key is not None:
        session = find_session(db, team_id, key)
        return [_calendar_entry(session, _views(db, [session], team_id, None)[0])]
    sessions = list(
        db.scalars(
            select(ProgrammeSession)
            .where(
                ProgrammeSession.team_id == team_id,
                ProgrammeSession.ends_at > now - FEED_KEEPS_ENDED,
            )
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
        )
    )
    views = _views(db, sessions, team_id, None)
    return [_calendar_entry(s, v) for s, v in zip(sessions, views, strict=True)]
