"""deliveries: a partial index of the rows still to send, in claim order

Sent, skipped and failed rows stay in the table season after season, and
every worker looks for due rows every second.  The index on due_at alone
walked every past row due before now on each look: 34 ms an idle second and
38 ms a claim with 109,000 rows on SQLite, growing with the table.

Revision ID: 0018_deliveries_to_send
Revises: 0017_worker_pacing
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_deliveries_to_send"
down_revision = "0017_worker_pacing"
branch_labels = None
depends_on = None

# As bot.models.DELIVERY_STILL_TO_SEND_SQL when this revision was written.
STILL_TO_SEND = "state IN ('pending', 'sending')"


def upgrade() -> None:
    op.create_index(
        "ix_deliveries_to_send",
        "deliveries",
        ["due_at", "id"],
        sqlite_where=sa.text(STILL_TO_SEND),
        postgresql_where=sa.text(STILL_TO_SEND),
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_to_send", table_name="deliveries")
