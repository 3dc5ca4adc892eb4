"""calendar_links: each member's private calendar feed token

A new table only, so the previous release keeps working on this schema
during a rolling restart.

Revision ID: 0006_calendar_links
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_calendar_links"
down_revision = "0005_anonymous_feedback_at_rest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_calendar_links_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_links")),
        sa.UniqueConstraint("member_id", name=op.f("uq_calendar_links_member_id")),
        sa.UniqueConstraint("token", name=op.f("uq_calendar_links_token")),
    )


def downgrade() -> None:
    op.drop_table("calendar_links")
