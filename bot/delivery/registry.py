"""What each kind of delivery says, and which planners create delivery rows.

A *message builder* turns one claimed delivery row into the message to send
(or says why it should be skipped).  A *planner* runs at every tick and makes
sure the rows that should exist do exist (idempotently, via enqueue_delivery).
Each feature registers its builders and planners in :func:`message_builders`
and :func:`planners` below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.delivery.outcomes import HoldDelivery, OutgoingMessage, SkipDelivery
from bot.models import Delivery

__all__ = [
    "BatchPreparer",
    "HoldDelivery",
    "MessageBuilder",
    "OutgoingMessage",
    "Planner",
    "SkipDelivery",
    "batch_preparers",
    "message_builders",
    "planners",
]


MessageBuilder = Callable[
    [Session, Delivery, Settings, datetime], OutgoingMessage | SkipDelivery | HoldDelivery
]
Planner = Callable[[Session, Settings, datetime], int]
# Loads, for many claimed rows of one kind, what their builder will read, so
# the builder asks the database once per batch rather than once per row.
BatchPreparer = Callable[[Session, Sequence[Delivery], datetime], None]


def message_builders() -> dict[str, MessageBuilder]:
    """kind -> builder.  The builders import only ``bot.delivery.outcomes``."""
    builders: dict[str, MessageBuilder] = {}
    from bot.delivery.reminder_messages import build_heads_up, build_reminder
    from bot.models import DeliveryKind

    builders[DeliveryKind.REMINDER] = build_reminder
    from bot.delivery.guest_email import (
        build_any_reminder,
        build_colleague_invitation,
        build_guest_calendar,
    )

    # Guests without Slack get their reminders by e-mail (recipient "guest:<id>").
    builders[DeliveryKind.REMINDER] = build_any_reminder
    builders[DeliveryKind.GUEST_CALENDAR] = build_guest_calendar
    builders[DeliveryKind.COLLEAGUE_INVITATION] = build_colleague_invitation
    from bot.delivery.colleague_answer import build_colleague_answer

    builders[DeliveryKind.COLLEAGUE_ANSWER] = build_colleague_answer
    builders[DeliveryKind.CHANNEL_HEADS_UP] = build_heads_up
    from bot.delivery.promotion import build_promotion

    builders[DeliveryKind.PROMOTION] = build_promotion
    from bot.delivery.seat_offer import build_offer_lapsed, build_seat_offer

    builders[DeliveryKind.SEAT_OFFER] = build_seat_offer
    builders[DeliveryKind.OFFER_LAPSED] = build_offer_lapsed
    from bot.delivery.feedback import build_feedback_nudge, build_feedback_prompt

    builders[DeliveryKind.FEEDBACK_PROMPT] = build_feedback_prompt
    builders[DeliveryKind.FEEDBACK_NUDGE] = build_feedback_nudge
    from bot.delivery.guest_email import build_any_session_cancelled, build_any_session_changed

    # Guests hear of a moved or cancelled session by e-mail.
    builders[DeliveryKind.SESSION_CHANGED] = build_any_session_changed
    builders[DeliveryKind.SESSION_CANCELLED] = build_any_session_cancelled
    return builders


def batch_preparers() -> dict[str, BatchPreparer]:
    """kind -> preparer, for the kinds sent in large fan-outs."""
    from bot.delivery.reminder_messages import prepare_reminders
    from bot.models import DeliveryKind

    return {DeliveryKind.REMINDER: prepare_reminders}


def planners() -> list[Planner]:
    found: list[Planner] = []
    from bot.delivery.reminder_planner import plan_heads_ups, plan_reminders

    found += [plan_reminders, plan_heads_ups]
    from bot.delivery.feedback import plan_feedback

    found.append(plan_feedback)
    from bot.services.retention import plan_retention

    found.append(plan_retention)
    from bot.services.offers import expire_offers

    found.append(expire_offers)
    from bot.delivery.guest_email import plan_guest_emails

    found.append(plan_guest_emails)
    return found
