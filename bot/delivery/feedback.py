"""Feedback prompts and nudges: the planner that creates their rows, the builders
that word them.

For every session with ``feedback = true`` that ended (plus ``[feedback]
prompt_delay``) and was not cancelled, each confirmed participant gets:

* one FEEDBACK_PROMPT row, due at ``ends + prompt_delay``;
* one FEEDBACK_NUDGE row, due ``nudge_after`` later.  The builder skips it
  when the member has answered by then, and holds it back when the prompt
  itself went out late (the bot was down), so the nudge always comes
  ``nudge_after`` after the prompt.  There is no second nudge: one row, once.

The planner looks only at sessions that ended within :data:`PLANNER_LOOKBACK`
(so a tick stays one small query however long the history grows) and only at
participants who have no prompt row yet.  A bot that was down longer than
that sends no prompts for the sessions it missed: a month-old "how was it?"
helps nobody.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.delivery.enqueue import enqueue_delivery
from bot.delivery.outcomes import (
    HoldDelivery,
    HoldReason,
    OutgoingMessage,
    SkipDelivery,
    SkipReason,
)
from bot.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Member,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.rendering.feedback import feedback_nudge_message, feedback_prompt_message
from bot.services.feedback import has_answered, is_confirmed_participant
from bot.services.members import reader_for

PLANNER_LOOKBACK = timedelta(days=30)


def plan_feedback(db: Session, settings: Settings, now: datetime) -> int:
    """Create the prompt and nudge rows that should exist; returns how many were created."""
    delay = settings.feedback.prompt_delay
    ended_by = now - delay
    has_prompt = exists().where(
        Delivery.session_id == Registration.session_id,
        Delivery.member_id == Registration.member_id,
        Delivery.kind == DeliveryKind.FEEDBACK_PROMPT,
    )
    rows = db.execute(
        select(
            ProgrammeSession.id,
            ProgrammeSession.team_id,
            ProgrammeSession.ends_at,
            Member.id,
            Member.slack_user_id,
        )
        .join(Registration, Registration.session_id == ProgrammeSession.id)
        .join(Member, Member.id == Registration.member_id)
        .where(
            ProgrammeSession.feedback.is_(True),
            ProgrammeSession.cancelled_at.is_(None),
            ProgrammeSession.ends_at <= ended_by,
            ProgrammeSession.ends_at > ended_by - PLANNER_LOOKBACK,
            Registration.status == RegistrationStatus.CONFIRMED,
            ~has_prompt,
        )
    )
    created = 0
    for session_id, team_id, ends_at, member_id, slack_user_id in rows.all():
        prompt_due = ends_at + delay
        for kind, due in (
            (DeliveryKind.FEEDBACK_PROMPT, prompt_due),
            (DeliveryKind.FEEDBACK_NUDGE, prompt_due + settings.feedback.nudge_after),
        ):
            created += enqueue_delivery(
                db,
                team_id=team_id,
                session_id=session_id,
                member_id=member_id,
                recipient=slack_user_id,
                kind=kind,
                due_at=due,
                now=now,
            )
    return created


def _context(db: Session, delivery: Delivery) -> tuple[ProgrammeSession, Member] | SkipDelivery:
    """The session and member, or why the row should not be sent."""
    session = db.get(ProgrammeSession, delivery.session_id)
    member = db.get(Member, delivery.member_id) if delivery.member_id is not None else None
    if session is None or session.cancelled_at is not None:
        return SkipDelivery(SkipReason.SESSION_CANCELLED)
    if not session.feedback:
        return SkipDelivery(SkipReason.FEEDBACK_OFF)
    if member is None:
        return SkipDelivery(SkipReason.MEMBER_GONE)
    if not is_confirmed_participant(db, session.id, member.id):
        return SkipDelivery(SkipReason.NOT_A_PARTICIPANT)
    if has_answered(db, session.id, member.id):
        return SkipDelivery(SkipReason.ALREADY_ANSWERED)
    return session, member


def build_feedback_prompt(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery:
    found = _context(db, delivery)
    if isinstance(found, SkipDelivery):
        return found
    session, member = found
    t = reader_for(member, member.slack_user_id, settings, now).translator
    text, blocks = feedback_prompt_message(session.key, session.title, session.anonymous, t)
    return OutgoingMessage(text, blocks)


def build_feedback_nudge(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery | HoldDelivery:
    found = _context(db, delivery)
    if isinstance(found, SkipDelivery):
        return found
    session, member = found
    prompt = db.scalar(
        select(Delivery).where(
            and_(
                Delivery.session_id == delivery.session_id,
                Delivery.member_id == delivery.member_id,
                Delivery.kind == DeliveryKind.FEEDBACK_PROMPT,
            )
        )
    )
    if prompt is not None and prompt.state in (DeliveryState.PENDING, DeliveryState.SENDING):
        # The prompt is late (retries, an outage): the nudge waits its full time after it.
        return HoldDelivery(now + settings.feedback.nudge_after, HoldReason.NUDGE_WAITS_FOR_PROMPT)
    if prompt is not None and prompt.sent_at is not None:
        ready = prompt.sent_at + settings.feedback.nudge_after
        if ready > now:
            return HoldDelivery(ready, HoldReason.NUDGE_WAITS_FOR_PROMPT)
    # A prompt that failed or never existed: the nudge is the member's one chance.
    t = reader_for(member, member.slack_user_id, settings, now).translator
    text, blocks = feedback_nudge_message(session.key, session.title, session.anonymous, t)
    return OutgoingMessage(text, blocks)
