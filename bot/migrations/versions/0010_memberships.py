"""season memberships

``memberships``: one row per participant and season (``season_key``), with
the organisation invoiced; ``left_at`` is set when they leave.  Prices are
worked out from the enrolment order (bot/services/membership.py).

Revision ID: 0010_memberships
Revises: 0009_seasons
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_memberships"
down_revision = "0009_seasons"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("season_key", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_by", sa.String(length=32), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_memberships_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_memberships_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint(
            "team_id", "season_key", "member_id", name=op.f("uq_memberships_team_id")
        ),
    )
    op.create_index(op.f("ix_memberships_season_key"), "memberships", ["season_key"])
    op.create_index(op.f("ix_memberships_member_id"), "memberships", ["member_id"])
    op.create_index(op.f("ix_memberships_organisation_id"), "memberships", ["organisation_id"])


def downgrade() -> None:
    op.drop_table("memberships")
