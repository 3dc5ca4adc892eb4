"""guests: participants without Slack a member brings to a session

Each guest's seat is a registration without a member (so seats and fees count
it as they count everyone); ``guests`` holds the name, e-mail and role, the
member who brought them, and the season membership a guest at a members-only
session is enrolled in.

Revision ID: 0013_guests
Revises: 0012_learning_points
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_guests"
down_revision = "0012_learning_points"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("brought_by_member_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["programme_sessions.id"],
            name=op.f("fk_guests_session_id_programme_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_guests_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["brought_by_member_id"],
            ["members.id"],
            name=op.f("fk_guests_brought_by_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_guests_membership_id_memberships"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guests")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_guests_registration_id")),
    )
    op.create_index(op.f("ix_guests_session_id"), "guests", ["session_id"], unique=False)
    op.create_index(
        op.f("ix_guests_brought_by_member_id"), "guests", ["brought_by_member_id"], unique=False
    )
    op.create_index(op.f("ix_guests_membership_id"), "guests", ["membership_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_guests_membership_id"), table_name="guests")
    op.drop_index(op.f("ix_guests_brought_by_member_id"), table_name="guests")
    op.drop_index(op.f("ix_guests_session_id"), table_name="guests")
    op.drop_table("guests")
