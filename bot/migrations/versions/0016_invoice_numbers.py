"""invoice numbers: a gap-free series per workspace

``invoice_numbers``: the number given to one organisation's invoice for one
season, and the invoice date, kept for good so that generating the invoices
again gives each the same number and date.  ``uq_invoice_numbers_number``
keeps two replicas from taking the same number; ``uq_invoice_numbers_invoice``
from numbering one invoice twice.

Revision ID: 0016_invoice_numbers
Revises: 0015_invoice_details
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_invoice_numbers"
down_revision = "0015_invoice_details"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("season_key", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_invoice_numbers_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_numbers")),
        sa.UniqueConstraint("team_id", "number", name="uq_invoice_numbers_number"),
        sa.UniqueConstraint(
            "team_id", "season_key", "organisation_id", name="uq_invoice_numbers_invoice"
        ),
    )
    op.create_index(
        op.f("ix_invoice_numbers_organisation_id"), "invoice_numbers", ["organisation_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_invoice_numbers_organisation_id"), table_name="invoice_numbers")
    op.drop_table("invoice_numbers")
