"""The SEAT_OFFER delivery ("a seat is free at a priced session; do you want it?") and
OFFER_LAPSED ("you did not answer; the seat went to the next in line")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.delivery.outcomes import OutgoingMessage, SkipDelivery
from bot.delivery.reasons import SkipReason
from bot.models import Delivery, Member, ProgrammeSession
from bot.rendering.offers import offer_lapsed_message, seat_offer_message
from bot.services.members import reader_for
from bot.services.offers import seat_offer


def build_seat_offer(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery:
    """Re-checked at sending time: an offer answered, lapsed or cancelled is not sent."""
    session = db.get(ProgrammeSession, delivery.session_id)
    member = db.get(Member, delivery.member_id) if delivery.member_id else None
    if session is None or member is None:
        return SkipDelivery(SkipReason.MEMBER_GONE if session else SkipReason.SESSION_GONE)
    offer = seat_offer(db, session, member, settings.fees, settings.registration.offer_valid, now)
    if isinstance(offer, SkipReason):
        return SkipDelivery(offer)
    reader = reader_for(member, delivery.recipient, settings, now)
    text, blocks = seat_offer_message(offer, reader.translator)
    return OutgoingMessage(text, blocks)


def build_offer_lapsed(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery:
    """The member let an offer lapse: the seat went on; they may register again."""
    session = db.get(ProgrammeSession, delivery.session_id)
    member = db.get(Member, delivery.member_id) if delivery.member_id else None
    if session is None or member is None:
        return SkipDelivery(SkipReason.MEMBER_GONE if session else SkipReason.SESSION_GONE)
    if session.cancelled_at is not None:
        return SkipDelivery(SkipReason.SESSION_CANCELLED)
    if session.starts_at <= now:
        return SkipDelivery(SkipReason.SESSION_STARTED)
    reader = reader_for(member, delivery.recipient, settings, now)
    text, blocks = offer_lapsed_message(session.key, session.title, reader.translator)
    return OutgoingMessage(text, blocks)
