"""Registering for a session, cancelling, the waiting list and promotions.

Every function that changes registrations must run inside
``unit_of_work(write=True)``: on SQLite that transaction starts with BEGIN
IMMEDIATE, so no two of them interleave; on PostgreSQL the session row is
locked with ``SELECT ... FOR UPDATE`` before seats are counted.  Either way
the seat count and the insert happen in one transaction and a session can
never be overbooked, however many members press Register at once.

Seats are room seats: ``capacity`` counts confirmed registrations in the
room (0 = no limit); online attendance is never full.  The waiting list is
first come, first served (``queued_at``, then id).  When a seat frees, the
first waiting member gets it in the same transaction and one PROMOTION
delivery is queued for them; the delivery worker sends the DM.  For a session
that costs money the seat is *offered* instead (status ``offered``, one
SEAT_OFFER delivery): the member accepts or declines, and an offer left
unanswered for ``[registration] offer_valid`` goes to the next in line
(:mod:`bot.services.offers`).

A members-only session (the network meetings) is open to the members of the
season it falls in (:mod:`bot.services.membership`); anyone else is refused
with :class:`~bot.errors.MembersOnly`, whose answer offers the membership.

A registration records the organisation it is made for (the member's at that
moment), so invoices do not move when the member does; see
:mod:`bot.services.fees` for the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, inspect, or_, select
from sqlalchemy.orm import Session

from bot.config import FeeSettings
from bot.delivery.enqueue import enqueue_delivery
from bot.delivery.reasons import SkipReason
from bot.errors import (
    AttendanceRequired,
    CancellationClosed,
    InvalidCapacity,
    MembersOnly,
    NothingToCancel,
    NotRegistered,
    NoUpcomingSession,
    ProfileRequired,
    RegistrationClosed,
    SessionCancelled,
)
from bot.models import (
    Attendance,
    Delivery,
    DeliveryKind,
    Member,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.seasons import Season
from bot.services.fees import Fee, fee_for, session_price
from bot.services.members import find_member
from bot.services.membership import is_member
from bot.services.seasons import season_at
from bot.services.sessions import find_session


@dataclass(frozen=True)
class SessionSummary:
    """The one read model of a session for messages: registration answers, offers,
    reminders, change and cancellation notices, the member's personal data file.

    (A session's feedback is a :class:`bot.services.summaries.FeedbackSummary`;
    what a reader may see of a session, with seats, a ``sessions.SessionView``.)
    """

    key: str
    title: str
    starts: datetime
    ends: datetime
    timezone: str
    location: str
    online_url: str
    is_online_only: bool

    @classmethod
    def of(cls, session: ProgrammeSession) -> SessionSummary:
        return cls(
            key=session.key,
            title=session.title,
            starts=session.starts_at,
            ends=session.ends_at,
            timezone=session.timezone,
            location=session.location,
            online_url=session.online_url,
            is_online_only=session.is_online_only,
        )


@dataclass(frozen=True)
class Promotion:
    """A waiting member who got a seat."""

    slack_user_id: str
    member_id: int
    registration_id: int


@dataclass(frozen=True)
class RegistrationOutcome:
    session: SessionSummary
    status: str  # confirmed | waiting | offered
    attendance: str  # room | online
    waiting_position: int | None
    already: bool  # the member was registered before this call
    fee: Fee | None  # None while waiting
    promoted: tuple[Promotion, ...] = ()

    @property
    def confirmed(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED


@dataclass(frozen=True)
class CancelOutcome:
    session: SessionSummary
    previous_status: str  # confirmed | waiting | cancelled (when already cancelled)
    already: bool
    promoted: tuple[Promotion, ...] = ()


@dataclass(frozen=True)
class CapacityOutcome:
    session: SessionSummary
    capacity: int
    promoted: tuple[Promotion, ...]


@dataclass(frozen=True)
class MyRegistration:
    session: SessionSummary
    status: str
    attendance: str
    waiting_position: int | None
    can_cancel: bool


# --- locking and counting ---------------------------------------------------------------


def _session_query(team_id: str, key: str | None, now: datetime) -> Select[tuple[ProgrammeSession]]:
    query = select(ProgrammeSession).where(ProgrammeSession.team_id == team_id)
    if key:
        return query.where(func.lower(ProgrammeSession.key) == key.lower())
    return (
        query.where(
            ProgrammeSession.starts_at > now,
            ProgrammeSession.cancelled_at.is_(None),
        )
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
        .limit(1)
    )


def _found(
    db: Session, session: ProgrammeSession | None, team_id: str, key: str | None
) -> ProgrammeSession:
    if session is None:
        if key:
            find_session(db, team_id, key)  # raises SessionNotFound with suggestions
        raise NoUpcomingSession()
    return session


def lock_session(db: Session, team_id: str, key: str | None, now: datetime) -> ProgrammeSession:
    """The session row, locked for this transaction (default: the next upcoming one)."""
    return _found(db, db.scalar(_session_query(team_id, key, now).with_for_update()), team_id, key)


def lock_read_session(db: Session, session: ProgrammeSession) -> None:
    """Lock the row of a session this transaction has read without locking it.

    The lock reads the row's columns in the same statement (not its agenda);
    should one have changed since it was read, the session is read again.
    On SQLite the write transaction is the database's only writer already.
    """
    if db.get_bind().dialect.name == "sqlite":
        return
    table = ProgrammeSession.__table__
    row = db.execute(select(table).where(table.c.id == session.id).with_for_update()).one()
    mapper = inspect(ProgrammeSession)
    if any(
        getattr(session, mapper.get_property_by_column(column).key) != row._mapping[column]
        for column in table.columns
    ):
        db.refresh(session)


# Seats held: confirmed, and offered to a waiting member who has not answered yet.
SEAT_HOLDING = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)


def room_seats_taken(db: Session, session_id: int) -> int:
    return (
        db.scalar(
            select(func.count()).where(
                Registration.session_id == session_id,
                Registration.status.in_(SEAT_HOLDING),
                Registration.attendance == Attendance.ROOM,
            )
        )
        or 0
    )


def _waiting_list(db: Session, session_id: int, *, first: int | None = None) -> list[Registration]:
    """The waiting list in its order; only its *first* rows when given."""
    query = (
        select(Registration)
        .where(
            Registration.session_id == session_id,
            Registration.status == RegistrationStatus.WAITING,
        )
        .order_by(Registration.queued_at, Registration.id)
    )
    if first is not None:
        query = query.limit(first)
    return list(db.scalars(query))


def _waiting_position(db: Session, registration: Registration) -> int:
    ahead = db.scalar(
        select(func.count()).where(
            Registration.session_id == registration.session_id,
            Registration.status == RegistrationStatus.WAITING,
            or_(
                Registration.queued_at < registration.queued_at,
                (Registration.queued_at == registration.queued_at)
                & (Registration.id < registration.id),
            ),
        )
    )
    return (ahead or 0) + 1


def registration_of(
    db: Session, session_id: int, member_id: int, *, reread: bool = False
) -> Registration | None:
    """The member's registration; *reread*: from the database even if this session has it."""
    query = select(Registration).where(
        Registration.session_id == session_id, Registration.member_id == member_id
    )
    if reread:
        query = query.execution_options(populate_existing=True)
    return db.scalar(query)


