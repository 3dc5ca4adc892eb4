"""seasons from the programme file; members-only sessions

- ``seasons``: the programme's ``[[season]]`` tables (key, title, first and
  last local day, optional membership price).  Without rows, a season runs
  1 August - 31 July (bot/seasons.py).
- ``programme_sessions.members_only``: open to the season's members only
  (the network meetings), included in the membership.  Existing sessions are
  open to everyone (false); the next import of the programme sets it.

Revision ID: 0009_seasons
Revises: 0008_worker_heartbeats
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_seasons"
down_revision = "0008_worker_heartbeats"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("membership_price", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seasons")),
        sa.UniqueConstraint("team_id", "key", name=op.f("uq_seasons_team_id")),
    )
    # In place (ALTER TABLE ... ADD COLUMN), never a batch rebuild: on SQLite a
    # rebuild drops the table, and with foreign keys on that cascades to every
    # registration, delivery and feedback answer of the sessions.
    op.add_column(
        "programme_sessions",
        sa.Column("members_only", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # In place as well (SQLite >= 3.35 and PostgreSQL drop a plain column).
    op.execute("ALTER TABLE programme_sessions DROP COLUMN members_only")
    op.drop_table("seasons")
