"""COLLEAGUE_ANSWER: the DM telling a member how the colleague they signed up answered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.delivery.outcomes import OutgoingMessage, SkipDelivery, SkipReason
from bot.models import Delivery, Member
from bot.rendering.guests import colleague_answer_message
from bot.services.colleague_answers import answer_notice
from bot.services.members import reader_for


def build_colleague_answer(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery:
    notice = answer_notice(db, delivery, now)
    if isinstance(notice, SkipReason):
        return SkipDelivery(notice)
    inviter = db.get(Member, delivery.member_id) if delivery.member_id else None
    reader = reader_for(inviter, delivery.recipient, settings, now)
    return colleague_answer_message(notice, reader.translator)