def attendance_for(session: ProgrammeSession, wanted: str | None) -> str:
    if session.is_online_only:
        return Attendance.ONLINE
    if not session.is_hybrid:
        return Attendance.ROOM
    if wanted in (Attendance.ROOM, Attendance.ONLINE):
        return str(wanted)
    raise AttendanceRequired(session.key, session.title)


def fill_seats(db: Session, session: ProgrammeSession, now: datetime) -> tuple[Promotion, ...]:
    """Give free room seats to the waiting list, first come first served.

    A session that costs money offers the seat (OFFERED, a SEAT_OFFER DM); a
    free one confirms it at once (a PROMOTION DM).
    """
    if session.cancelled_at is not None or session.starts_at <= now:
        return ()
    # Every registration passes here with the session row locked: a full room
    # (the usual case in a burst) must not load the waiting list, which grows
    # with every member who registers for it.
    first: int | None = None
    if session.capacity > 0:
        first = session.capacity - room_seats_taken(db, session.id)
        if first <= 0:
            return ()
    waiting = _waiting_list(db, session.id, first=first)
    promoted: list[Promotion] = []
    offering = session_price(session) > 0
    for registration in waiting:
        registration.status = (
            RegistrationStatus.OFFERED if offering else RegistrationStatus.CONFIRMED
        )
        registration.promoted_at = now
        member = db.get(Member, registration.member_id)
        assert member is not None
        kind = DeliveryKind.SEAT_OFFER if offering else DeliveryKind.PROMOTION
        enqueue_promotion(db, session, member, now, kind)
        promoted.append(Promotion(member.slack_user_id, member.id, registration.id))
    db.flush()
    return tuple(promoted)


