"""slack_requests_seen: each request from Slack is executed once

One row per request let through by the edge (bot/edge/replays.py): the
Events API's event id, or a digest of a signed request's timestamp and
signature.  The primary key makes a replay or a retry lose the insert, on
every replica; rows are purged after 10 minutes.

Revision ID: 0004_slack_requests_seen
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_slack_requests_seen"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_requests_seen",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_slack_requests_seen")),
    )
    with op.batch_alter_table("slack_requests_seen", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slack_requests_seen_seen_at"), ["seen_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("slack_requests_seen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_requests_seen_seen_at"))
    op.drop_table("slack_requests_seen")
