"""What a change to a session tells its registrants, and queueing it once per change.

A SESSION_CHANGED delivery row carries what its message needs in its
``offset_key`` (there is no other column for it): a :class:`ChangeNote` with
the moment of the change (unique per change, so each change is queued once
per member and a repeated submission queues nothing new), what changed, and
the time before the change, so the message can say "13:30 → 14:30".  Two
quick edits before the first message went out become one message, from the
first old time to the newest values.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.delivery.enqueue import enqueue_delivery
from bot.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Member,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.services.registration import SessionSummary

TIME, PLACE, LINK = "time", "place", "link"
_CODES = {TIME: "t", PLACE: "p", LINK: "u"}
_FIELDS = {code: name for name, code in _CODES.items()}

SESSION_GONE = "session no longer exists"
MEMBER_GONE = "member no longer exists"
SESSION_CANCELLED = "session cancelled"
SESSION_ENDED = "session has ended"
NOT_CANCELLED = "session is not cancelled"
NOT_REGISTERED = "no longer registered"
UNDONE = "the change was undone"
REPLACED = "replaced by a later change notice"
_MAX_KEY_ATTEMPTS = 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ChangeNote:
    """What one edit changed, packed into a delivery's ``offset_key`` (at most 32 chars)."""

    changed_at: datetime
    fields: frozenset[str]
    old_starts: datetime
    old_ends: datetime

    def key(self) -> str:
        # hex milliseconds . field codes . hex seconds . hex minutes: 29 characters at most
        millis = (self.changed_at - _EPOCH) // timedelta(milliseconds=1)
        codes = "".join(sorted(_CODES[name] for name in self.fields))
        starts = (self.old_starts - _EPOCH) // timedelta(seconds=1)
        minutes = (self.old_ends - self.old_starts) // timedelta(minutes=1)
        return f"{millis:x}.{codes}.{starts:x}.{minutes:x}"

    @classmethod
    def from_key(cls, key: str) -> ChangeNote | None:
        try:
            millis, codes, starts, minutes = key.split(".")
            old_starts = _EPOCH + timedelta(seconds=int(starts, 16))
            return cls(
                changed_at=_EPOCH + timedelta(milliseconds=int(millis, 16)),
                fields=frozenset(_FIELDS[code] for code in codes),
                old_starts=old_starts,
                old_ends=old_starts + timedelta(minutes=int(minutes, 16)),
            )
        except (ValueError, KeyError):
            return None

    def merged_into(self, later: ChangeNote) -> ChangeNote:
        """One note from this one's old time to what *later* changed as well."""
        return ChangeNote(
            changed_at=later.changed_at,
            fields=self.fields | later.fields,
            old_starts=self.old_starts,
            old_ends=self.old_ends,
        )


@dataclass(frozen=True)
class ChangeNotice:
    """What a SESSION_CHANGED message says: the session now, what changed, the old time."""

    session: SessionSummary
    status: str  # confirmed | waiting
    moved: bool
    old_starts: datetime
    old_ends: datetime
    place_changed: bool
    link_changed: bool


def registrants(db: Session, session_id: int) -> list[tuple[int, str]]:
    """(member id, Slack user id) of every confirmed or waiting member, in queue order."""
    rows = db.execute(
        select(Member.id, Member.slack_user_id)
        .join(Registration, Registration.member_id == Member.id)
        .where(
            Registration.session_id == session_id,
            Registration.status.in_([RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING]),
        )
        .order_by(Registration.queued_at, Registration.id)
    ).all()
    return [(member_id, user_id) for member_id, user_id in rows]


def _registration(db: Session, session_id: int, member_id: int) -> Registration | None:
    return db.scalar(
        select(Registration).where(
            Registration.session_id == session_id, Registration.member_id == member_id
        )
    )


def change_notice(db: Session, delivery: Delivery, now: datetime) -> ChangeNotice | str:
    """What a SESSION_CHANGED row should say, or why it should be skipped."""
    session = db.get(ProgrammeSession, delivery.session_id)
    member = db.get(Member, delivery.member_id) if delivery.member_id else None
    note = ChangeNote.from_key(delivery.offset_key)
    if session is None or note is None:
        return SESSION_GONE
    if member is None:
        return MEMBER_GONE
    if session.cancelled_at is not None:
        return SESSION_CANCELLED  # the cancellation notice says all there is to say
    if session.ends_at <= now:
        return SESSION_ENDED
    registration = _registration(db, session.id, member.id)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return NOT_REGISTERED
    moved = TIME in note.fields and (
        session.starts_at != note.old_starts or session.ends_at != note.old_ends
    )
    place, link = PLACE in note.fields, LINK in note.fields
    if not (moved or place or link):
        return UNDONE
    return ChangeNotice(
        session=SessionSummary.of(session),
        status=registration.status,
        moved=moved,
        old_starts=note.old_starts,
        old_ends=note.old_ends,
        place_changed=place,
        link_changed=link,
    )


def queue_change_notices(
    db: Session, session: ProgrammeSession, note: ChangeNote, now: datetime
) -> int:
    """One SESSION_CHANGED row per registrant; an unsent earlier one is folded into it.

    The earlier row is taken back only while no worker holds it (a compare-and-set
    on its state and lease); one that is being sent goes out as it is.
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
    told = 0
    for member_id, recipient in registrants(db, session.id):
        own = note
        earlier = unsent.get(recipient)
        earlier_note = ChangeNote.from_key(earlier.offset_key) if earlier else None
        if earlier is not None and earlier_note is not None and _take_back(db, earlier, now):
            own = earlier_note.merged_into(note)
        # Each call is a new change, so its row must be new: a key already used (two
        # changes in one millisecond, or a frozen test clock) moves on by a millisecond.
        for _attempt in range(_MAX_KEY_ATTEMPTS):
            if enqueue_delivery(
                db,
                team_id=session.team_id,
                session_id=session.id,
                member_id=member_id,
                recipient=recipient,
                kind=DeliveryKind.SESSION_CHANGED,
                due_at=now,
                now=now,
                offset_key=own.key(),
            ):
                told += 1
                break
            own = dataclasses.replace(own, changed_at=own.changed_at + timedelta(milliseconds=1))
    return told


def _take_back(db: Session, row: Delivery, now: datetime) -> bool:
    result = db.execute(
        update(Delivery)
        .where(
            Delivery.id == row.id,
            Delivery.state == DeliveryState.PENDING,
            or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
        )
        .values(state=DeliveryState.SKIPPED, skip_reason=REPLACED)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]
