"""registrations keep the fee they were made under, before seasons

Before seasons, a session without a ``price`` cost ``[fees] member_price``
per participant, with ``extra_participant_discount`` off for each further
participant from the same organisation and session.  From now on the network
charges a season membership and sessions are free unless they set a price.
So that no registration made under the old rule changes its price, every
confirmed registration of a session that is not cancelled gets the fee the
old rule gave it, recorded in ``recorded_fee`` / ``recorded_full_price``
(the ``[fees]`` keys of the configuration in force when this runs, or their
defaults).  Waiting and cancelled registrations record nothing: a waiting
member promoted later pays by the season model.

Revision ID: 0011_recorded_fees
Revises: 0010_memberships
Create Date: 2026-12-01
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

revision = "0011_recorded_fees"
down_revision = "0010_memberships"
branch_labels = None
depends_on = None


def _old_fee_settings() -> tuple[int, Decimal]:
    from bot.config import ConfigError, FeeSettings, load_settings

    try:
        fees = load_settings().fees
    except ConfigError:
        fees = FeeSettings()
    return fees.member_price, Decimal(str(fees.extra_participant_discount))


def upgrade() -> None:
    # In place, not a batch rebuild (see 0009_seasons).
    op.add_column("registrations", sa.Column("recorded_fee", sa.Integer(), nullable=True))
    op.add_column("registrations", sa.Column("recorded_full_price", sa.Integer(), nullable=True))

    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT r.id, r.session_id, r.organisation_id, s.price "
            "FROM registrations r JOIN programme_sessions s ON s.id = r.session_id "
            "WHERE r.status = 'confirmed' AND s.cancelled_at IS NULL "
            "ORDER BY r.session_id, COALESCE(r.promoted_at, r.registered_at), r.id"
        )
    ).all()
    if not rows:
        return
    member_price, discount = _old_fee_settings()
    seen: set[tuple[int, int]] = set()
    values = []
    for registration_id, session_id, organisation_id, price in rows:
        full = member_price if price is None else int(price)
        further = organisation_id is not None and (session_id, organisation_id) in seen
        if organisation_id is not None:
            seen.add((session_id, organisation_id))
        amount = full
        if further:
            exact = Decimal(full) * (Decimal(1) - discount)
            amount = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        values.append({"id": registration_id, "fee": amount, "full": full})
    connection.execute(
        sa.text(
            "UPDATE registrations SET recorded_fee = :fee, recorded_full_price = :full "
            "WHERE id = :id"
        ),
        values,
    )


def downgrade() -> None:
    # In place, not a batch rebuild (see 0009_seasons).
    op.execute("ALTER TABLE registrations DROP COLUMN recorded_full_price")
    op.execute("ALTER TABLE registrations DROP COLUMN recorded_fee")
