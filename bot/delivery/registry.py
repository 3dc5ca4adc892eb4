"""What each kind of delivery says, and which planners create delivery rows.

A *message builder* turns one claimed delivery row into the message to send
(or says why it should be skipped).  A *planner* runs at every tick and makes
sure the rows that should exist do exist (idempotently, via enqueue_delivery).
Each feature registers its builders and planners in :func:`message_builders`
and :func:`planners` below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.models import Delivery


@dataclass(frozen=True)
class OutgoingMessage:
    """A DM or channel post: ``text`` is the notification fallback."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class SkipDelivery:
    """The row should not be sent (session cancelled, member left, too late...)."""

    reason: str


MessageBuilder = Callable[[Session, Delivery, Settings, datetime], OutgoingMessage | SkipDelivery]
Planner = Callable[[Session, Settings, datetime], int]


def message_builders() -> dict[str, MessageBuilder]:
    """kind -> builder.  Imported lazily so features can import this module."""
    builders: dict[str, MessageBuilder] = {}
    return builders


def planners() -> list[Planner]:
    found: list[Planner] = []
    return found
