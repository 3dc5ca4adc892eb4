"""workers: one heartbeat row per running process

Claims on ``deliveries`` are valid while the claiming worker's heartbeat is
fresh, instead of for a fixed lease.  ``deliveries.lease_until`` stays (the
previous release reads it during a rolling restart) and is dropped later.

Revision ID: 0008_worker_heartbeats
Revises: 0007_slack_installations
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_worker_heartbeats"
down_revision = "0007_slack_installations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
    )
    op.create_index(op.f("ix_workers_last_seen"), "workers", ["last_seen"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_workers_last_seen"), table_name="workers")
    op.drop_table("workers")
