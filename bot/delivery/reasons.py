"""Why a delivery is not sent, or not yet: one name per reason.

Kept free of imports so services (which skip rows themselves, e.g. a change
notice folded into a later one) can use them below the rendering layer.
"""

from __future__ import annotations

from enum import StrEnum


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
    NOT_OFFERED = "the seat is no longer offered"
    OFFER_LAPSED = "the offer lapsed"
    EMAIL_OFF = "e-mail is not configured"


class HoldReason(StrEnum):
    """Why a delivery row waits."""

    QUIET = "quiet hours or public holiday"
    NUDGE_WAITS_FOR_PROMPT = "nudge_after counts from the prompt"
