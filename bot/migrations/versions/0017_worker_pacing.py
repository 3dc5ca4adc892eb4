"""workers.pacing_for: how many live replicas a process paces its share for

A process that starts while others send waits until each of them paces for
it too (their share shrunk) before it sends, instead of a fixed wait.  Rows
of processes started before this revision read 0: not known to share.

Revision ID: 0017_worker_pacing
Revises: 0016_invoice_numbers
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_worker_pacing"
down_revision = "0016_invoice_numbers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workers") as batch:
        batch.add_column(sa.Column("pacing_for", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("workers") as batch:
        batch.drop_column("pacing_for")
