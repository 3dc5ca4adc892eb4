"""invoice details per organisation

``invoice_details``: one row per organisation, with its EAN/GLN (``scheme``
"gln", Danish municipalities) or organisation number ("orgnr", Norwegian
ones), checked before it is stored, and the order reference for its
invoices.  Organisations without a row are invoiced without an e-invoice
until a member or a facilitator gives them.

Revision ID: 0015_invoice_details
Revises: 0014_colleague_invitations
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_invoice_details"
down_revision = "0014_colleague_invitations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoice_details",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("scheme", sa.String(length=8), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_invoice_details_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_invoice_details")),
    )
    op.create_index(op.f("ix_invoice_details_team_id"), "invoice_details", ["team_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_invoice_details_team_id"), table_name="invoice_details")
    op.drop_table("invoice_details")
