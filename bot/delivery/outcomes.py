"""What a message builder decides for one claimed delivery row: send, skip or hold.

Kept apart from ``bot.delivery.registry`` so the builders the registry lists
can import these without importing the registry back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class OutgoingMessage:
    """A DM or channel post: ``text`` is the notification fallback."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class SkipDelivery:
    """The row should not be sent (session cancelled, member left, too late...)."""

    reason: str


@dataclass(frozen=True)
class HoldDelivery:
    """Not now but later (quiet hours, a holiday): the row waits until ``until``."""

    until: datetime
    reason: str
