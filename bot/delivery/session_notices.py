"""SESSION_CHANGED and SESSION_CANCELLED: the DMs registrants get when a session changes.

``/sdg edit`` and ``sdgbot import`` queue one SESSION_CHANGED row per
confirmed or waiting member when the time, the place or the online link
changed (``bot/services/change_notices.py``); ``/sdg cancel-session`` queues
one SESSION_CANCELLED row per member (``bot/services/manage.py``).  Both are
due at once and are never held for quiet hours: a moved or cancelled session
is news members need before they set off.  Each message is worded when it is
sent, in the member's language and zone, from the session as it is then and
the old values in the row's ``details`` (``change_notices.change_notice``
says what a change row should say, or why it should be skipped).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.delivery.outcomes import OutgoingMessage, SkipDelivery, SkipReason
from bot.models import Delivery, Member, ProgrammeSession
from bot.rendering.session_notices import session_cancelled_message, session_changed_message
from bot.services.change_notices import change_notice
from bot.services.members import reader_for
from bot.services.registration import SessionSummary


def build_session_changed(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery:
    notice = change_notice(db, delivery, now)
    if isinstance(notice, SkipReason):
        return SkipDelivery(notice)
    member = db.get(Member, delivery.member_id) if delivery.member_id else None
    reader = reader_for(member, delivery.recipient, settings, now)
    return session_changed_message(notice, reader.translator)


def build_session_cancelled(
    db: Session, delivery: Delivery, settings: Settings, now: datetime
) -> OutgoingMessage | SkipDelivery:
    session = db.get(ProgrammeSession, delivery.session_id)
    member = db.get(Member, delivery.member_id) if delivery.member_id else None
    if session is None:
        return SkipDelivery(SkipReason.SESSION_GONE)
    if member is None:
        return SkipDelivery(SkipReason.MEMBER_GONE)
    if session.cancelled_at is None:
        return SkipDelivery(SkipReason.NOT_CANCELLED)
    reader = reader_for(member, delivery.recipient, settings, now)
    return session_cancelled_message(SessionSummary.of(session), reader.translator)
