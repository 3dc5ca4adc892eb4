"""Facilitators managing sessions: create, edit, announce, cancel.

Every function that writes runs inside ``unit_of_work(write=True)`` and
locks the session row first (``SELECT ... FOR UPDATE`` on PostgreSQL; BEGIN
IMMEDIATE already serialises writers on SQLite), so an edit, a cancellation
and members registering never interleave.

What members are told is queued in the same transaction, as delivery rows
(see ``bot/delivery/session_notices.py``); the reminder planner moves and
skips the reminders on its next tick, because it reads the session's time
and ``cancelled_at`` itself.  Seats are never taken from anyone: lowering
the capacity below the seats already given is refused, and raising it moves
the waiting list up (``registration.raise_capacity``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.delivery.enqueue import enqueue_delivery
from bot.errors import FieldCode, FieldError, FormErrors, SessionCancelled, SessionEnded
from bot.models import (
    Attendance,
    DeliveryKind,
    FeedbackRespondent,
    FeedbackResponse,
    Member,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.services import registration
from bot.services.change_notices import (
    SessionState,
    everyone_to_tell,
    tell_registrants_of_change,
)
from bot.services.members import ensure_workspace
from bot.services.registration import SessionSummary
from bot.services.session_form import SessionDraft
from bot.services.sessions import SessionView, find_session, session_by_key

# Fields written from the form as they are; times, capacity and the agenda have rules.
_PLAIN_FIELDS = (
    "title", "kind", "location", "online_url", "price", "feedback", "anonymous", "description",
    "members_only",
)  # fmt: skip


@dataclass(frozen=True)
class SavedSession:
    """A created or edited session, and what followed from the edit."""

    view: SessionView
    created: bool
    changed: tuple[str, ...] = ()  # names of the fields that changed (empty: nothing did)
    told: int = 0  # members queued a change notice
    promoted: int = 0  # waiting members who got a seat from a higher capacity


@dataclass(frozen=True)
class CancellationPreview:
    session: SessionSummary
    confirmed: int
    waiting: int
    already_cancelled: bool


@dataclass(frozen=True)
class SessionCancellation:
    key: str
    title: str
    already: bool  # it was cancelled before: nothing changed
    told: int = 0


def draft_of(session: ProgrammeSession) -> SessionDraft:
    return SessionDraft(
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
        members_only=session.members_only,
    )


def editable_session(db: Session, team_id: str, key: str) -> SessionDraft:
    """The session's values for the edit form; a cancelled session is not edited."""
    session = find_session(db, team_id, key)
    if session.cancelled_at is not None:
        raise SessionCancelled(session.title)
    return draft_of(session)


# --- checks that need the database --------------------------------------------------------


def room_seats_taken(db: Session, session_id: int) -> int:
    return int(
        db.scalar(
            select(func.count()).where(
                Registration.session_id == session_id,
                # Offered seats (priced promotions, colleagues signed up) are held too.
                Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)),
                Registration.attendance == Attendance.ROOM,
            )
        )
        or 0
    )


def _has_feedback(db: Session, session_id: int) -> bool:
    answered = select(FeedbackRespondent.session_id).where(
        FeedbackRespondent.session_id == session_id
    )
    stored = select(FeedbackResponse.id).where(FeedbackResponse.session_id == session_id)
    return bool(db.scalar(select(or_(answered.exists(), stored.exists()))))


def _key_taken(db: Session, team_id: str, key: str) -> bool:
    found = db.scalar(
        select(ProgrammeSession.id).where(
            ProgrammeSession.team_id == team_id,
            func.lower(ProgrammeSession.key) == key.lower(),
        )
    )
    return found is not None


def _edit_problems(db: Session, session: ProgrammeSession, draft: SessionDraft) -> FormErrors:
    problems = FormErrors()
    if draft.capacity != session.capacity and draft.capacity > 0:
        seats = room_seats_taken(db, session.id)
        if draft.capacity < seats:
            problems.add("capacity", FieldCode.CAPACITY_BELOW_SEATS, seats=seats)
    if draft.anonymous != session.anonymous and _has_feedback(db, session.id):
        problems.add("options", FieldCode.ANONYMITY_LOCKED)
    delta = draft.starts - session.starts_at
    if any(not draft.starts <= item.starts_at + delta < draft.ends for item in session.agenda):
        problems.add("end", FieldCode.AGENDA_OUTSIDE_SESSION)
    return problems


def _start_problems(
    draft: SessionDraft, now: datetime, session: ProgrammeSession | None = None
) -> FormErrors:
    """A new start must lie ahead; an edit that keeps a past start may fix other fields."""
    moved = session is None or draft.starts != session.starts_at
    problems = FormErrors()
    if moved and draft.starts <= now:
        problems.add("date", FieldCode.START_IN_THE_PAST)
    return problems


def _key_taken_error(key: str) -> FormErrors:
    return FormErrors([FieldError("key", FieldCode.KEY_TAKEN, {"key": key})])


def check_draft(
    db: Session, team_id: str, draft: SessionDraft, *, editing: bool, now: datetime
) -> None:
    """Everything the form can be told before saving (read-only): FormErrors."""
    if not editing:
        problems = _start_problems(draft, now)
        if _key_taken(db, team_id, draft.key):
            problems = problems.merged(_key_taken_error(draft.key))
        if problems:
            raise problems
        return
    session = find_session(db, team_id, draft.key)
    if session.cancelled_at is not None:
        raise SessionCancelled(session.title)
    problems = _start_problems(draft, now, session).merged(_edit_problems(db, session, draft))
    if problems:
        raise problems


