"""The PROMOTION delivery: "a seat has become free, and it is yours"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.delivery.outcomes import OutgoingMessage, SkipDelivery, SkipReason
from bot.models import Delivery, Member
from bot.rendering.registration import promotion_message
from bot.services.members import reader_for
from bot.services.registration import promotion_notice


def build_promotion(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery:
    """Re-checks the seat at sending time: a member who cancelled meanwhile hears nothing."""
    notice = promotion_notice(db, delivery, settings.fees, now)
    if isinstance(notice, SkipReason):
        return SkipDelivery(notice)
    member = db.get(Member, delivery.member_id) if delivery.member_id else None
    reader = reader_for(member, delivery.recipient, settings, now)
    text, blocks = promotion_message(notice, reader.translator)
    return OutgoingMessage(text, blocks)