def enqueue_promotion(
    db: Session,
    session: ProgrammeSession,
    member: Member,
    now: datetime,
    kind: str = DeliveryKind.PROMOTION,
) -> None:
    """One PROMOTION (or SEAT_OFFER) row per promotion.

    The offset key numbers the member's promotions for this session (1, 2, ...):
    a member promoted, cancelled, registered again and promoted again gets a
    second notice, while the same promotion can never be queued twice.  The
    session row is locked, so the numbering cannot race.
    """
    earlier = db.scalars(
        select(Delivery.offset_key).where(
            Delivery.session_id == session.id,
            Delivery.kind == kind,
            Delivery.recipient == member.slack_user_id,
        )
    )
    number = max((int(key) for key in earlier if key.isdigit()), default=0) + 1
    enqueue_delivery(
        db,
        team_id=session.team_id,
        session_id=session.id,
        member_id=member.id,
        recipient=member.slack_user_id,
        kind=kind,
        due_at=now,
        now=now,
        offset_key=str(number),
    )


def session_title(db: Session, team_id: str, key: str) -> str:
    return find_session(db, team_id, key).title


# --- registering and cancelling ----------------------------------------------------------


def register_member(
    db: Session,
    team_id: str,
    slack_user_id: str,
    session_key: str | None,
    attendance: str | None,
    now: datetime,
    *,
    fees: FeeSettings,
) -> RegistrationOutcome:
    """Register for *session_key* (None: the next upcoming session).

    Idempotent: registering again while registered (a double click, a Slack
    retry) changes nothing and says ``already``.  Raises ProfileRequired when
    the member has no profile yet and AttendanceRequired when the session has
    both a place and an online link and *attendance* is not given; nothing is
    written then.
    """
    # Everything that can refuse or answer without writing is read before the
    # session row is locked: in a burst for one session every registration
    # queues on that lock, so each statement run while it is held is waited
    # for by all the others.
    session = _found(db, db.scalar(_session_query(team_id, session_key, now)), team_id, session_key)
    _check_open(session, now)
    member = find_member(db, team_id, slack_user_id)
    registration = registration_of(db, session.id, member.id) if member else None
    if member is not None and registration is not None:
        if registration.status == RegistrationStatus.OFFERED and not member.has_profile:
            # A colleague signed up by someone else: the profile comes first.
            raise ProfileRequired(session.key, ask_attendance=False)
        if registration.status not in (RegistrationStatus.OFFERED, RegistrationStatus.CANCELLED):
            return _outcome(db, session, member, registration, fees, already=True)
    if member is None or not member.has_profile:
        ask = session.is_hybrid and attendance not in (Attendance.ROOM, Attendance.ONLINE)
        raise ProfileRequired(session.key, ask_attendance=ask)
    offered = registration is not None and registration.status == RegistrationStatus.OFFERED
    mode = None if offered else _seat_wanted(db, session, member, attendance)
    lock_read_session(db, session)
    _check_open(session, now)
    # Read again under the lock: the member's other click, or the offer's lapse, may have won.
    registration = registration_of(db, session.id, member.id, reread=True)
    if registration is not None and registration.status == RegistrationStatus.OFFERED:
        # Registering while a seat is offered (the card showed the price) accepts it.
        registration.status = RegistrationStatus.CONFIRMED
        registration.promoted_at = now
        db.flush()
        return _outcome(db, session, member, registration, fees, already=False)
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        return _outcome(db, session, member, registration, fees, already=True)
    if mode is None:  # the offer lapsed while this click waited for the lock
        mode = _seat_wanted(db, session, member, attendance)
    # Seats freed by a capacity change in the programme file go to the waiting list first.
    promoted = fill_seats(db, session, now)
    seat_free = (
        mode == Attendance.ONLINE
        or session.capacity <= 0
        or room_seats_taken(db, session.id) < session.capacity
    )
    status = RegistrationStatus.CONFIRMED if seat_free else RegistrationStatus.WAITING
    if registration is None:
        registration = Registration(team_id=team_id, session_id=session.id, member_id=member.id)
        db.add(registration)
    registration.status = status
    registration.attendance = mode
    # Invoiced to this organisation from now on (see bot/services/fees.py); a
    # promotion from the waiting list keeps it.
    registration.organisation_id = member.organisation_id
    registration.queued_at = now
    registration.registered_at = now
    registration.cancelled_at = None
    registration.promoted_at = None
    db.flush()
    return _outcome(db, session, member, registration, fees, already=False, promoted=promoted)


