"""Seats offered from the waiting list: accept, decline, or let the offer lapse.

A free session gives a freed seat to the first waiting member at once.  A
session that costs money *offers* it (``RegistrationStatus.OFFERED``, see
:func:`bot.services.registration.fill_seats`): nobody is charged without
saying yes.  The seat is held for ``[registration] offer_valid`` from the
moment it was offered (``promoted_at``), and never past the session's start.
Accepting confirms the registration; declining, or letting the offer lapse,
cancels it and offers the seat to the next in line in the same transaction.

:func:`expire_offers` is a planner: it runs at every scheduler tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import FeeSettings, Settings
from bot.delivery.reasons import SkipReason
from bot.errors import NoOpenOffer, NotRegistered
from bot.models import Member, ProgrammeSession, Registration, RegistrationStatus
from bot.services import registration as registrations
from bot.services.colleague_answers import ColleagueAnswer, close_invitation
from bot.services.fees import Fee, session_price
from bot.services.members import find_member
from bot.services.sessions import find_session


@dataclass(frozen=True)
class SeatOffer:
    """What the offer DM says."""

    session: registrations.SessionSummary
    attendance: str
    price: Fee
    expires_at: datetime


def offer_deadline(
    registration: Registration, session: ProgrammeSession, offer_valid: timedelta
) -> datetime:
    offered = registration.promoted_at or registration.queued_at
    return min(offered + offer_valid, session.starts_at)


def _offered_registration(
    db: Session, team_id: str, slack_user_id: str, key: str
) -> tuple[ProgrammeSession, Member, Registration]:
    session = find_session(db, team_id, key)
    member = find_member(db, team_id, slack_user_id)
    registration = (
        db.scalar(
            select(Registration).where(
                Registration.session_id == session.id, Registration.member_id == member.id
            )
        )
        if member
        else None
    )
    if member is None or registration is None:
        raise NotRegistered(session.title)
    return session, member, registration


def accept_offer(
    db: Session,
    team_id: str,
    slack_user_id: str,
    key: str,
    now: datetime,
    *,
    fees: FeeSettings,
    offer_valid: timedelta,
) -> registrations.RegistrationOutcome:
    """Take the offered seat.  Accepting twice says ``already``; a lapsed offer is refused."""
    session, member, registration = _offered_registration(db, team_id, slack_user_id, key)
    if registration.status == RegistrationStatus.CONFIRMED:
        return registrations.register_member(
            db, team_id, slack_user_id, session.key, registration.attendance, now, fees=fees
        )
    if (
        registration.status != RegistrationStatus.OFFERED
        or offer_deadline(registration, session, offer_valid) <= now
    ):
        raise NoOpenOffer(session.title)
    # register_member confirms an OFFERED registration (under the session lock).
    return registrations.register_member(
        db, team_id, slack_user_id, session.key, registration.attendance, now, fees=fees
    )


def decline_offer(
    db: Session, team_id: str, slack_user_id: str, key: str, now: datetime
) -> registrations.CancelOutcome:
    """Give the offered seat back; it goes to the next in line."""
    session, _member, registration = _offered_registration(db, team_id, slack_user_id, key)
    if registration.status != RegistrationStatus.OFFERED:
        if registration.status == RegistrationStatus.CANCELLED:
            return registrations.CancelOutcome(
                registrations.SessionSummary.of(session), registration.status, already=True
            )
        raise NoOpenOffer(session.title)
    return registrations.cancel_registration(db, team_id, slack_user_id, session.key, now)


def seat_offer(
    db: Session,
    session: ProgrammeSession,
    member: Member,
    fees: FeeSettings,
    offer_valid: timedelta,
    now: datetime,
) -> SeatOffer | SkipReason:
    """What the offer DM should say, or why it should be skipped."""
    registration = db.scalar(
        select(Registration).where(
            Registration.session_id == session.id, Registration.member_id == member.id
        )
    )
    if session.cancelled_at is not None:
        return SkipReason.SESSION_CANCELLED
    if registration is None or registration.status != RegistrationStatus.OFFERED:
        return SkipReason.NOT_OFFERED
    expires = offer_deadline(registration, session, offer_valid)
    if expires <= now:
        return SkipReason.OFFER_LAPSED
    price = session_price(session)
    return SeatOffer(
        registrations.SessionSummary.of(session),
        registration.attendance,
        Fee(price, price, fees.currency, fees.extra_participant_discount),
        expires,
    )


def expire_offers(db: Session, settings: Settings, now: datetime) -> int:
    """Cancel offers left unanswered too long; their seats go to the next in line."""
    offered = db.execute(
        select(Registration, ProgrammeSession)
        .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
        .where(Registration.status == RegistrationStatus.OFFERED)
        .order_by(Registration.promoted_at, Registration.id)
    ).tuples()
    lapsed = [
        (registration, session)
        for registration, session in offered
        if offer_deadline(registration, session, settings.registration.offer_valid) <= now
    ]
    for registration, session in lapsed:
        registrations.lapse_offer(db, session, registration, now)
        if registration.status == RegistrationStatus.CANCELLED:
            # A colleague's held seat: the member who signed them up hears of it.
            close_invitation(db, registration, ColleagueAnswer.LAPSED, now)
    return len(lapsed)
