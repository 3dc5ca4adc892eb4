"""colleague invitations: a member signed up by a colleague, seat held until they answer

The held seat is the invited member's registration in status ``offered`` (as a
priced waiting-list offer is); this table records who signed them up and the answer.

Revision ID: 0014_colleague_invitations
Revises: 0013_guests
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_colleague_invitations"
down_revision = "0013_guests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "colleague_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("invited_by_member_id", sa.Integer(), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_colleague_invitations_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_member_id"],
            ["members.id"],
            name=op.f("fk_colleague_invitations_invited_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_colleague_invitations")),
    )
    op.create_index(
        op.f("ix_colleague_invitations_registration_id"),
        "colleague_invitations",
        ["registration_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_colleague_invitations_invited_by_member_id"),
        "colleague_invitations",
        ["invited_by_member_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_colleague_invitations_invited_by_member_id"), table_name="colleague_invitations"
    )
    op.drop_index(
        op.f("ix_colleague_invitations_registration_id"), table_name="colleague_invitations"
    )
    op.drop_table("colleague_invitations")