def _seat_wanted(
    db: Session, session: ProgrammeSession, member: Member, attendance: str | None
) -> str:
    """The attendance a new registration takes; raises what refuses it."""
    if session.members_only:
        season = season_of_session(db, session)
        if not is_member(db, session.team_id, member.id, season.key):
            raise MembersOnly(session.key, session.title, season.key)
    return attendance_for(session, attendance)


def _check_open(session: ProgrammeSession, now: datetime) -> None:
    if session.cancelled_at is not None:
        raise SessionCancelled(session.title)
    if session.starts_at <= now:
        raise RegistrationClosed(session.title)


def _outcome(
    db: Session,
    session: ProgrammeSession,
    member: Member,
    registration: Registration,
    fees: FeeSettings,
    *,
    already: bool,
    promoted: tuple[Promotion, ...] = (),
) -> RegistrationOutcome:
    waiting = registration.status == RegistrationStatus.WAITING
    return RegistrationOutcome(
        session=SessionSummary.of(session),
        status=registration.status,
        attendance=registration.attendance,
        waiting_position=_waiting_position(db, registration) if waiting else None,
        already=already,
        fee=None if waiting else fee_for(db, session, member.id, fees),
        promoted=promoted,
    )


def season_of_session(db: Session, session: ProgrammeSession) -> Season:
    """The season a session falls in (its start, in the zone its times were written in)."""
    return season_at(db, session.team_id, session.starts_at, ZoneInfo(session.timezone))


def cancel_members_only_registrations(
    db: Session, team_id: str, member: Member, season: Season, now: datetime
) -> tuple[str, ...]:
    """A member who leaves the membership gives up the season's members-only seats
    that have not started; freed seats go to the waiting list.  Returns the titles."""
    rows = db.execute(
        select(Registration, ProgrammeSession)
        .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
        .where(
            Registration.member_id == member.id,
            Registration.status != RegistrationStatus.CANCELLED,
            ProgrammeSession.team_id == team_id,
            ProgrammeSession.members_only.is_(True),
            ProgrammeSession.starts_at > now,
            ProgrammeSession.starts_at >= season.starts,
            ProgrammeSession.starts_at < season.ends,
        )
        .order_by(ProgrammeSession.starts_at)
    ).tuples()
    titles: list[str] = []
    for registration, session in list(rows):
        lock_session(db, team_id, session.key, now)
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        db.flush()
        fill_seats(db, session, now)
        titles.append(session.title)
    return tuple(titles)


def _next_registered_key(db: Session, member: Member, now: datetime) -> str | None:
    return db.scalar(
        select(ProgrammeSession.key)
        .join(Registration, Registration.session_id == ProgrammeSession.id)
        .where(
            Registration.member_id == member.id,
            Registration.status != RegistrationStatus.CANCELLED,
            ProgrammeSession.starts_at > now,
            ProgrammeSession.cancelled_at.is_(None),
        )
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
        .limit(1)
    )


def cancel_registration(
    db: Session,
    team_id: str,
    slack_user_id: str,
    session_key: str | None,
    now: datetime,
) -> CancelOutcome:
    """Cancel the member's registration (None: their next registered session).

    A freed room seat goes to the first waiting member in the same transaction.
    Cancelling twice is harmless; cancelling once the session has started is
    refused.
    """
    member = find_member(db, team_id, slack_user_id)
    if session_key is None:
        session_key = _next_registered_key(db, member, now) if member else None
        if session_key is None:
            raise NothingToCancel()
    session = lock_session(db, team_id, session_key, now)
    registration = registration_of(db, session.id, member.id) if member else None
    if registration is None:
        raise NotRegistered(session.title)
    if registration.status == RegistrationStatus.CANCELLED:
        return CancelOutcome(SessionSummary.of(session), registration.status, already=True)
    if session.starts_at <= now:
        raise CancellationClosed(session.title)
    previous = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    db.flush()
    promoted = fill_seats(db, session, now)
    return CancelOutcome(SessionSummary.of(session), previous, already=False, promoted=promoted)


