"""What a change to a session tells its registrants, and queueing it once per change.

One path for "a session changed": ``/sdg edit`` (``bot/services/manage.py``)
and ``sdgbot import`` (``bot/services/programme.py``) both take a
:class:`SessionState` before they change the session and call
:func:`tell_registrants_of_change` after.  When the time, the place or the
online link differs, every confirmed and waiting member gets one
SESSION_CHANGED row.  The row's ``details`` hold what the message needs: the
fields the change touched and the session's time, place and link before it
(a :class:`ChangeNote`); its ``offset_key`` is only the change's id, the
moment of the change in milliseconds, so each change is queued once per member.

Two changes before the first message went out become one message, from the
first old values to the newest; a change that was undone before its message
went out (the time moved back, the place or link changed back) is skipped.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.delivery.enqueue import enqueue_delivery
from bot.delivery.reasons import SkipReason
from bot.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Guest,
    Member,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    is_online_location,
)
from bot.services.guest_records import guest_id_of, guest_recipient
from bot.services.registration import SessionSummary

TIME, PLACE, LINK = "time", "place", "link"
NOTICE_FIELDS = frozenset({TIME, PLACE, LINK})

_MAX_KEY_ATTEMPTS = 1000
# Registrations that hold or wait for a seat: their people hear of a change.
_LIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED, RegistrationStatus.WAITING)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SessionState:
    """What members are told about when it changes: the session's time, place and link."""

    starts: datetime
    ends: datetime
    location: str
    online_url: str

    @classmethod
    def of(cls, session: ProgrammeSession) -> SessionState:
        return cls(session.starts_at, session.ends_at, session.location, session.online_url)

    def changes_to(self, later: SessionState) -> frozenset[str]:
        """The notice fields (TIME, PLACE, LINK) in which *later* differs from this state."""
        differs = (
            (TIME, (self.starts, self.ends) != (later.starts, later.ends)),
            (PLACE, self.location != later.location),
            (LINK, self.online_url != later.online_url),
        )
        return frozenset(name for name, changed in differs if changed)


