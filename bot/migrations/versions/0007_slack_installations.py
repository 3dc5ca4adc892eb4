"""slack_installations, slack_bots, slack_oauth_states: several workspaces (OAuth)

slack_sdk's SQLAlchemy installation and state stores keep their rows here,
on the bot's own database.  The columns are slack_sdk's own (its table
builders), so the stores find what they expect; slack-sdk is pinned below
4 in pyproject.toml.  New tables only: the previous release keeps working
on this schema during a rolling restart.

Revision ID: 0007_slack_installations
Revises: 0006_calendar_links
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

revision = "0007_slack_installations"
down_revision = "0006_calendar_links"
branch_labels = None
depends_on = None

TABLES = ("slack_installations", "slack_bots", "slack_oauth_states")


def _metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    return metadata


def upgrade() -> None:
    _metadata().create_all(op.get_bind())


def downgrade() -> None:
    metadata = _metadata()
    for name in TABLES:
        metadata.tables[name].drop(op.get_bind())
