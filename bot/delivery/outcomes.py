"""What a message builder decides for one claimed delivery row: send, skip or hold.

Kept apart from ``bot.delivery.registry`` so the builders the registry lists
can import these without importing the registry back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class SkipReason(StrEnum):
    """Why a delivery row is not sent; stored in ``deliveries.skip_reason``."""

    SESSION_GONE = "session no longer exists"
    SESSION_STARTED = "session has started"
    SESSION_CANCELLED = "session cancelled"
    SESSION_ENDED = "session has ended"
    NOT_CANCELLED = "session is not cancelled"
    MEMBER_GONE = "member no longer exists"
    SUPERSEDED = "superseded by a later reminder due at the same time"
    REGISTERED_LATE = "registered after due time"
    CREATED_LATE = "session created after due time"
    REGISTRATION_CANCELLED = "registration cancelled"
    NOT_CONFIRMED = "registration not confirmed"
    NOT_REGISTERED = "no longer registered"
    MOVED_PAST_DUE = "due time passed when the session moved"
    OFFSET_REMOVED = "offset no longer configured"
    CHANNEL_CHANGED = "announce channel changed"
    ALREADY_ANSWERED = "already answered"
    FEEDBACK_OFF = "feedback not collected"
    NOT_A_PARTICIPANT = "not a confirmed participant"
    NO_DETAILS = "the change is not recorded"
    UNDONE = "the change was undone"
    REPLACED = "replaced by a later change notice"
    LATER_PROMOTION = "a later promotion replaces it"


class HoldReason(StrEnum):
    """Why a delivery row waits."""

    QUIET = "quiet hours or public holiday"
    NUDGE_WAITS_FOR_PROMPT = "nudge_after counts from the prompt"


@dataclass(frozen=True)
class OutgoingMessage:
    """A DM or channel post: ``text`` is the notification fallback."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class SkipDelivery:
    """The row should not be sent (session cancelled, member left, too late...)."""

    reason: SkipReason


@dataclass(frozen=True)
class HoldDelivery:
    """Not now but later (quiet hours, a holiday): the row waits until ``until``."""

    until: datetime
    reason: HoldReason