@dataclass(frozen=True)
class ChangeNote:
    """A SESSION_CHANGED row's ``details``: what the change touched, and the state before it."""

    fields: frozenset[str]
    before: SessionState

    def details(self) -> dict[str, Any]:
        return {
            "changed": sorted(self.fields),
            "old": {
                "starts": self.before.starts.isoformat(),
                "ends": self.before.ends.isoformat(),
                "location": self.before.location,
                "online_url": self.before.online_url,
            },
        }

    @classmethod
    def from_details(cls, details: dict[str, Any] | None) -> ChangeNote | None:
        """The note in a row's ``details``; None when the row has none (or not this shape)."""
        if details is None:
            return None
        try:
            old = details["old"]
            fields = frozenset(str(name) for name in details["changed"])
            before = SessionState(
                starts=datetime.fromisoformat(old["starts"]).astimezone(UTC),
                ends=datetime.fromisoformat(old["ends"]).astimezone(UTC),
                location=str(old["location"]),
                online_url=str(old["online_url"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        if not fields <= NOTICE_FIELDS:
            return None
        return cls(fields, before)

    def merged_into(self, later: ChangeNote) -> ChangeNote:
        """One note from this one's old values to what *later* changed as well."""
        return ChangeNote(self.fields | later.fields, self.before)


@dataclass(frozen=True)
class ChangeNotice:
    """What a SESSION_CHANGED message says: the session now and before, and what changed."""

    session: SessionSummary
    before: SessionSummary
    status: str  # confirmed | waiting
    moved: bool
    place_changed: bool
    link_changed: bool


def registrants(db: Session, session_id: int) -> list[tuple[int, str]]:
    """(member id, Slack user id) of every confirmed, offered or waiting member, in queue order."""
    rows = db.execute(
        select(Member.id, Member.slack_user_id)
        .join(Registration, Registration.member_id == Member.id)
        .where(Registration.session_id == session_id, Registration.status.in_(_LIVE))
        .order_by(Registration.queued_at, Registration.id)
    ).all()
    return [(member_id, user_id) for member_id, user_id in rows]


def everyone_to_tell(db: Session, session_id: int) -> list[tuple[int | None, str]]:
    """(member id, recipient) of the members (:func:`registrants`), then the guests
    (member id None, :func:`guest_recipients`), of a session that changes."""
    guests = [(None, recipient) for recipient in guest_recipients(db, session_id)]
    return [*registrants(db, session_id), *guests]


def guest_recipients(db: Session, session_id: int) -> list[str]:
    """The recipients (``guest:<id>``) of the session's guests with a live seat.

    They hear of a change or a cancellation by e-mail, as they hear of
    everything else (:mod:`bot.delivery.guest_email`).
    """
    ids = db.scalars(
        select(Guest.id)
        .join(Registration, Registration.id == Guest.registration_id)
        .where(
            Guest.session_id == session_id,
            Registration.status.in_(_LIVE),
        )
        .order_by(Guest.created_at, Guest.id)
    )
    return [guest_recipient(guest_id) for guest_id in ids]


def _registration(db: Session, session_id: int, delivery: Delivery) -> Registration | SkipReason:
    """The registration a notice row is about: a member's, or the guest's seat."""
    guest_id = guest_id_of(delivery.recipient)
    if guest_id is not None:
        guest = db.get(Guest, guest_id)
        return guest.registration if guest is not None else SkipReason.MEMBER_GONE
    if delivery.member_id is None or db.get(Member, delivery.member_id) is None:
        return SkipReason.MEMBER_GONE
    registration = db.scalar(
        select(Registration).where(
            Registration.session_id == session_id, Registration.member_id == delivery.member_id
        )
    )
    return registration if registration is not None else SkipReason.NOT_REGISTERED


def change_notice(db: Session, delivery: Delivery, now: datetime) -> ChangeNotice | SkipReason:
    """What a SESSION_CHANGED row should say, or why it should be skipped."""
    session = db.get(ProgrammeSession, delivery.session_id)
    if session is None:
        return SkipReason.SESSION_GONE
    registration = _registration(db, session.id, delivery)
    if isinstance(registration, SkipReason):
        return registration
    if session.cancelled_at is not None:
        return SkipReason.SESSION_CANCELLED  # the cancellation notice says all there is to say
    if session.ends_at <= now:
        return SkipReason.SESSION_ENDED
    if registration.status == RegistrationStatus.CANCELLED:
        return SkipReason.NOT_REGISTERED
    note = ChangeNote.from_details(delivery.details)
    if note is None:
        return SkipReason.NO_DETAILS
    # Only what the changes touched and what still differs: changed back is no news.
    news = note.fields & note.before.changes_to(SessionState.of(session))
    if not news:
        return SkipReason.UNDONE
    summary = SessionSummary.of(session)
    return ChangeNotice(
        session=summary,
        before=dataclasses.replace(
            summary,
            starts=note.before.starts,
            ends=note.before.ends,
            location=note.before.location,
            online_url=note.before.online_url,
            is_online_only=is_online_location(note.before.location),
        ),
        status=registration.status,
        moved=TIME in news,
        place_changed=PLACE in news,
        link_changed=LINK in news,
    )


def tell_registrants_of_change(
    db: Session, session: ProgrammeSession, before: SessionState, now: datetime
) -> int:
    """Queue a SESSION_CHANGED notice per registrant when the time, place or link changed.

    *session* is already changed (and flushed); *before* is its state before the
    change.  Nobody is told about a session that had ended or is cancelled.
    Returns how many members were queued a notice.
    """
    fields = before.changes_to(SessionState.of(session))
    if not fields or session.cancelled_at is not None or before.ends <= now:
        return 0
    return _queue_change_notices(db, session, ChangeNote(fields, before), now)


def _queue_change_notices(
    db: Session, session: ProgrammeSession, note: ChangeNote, now: datetime
) -> int:
    """One SESSION_CHANGED row per registrant; an unsent earlier one is folded into it.

    The earlier row is taken back only while no worker holds it (a compare-and-set
    on its state and claim); one that is being sent goes out as it is.
    """
    unsent = {
        row.recipient: row
        for row in db.scalars(
            select(Delivery).where(
                Delivery.session_id == session.id,
                Delivery.kind == DeliveryKind.SESSION_CHANGED,
                Delivery.state == DeliveryState.PENDING,
            )
        )
    }
    changed_at = (now - _EPOCH) // timedelta(milliseconds=1)
    told = 0
    for member_id, recipient in everyone_to_tell(db, session.id):
        own = note
        earlier = unsent.get(recipient)
        earlier_note = ChangeNote.from_details(earlier.details) if earlier else None
        if earlier is not None and earlier_note is not None and _take_back(db, earlier, now):
            own = earlier_note.merged_into(note)
        # Each call is a new change, so its row must be new: a key already used (two
        # changes in one millisecond, or a frozen test clock) moves on by a millisecond.
        for attempt in range(_MAX_KEY_ATTEMPTS):
            if enqueue_delivery(
                db,
                team_id=session.team_id,
                session_id=session.id,
                member_id=member_id,
                recipient=recipient,
                kind=DeliveryKind.SESSION_CHANGED,
                due_at=now,
                now=now,
                offset_key=str(changed_at + attempt),
                details=own.details(),
            ):
                told += int(member_id is not None)  # the count is of members (told in Slack)
                break
    return told


def _take_back(db: Session, row: Delivery, now: datetime) -> bool:
    result = db.execute(
        update(Delivery)
        .where(
            Delivery.id == row.id,
            Delivery.state == DeliveryState.PENDING,
            # Claimed rows are a worker's, however briefly (a dead worker's
            # notice then goes out unmerged: two notices, none lost).
            Delivery.claimed_by.is_(None),
        )
        .values(state=DeliveryState.SKIPPED, skip_reason=SkipReason.REPLACED)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]
