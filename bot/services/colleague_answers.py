"""Telling a member how the colleague they signed up answered.

A colleague's sign-up ends one of three ways: they accept, they decline, or
the held seat lapses after ``[registration] offer_valid``.  Each closes the
open :class:`~bot.models.ColleagueInvitation` and queues one COLLEAGUE_ANSWER
DM to the member who signed them up (numbered by the invitation, so a replayed
click or a second pass over a lapsed seat cannot queue it twice).  A
withdrawal is the inviter's own doing and tells nobody.

Kept apart from :mod:`bot.services.colleagues` because the lapse is found by
:func:`bot.services.offers.expire_offers`, which that module imports.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery.enqueue import enqueue_delivery
from bot.delivery.reasons import SkipReason
from bot.models import (
    ColleagueInvitation,
    Delivery,
    DeliveryKind,
    Member,
    ProgrammeSession,
    Registration,
)
from bot.services.registration import SessionSummary


class ColleagueAnswer(enum.StrEnum):
    """How a sign-up ended (``colleague_invitations.answer``)."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


# The endings the inviter hears of.
_TOLD = frozenset({ColleagueAnswer.ACCEPTED, ColleagueAnswer.DECLINED, ColleagueAnswer.LAPSED})


@dataclass(frozen=True)
class AnswerNotice:
    """What the inviter's COLLEAGUE_ANSWER DM says."""

    session: SessionSummary
    colleague: str  # the colleague's Slack user id
    answer: ColleagueAnswer


def open_invitation(db: Session, registration: Registration) -> ColleagueInvitation | None:
    """The registration's unanswered sign-up by a colleague, if it has one.

    A sign-up older than the registration's current offer (one that lapsed
    before lapses were recorded, the member later promoted from the waiting
    list) is not the one that holds the seat.
    """
    invitation = db.scalar(
        select(ColleagueInvitation)
        .where(
            ColleagueInvitation.registration_id == registration.id,
            ColleagueInvitation.answer.is_(None),
        )
        .order_by(ColleagueInvitation.invited_at.desc(), ColleagueInvitation.id.desc())
        .limit(1)
    )
    if (
        invitation is not None
        and registration.promoted_at is not None
        and invitation.invited_at < registration.promoted_at
    ):
        return None
    return invitation


def close_invitation(
    db: Session, registration: Registration, answer: ColleagueAnswer, now: datetime
) -> None:
    """Record *answer* on the registration's open sign-up and tell the inviter.

    Nothing happens without an open sign-up (the member registered themselves,
    or it was closed already).  The inviter is not told of a withdrawal.
    """
    invitation = open_invitation(db, registration)
    if invitation is None:
        return
    invitation.answer = answer
    invitation.answered_at = now
    inviter = (
        db.get(Member, invitation.invited_by_member_id) if invitation.invited_by_member_id else None
    )
    colleague = db.get(Member, registration.member_id) if registration.member_id else None
    if answer in _TOLD and inviter is not None and colleague is not None:
        enqueue_delivery(
            db,
            team_id=registration.team_id,
            session_id=registration.session_id,
            member_id=inviter.id,
            recipient=inviter.slack_user_id,
            kind=DeliveryKind.COLLEAGUE_ANSWER,
            due_at=now,
            now=now,
            offset_key=str(invitation.id),
            details={"answer": str(answer), "colleague": colleague.slack_user_id},
        )
    db.flush()


def answer_notice(db: Session, delivery: Delivery, now: datetime) -> AnswerNotice | SkipReason:
    """What a COLLEAGUE_ANSWER row says, or why it is skipped."""
    session = db.get(ProgrammeSession, delivery.session_id)
    if session is None:
        return SkipReason.SESSION_GONE
    if delivery.member_id is None or db.get(Member, delivery.member_id) is None:
        return SkipReason.MEMBER_GONE
    if session.cancelled_at is not None:
        return SkipReason.SESSION_CANCELLED  # the cancellation notice says all there is to say
    if session.starts_at <= now:
        return SkipReason.SESSION_STARTED
    details = delivery.details or {}
    colleague, answer = details.get("colleague"), details.get("answer")
    if not isinstance(colleague, str) or answer not in _TOLD:
        return SkipReason.NO_DETAILS
    return AnswerNotice(SessionSummary.of(session), colleague, ColleagueAnswer(answer))