def lapse_offer(
    db: Session, session: ProgrammeSession, registration: Registration, now: datetime
) -> tuple[Promotion, ...]:
    """An offered seat nobody took in time: cancelled, and offered to the next in line.

    The member hears of it in one OFFER_LAPSED DM (numbered like promotions).
    """
    lock_session(db, session.team_id, session.key, now)
    db.refresh(registration)
    if registration.status != RegistrationStatus.OFFERED:
        return ()
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    db.flush()
    member = db.get(Member, registration.member_id) if registration.member_id else None
    if member is not None:
        enqueue_promotion(db, session, member, now, DeliveryKind.OFFER_LAPSED)
    return fill_seats(db, session, now)


def registration_to_cancel(
    db: Session,
    team_id: str,
    slack_user_id: str,
    session_key: str | None,
    now: datetime,
) -> SessionSummary:
    """The session whose place a typed ``/sdg cancel [KEY]`` would give up; changes nothing.

    The same rules as :func:`cancel_registration` (None: the member's next
    registered session), so the question is only asked when the answer can be yes.
    """
    member = find_member(db, team_id, slack_user_id)
    if session_key is None:
        session_key = _next_registered_key(db, member, now) if member else None
        if session_key is None:
            raise NothingToCancel()
    session = find_session(db, team_id, session_key)
    registration = registration_of(db, session.id, member.id) if member else None
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        raise NotRegistered(session.title)
    if session.starts_at <= now:
        raise CancellationClosed(session.title)
    return SessionSummary.of(session)


def raise_capacity(
    db: Session, team_id: str, session_key: str, new_capacity: int, now: datetime
) -> CapacityOutcome:
    """Set the room capacity (0 = no limit) and move the waiting list up into new seats.

    Lowering it never takes a seat from anyone: it only stops new confirmations
    until enough members have cancelled.  ``updated_at`` is left alone: a seat
    count is no change members need to hear about (``/sdg edit`` decides that).
    """
    if new_capacity < 0:
        raise InvalidCapacity()
    session = lock_session(db, team_id, session_key, now)
    session.capacity = new_capacity
    db.flush()
    promoted = fill_seats(db, session, now)
    return CapacityOutcome(SessionSummary.of(session), new_capacity, promoted)


def my_registrations(
    db: Session, team_id: str, slack_user_id: str, now: datetime
) -> list[MyRegistration]:
    """The member's registrations and waiting places for sessions that have not ended."""
    member = find_member(db, team_id, slack_user_id)
    if member is None:
        return []
    rows = db.execute(
        select(Registration, ProgrammeSession)
        .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
        .where(
            Registration.member_id == member.id,
            Registration.status != RegistrationStatus.CANCELLED,
            ProgrammeSession.ends_at > now,
            ProgrammeSession.cancelled_at.is_(None),
        )
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
    ).tuples()
    return [
        MyRegistration(
            session=SessionSummary.of(session),
            status=registration.status,
            attendance=registration.attendance,
            waiting_position=(
                _waiting_position(db, registration)
                if registration.status == RegistrationStatus.WAITING
                else None
            ),
            can_cancel=session.starts_at > now,
        )
        for registration, session in rows
    ]


# --- the promotion notice ----------------------------------------------------------------


@dataclass(frozen=True)
class PromotionNotice:
    session: SessionSummary
    attendance: str
    fee: Fee | None


def promotion_notice(
    db: Session, delivery: Delivery, fees: FeeSettings, now: datetime
) -> PromotionNotice | SkipReason:
    """What a PROMOTION delivery should say, or why it should be skipped."""
    session = db.get(ProgrammeSession, delivery.session_id)
    member = db.get(Member, delivery.member_id) if delivery.member_id else None
    if session is None:
        return SkipReason.SESSION_GONE
    if member is None:
        return SkipReason.MEMBER_GONE
    if session.cancelled_at is not None:
        return SkipReason.SESSION_CANCELLED
    if session.starts_at <= now:
        return SkipReason.SESSION_STARTED
    registration = registration_of(db, session.id, member.id)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return SkipReason.NOT_CONFIRMED
    newest = db.scalar(
        select(func.max(Delivery.id)).where(
            Delivery.session_id == session.id,
            Delivery.kind == DeliveryKind.PROMOTION,
            Delivery.recipient == delivery.recipient,
        )
    )
    if newest != delivery.id:
        return SkipReason.LATER_PROMOTION
    return PromotionNotice(
        SessionSummary.of(session), registration.attendance, fee_for(db, session, member.id, fees)
    )