# --- create and edit --------------------------------------------------------------------


def create_session(db: Session, team_id: str, draft: SessionDraft, now: datetime) -> SavedSession:
    ensure_workspace(db, team_id, now)
    if problems := _start_problems(draft, now):
        raise problems
    if _key_taken(db, team_id, draft.key):
        raise _key_taken_error(draft.key)
    session = ProgrammeSession(
        team_id=team_id,
        key=draft.key,
        starts_at=draft.starts,
        ends_at=draft.ends,
        timezone=draft.timezone,
        capacity=draft.capacity,
        created_at=now,
        updated_at=now,
    )
    for name in _PLAIN_FIELDS:
        setattr(session, name, getattr(draft, name))
    try:
        with db.begin_nested():
            db.add(session)
    except IntegrityError as exc:  # created by someone else since the check (PostgreSQL)
        raise _key_taken_error(draft.key) from exc
    return SavedSession(view=session_by_key(db, team_id, draft.key), created=True)


def _lock(db: Session, team_id: str, key: str) -> ProgrammeSession:
    """The session row, locked and read afresh (SessionNotFound with suggestions)."""
    session = find_session(db, team_id, key)
    db.refresh(session, with_for_update=True)
    return session


def _changed_fields(session: ProgrammeSession, draft: SessionDraft) -> list[str]:
    changed = [name for name in _PLAIN_FIELDS if getattr(session, name) != getattr(draft, name)]
    if session.starts_at != draft.starts:
        changed.append("starts")
    if session.ends_at != draft.ends:
        changed.append("ends")
    if session.capacity != draft.capacity:
        changed.append("capacity")
    return changed


def update_session(db: Session, team_id: str, draft: SessionDraft, now: datetime) -> SavedSession:
    """Apply the form to the session; tell registrants when the time or place changed."""
    session = _lock(db, team_id, draft.key)
    if session.cancelled_at is not None:
        raise SessionCancelled(session.title)
    problems = _start_problems(draft, now, session).merged(_edit_problems(db, session, draft))
    if problems:
        raise problems
    changed = _changed_fields(session, draft)
    if not changed:
        return SavedSession(view=session_by_key(db, team_id, session.key), created=False)

    before = SessionState.of(session)
    delta = draft.starts - session.starts_at
    for item in session.agenda:
        item.starts_at = item.starts_at + delta
    for name in _PLAIN_FIELDS:
        setattr(session, name, getattr(draft, name))
    session.starts_at, session.ends_at = draft.starts, draft.ends
    session.updated_at = now
    promoted = 0
    if session.capacity != draft.capacity:
        # Sets any capacity; new seats go to the waiting list in order.
        db.flush()
        outcome = registration.raise_capacity(db, team_id, session.key, draft.capacity, now)
        promoted = len(outcome.promoted)
    db.flush()
    told = tell_registrants_of_change(db, session, before, now)
    return SavedSession(
        view=session_by_key(db, team_id, session.key),
        created=False,
        changed=tuple(changed),
        told=told,
        promoted=promoted,
    )


# --- announce -------------------------------------------------------------------------------


def announceable(db: Session, team_id: str, key: str, now: datetime) -> SessionView:
    """The session to post to a channel: not cancelled, not over."""
    view = session_by_key(db, team_id, key)
    if view.cancelled:
        raise SessionCancelled(view.title)
    if view.ends <= now:
        raise SessionEnded(view.title)
    return view


# --- cancel ---------------------------------------------------------------------------------


def cancellation_preview(db: Session, team_id: str, key: str, now: datetime) -> CancellationPreview:
    """What the confirmation asks about: who will be told."""
    session = find_session(db, team_id, key)
    already = session.cancelled_at is not None
    if not already and session.ends_at <= now:
        raise SessionEnded(session.title)
    rows = db.execute(
        select(Registration.status, func.count())
        .join(Member, Member.id == Registration.member_id)
        .where(Registration.session_id == session.id)
        .group_by(Registration.status)
    ).tuples()
    counts = {status: int(count) for status, count in rows}
    return CancellationPreview(
        session=SessionSummary.of(session),
        confirmed=int(counts.get(RegistrationStatus.CONFIRMED, 0)),
        waiting=int(counts.get(RegistrationStatus.WAITING, 0)),
        already_cancelled=already,
    )


def cancel_session(db: Session, team_id: str, key: str, now: datetime) -> SessionCancellation:
    """Cancel once; every confirmed and waiting member gets one SESSION_CANCELLED DM.

    The session's guests get the same row, sent to them by e-mail.
    """
    session = _lock(db, team_id, key)
    if session.cancelled_at is not None:
        return SessionCancellation(session.key, session.title, already=True)
    if session.ends_at <= now:
        raise SessionEnded(session.title)
    session.cancelled_at = now
    session.updated_at = now  # calendars see a new version of the event: STATUS:CANCELLED
    told = 0
    for member_id, recipient in everyone_to_tell(db, session.id):
        queued = enqueue_delivery(
            db,
            team_id=session.team_id,
            session_id=session.id,
            member_id=member_id,
            recipient=recipient,
            kind=DeliveryKind.SESSION_CANCELLED,
            due_at=now,
            now=now,
        )
        told += int(queued and member_id is not None)  # members told in Slack; guests by e-mail
    db.flush()
    return SessionCancellation(session.key, session.title, already=False, told=told)
