"""privacy: registrations can outlive the member they belonged to

A registration whose member erased their data (``/sdg forget-me``), or whose
session ended longer ago than ``[privacy] retain_personal_data``, is kept
without a member: ``member_id`` becomes NULL, so participant counts and
summaries stay right while nothing points at a person.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.alter_column("member_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Detached registrations cannot be given back to anyone: they go, and with
    # them the participant counts of the sessions they belonged to.
    op.execute("DELETE FROM registrations WHERE member_id IS NULL")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.alter_column("member_id", existing_type=sa.Integer(), nullable=False)
