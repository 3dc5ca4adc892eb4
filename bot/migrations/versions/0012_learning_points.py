"""learning points: comments facilitators marked, or wrote, per session

``learning_points`` keeps the text only (no member, no answer id), so a point
survives any change to the answers and its author's erasure.

Revision ID: 0012_learning_points
Revises: 0011_recorded_fees
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_learning_points"
down_revision = "0011_recorded_fees"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learning_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["programme_sessions.id"],
            name=op.f("fk_learning_points_session_id_programme_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_points")),
        sa.UniqueConstraint(
            "session_id", "fingerprint", name=op.f("uq_learning_points_session_id")
        ),
    )
    op.create_index(
        op.f("ix_learning_points_session_id"), "learning_points", ["session_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_learning_points_session_id"), table_name="learning_points")
    op.drop_table("learning_points")
