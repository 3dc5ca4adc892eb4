"""Guests by the rows that count them: their registration and their membership.

Kept apart from :mod:`bot.services.guests` (which registers them) so fees and
exports can name a guest without importing the registration flow.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Guest

# The recipient of a delivery to a guest's e-mail address (Slack ids have no colon).
GUEST_RECIPIENT_PREFIX = "guest:"


def guest_recipient(guest_id: int) -> str:
    return f"{GUEST_RECIPIENT_PREFIX}{guest_id}"


def guest_id_of(recipient: str) -> int | None:
    """The guest a delivery's recipient names, or None for a Slack recipient."""
    if not recipient.startswith(GUEST_RECIPIENT_PREFIX):
        return None
    digits = recipient[len(GUEST_RECIPIENT_PREFIX) :]
    return int(digits) if digits.isascii() and digits.isdigit() else None


def guests_by_membership(db: Session, membership_ids: Iterable[int]) -> dict[int, Guest]:
    ids = list(membership_ids)
    if not ids:
        return {}
    rows = db.scalars(
        select(Guest).where(Guest.membership_id.in_(ids)).order_by(Guest.created_at, Guest.id)
    )
    found: dict[int, Guest] = {}
    for guest in rows:
        assert guest.membership_id is not None
        found.setdefault(guest.membership_id, guest)
    return found
