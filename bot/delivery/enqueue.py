"""Adding a delivery row, at most once per (session, kind, recipient, offset)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.models import Delivery, DeliveryState


def enqueue_delivery(
    db: Session,
    *,
    team_id: str,
    session_id: int,
    member_id: int | None,
    recipient: str,
    kind: str,
    due_at: datetime,
    now: datetime,
    offset_key: str = "",
    state: str = DeliveryState.PENDING,
    skip_reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> bool:
    """Insert the row unless it exists; True when this call created it.

    *details* is what the message needs beyond the session (``Delivery.details``).

    The unique key makes a second row impossible even when two processes
    race; the loser's insert is simply ignored.
    """
    values = {
        "team_id": team_id,
        "session_id": session_id,
        "member_id": member_id,
        "recipient": recipient,
        "kind": str(kind),
        "offset_key": offset_key,
        "due_at": due_at,
        "state": str(state),
        "skip_reason": skip_reason,
        "attempts": 0,
        "created_at": now,
    }
    if details is not None:  # left out, the column is SQL NULL rather than JSON null
        values["details"] = details
    dialect = db.get_bind().dialect.name
    statement: object
    if dialect == "postgresql":
        statement = postgresql.insert(Delivery).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(Delivery).values(values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported backends
        statement = insert(Delivery).values(values)
    # RETURNING says whether a row was written; the rowcount does not (it is -1 on
    # PostgreSQL for an ORM-enabled INSERT ... ON CONFLICT DO NOTHING).
    result = db.execute(statement.returning(Delivery.id))  # type: ignore[attr-defined]
    return result.first() is not None
