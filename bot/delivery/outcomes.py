"""What a message builder decides for one claimed delivery row: send, skip or hold.

Kept apart from ``bot.delivery.registry`` so the builders the registry lists
can import these without importing the registry back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.delivery.reasons import HoldReason, SkipReason
from bot.rendering.reply import Reply

__all__ = ["HoldDelivery", "HoldReason", "OutgoingMessage", "SkipDelivery", "SkipReason"]


# A DM or channel post is a Reply like every other message (``text`` is the
# notification fallback); the name is kept for the worker and the builders.
OutgoingMessage = Reply


@dataclass(frozen=True)
class SkipDelivery:
    """The row should not be sent (session cancelled, member left, too late...)."""

    reason: SkipReason


@dataclass(frozen=True)
class HoldDelivery:
    """Not now but later (quiet hours, a holiday): the row waits until ``until``."""

    until: datetime
    reason: HoldReason
