"""feedback tables without an insertion order (SQLite: WITHOUT ROWID)

A rowid table stores rows in the order they were inserted, so the order of
``feedback_respondents`` (who answered) and of ``feedback_sdgs`` (the goals
of each answer) followed the order in which members answered, and paired
anonymous answers with their members.  As WITHOUT ROWID tables they are
stored in key order: answers and their goals by the answer's random id,
respondents by (session, member).  PostgreSQL has no rowid; nothing changes
there (see the README on what its heap keeps).

The tables are rebuilt by hand, children first: with foreign keys on, a
DROP TABLE deletes its rows first, and the cascade would take the goals.

Revision ID: 0005_anonymous_feedback_at_rest
Revises: 0004_slack_requests_seen
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0005_anonymous_feedback_at_rest"
down_revision = "0004_slack_requests_seen"
branch_labels = None
depends_on = None

_RESPONSES = """
CREATE TABLE {name} (
    id INTEGER NOT NULL,
    team_id VARCHAR(32) NOT NULL,
    session_id INTEGER NOT NULL,
    member_id INTEGER,
    rating INTEGER NOT NULL,
    most_valuable TEXT NOT NULL,
    should_change TEXT NOT NULL,
    would_recommend BOOLEAN,
    role VARCHAR(32),
    organisation_name VARCHAR(200),
    CONSTRAINT pk_feedback_responses PRIMARY KEY (id),
    CONSTRAINT fk_feedback_responses_member_id_members FOREIGN KEY(member_id)
        REFERENCES members (id) ON DELETE SET NULL,
    CONSTRAINT fk_feedback_responses_session_id_programme_sessions FOREIGN KEY(session_id)
        REFERENCES programme_sessions (id) ON DELETE CASCADE,
    CONSTRAINT uq_feedback_responses_session_id UNIQUE (session_id, member_id)
){rowid}
"""
_RESPONSE_COLUMNS = (
    "id, team_id, session_id, member_id, rating, most_valuable, should_change, "
    "would_recommend, role, organisation_name"
)
_SDGS = """
CREATE TABLE feedback_sdgs (
    response_id INTEGER NOT NULL,
    goal INTEGER NOT NULL,
    CONSTRAINT pk_feedback_sdgs PRIMARY KEY (response_id, goal),
    CONSTRAINT fk_feedback_sdgs_response_id_feedback_responses FOREIGN KEY(response_id)
        REFERENCES feedback_responses (id) ON DELETE CASCADE
){rowid}
"""
_RESPONDENTS = """
CREATE TABLE {name} (
    session_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    CONSTRAINT pk_feedback_respondents PRIMARY KEY (session_id, member_id),
    CONSTRAINT fk_feedback_respondents_member_id_members FOREIGN KEY(member_id)
        REFERENCES members (id) ON DELETE CASCADE,
    CONSTRAINT fk_feedback_respondents_session_id_programme_sessions FOREIGN KEY(session_id)
        REFERENCES programme_sessions (id) ON DELETE CASCADE
){rowid}
"""


def _rebuild(with_rowid: bool) -> None:
    rowid = "" if with_rowid else " WITHOUT ROWID"
    op.execute("CREATE TABLE _feedback_sdgs_copy (response_id INTEGER, goal INTEGER)")
    op.execute("INSERT INTO _feedback_sdgs_copy SELECT response_id, goal FROM feedback_sdgs")
    op.execute(_RESPONSES.format(name="_feedback_responses_new", rowid=rowid))
    op.execute(
        f"INSERT INTO _feedback_responses_new ({_RESPONSE_COLUMNS}) "
        f"SELECT {_RESPONSE_COLUMNS} FROM feedback_responses ORDER BY id"
    )
    op.execute("DROP TABLE feedback_sdgs")
    op.execute("DROP INDEX ix_feedback_responses_session_id")
    op.execute("DROP TABLE feedback_responses")
    op.execute("ALTER TABLE _feedback_responses_new RENAME TO feedback_responses")
    op.execute("CREATE INDEX ix_feedback_responses_session_id ON feedback_responses (session_id)")
    op.execute(_SDGS.format(rowid=rowid))
    op.execute(
        "INSERT INTO feedback_sdgs (response_id, goal) "
        "SELECT response_id, goal FROM _feedback_sdgs_copy ORDER BY response_id, goal"
    )
    op.execute("DROP TABLE _feedback_sdgs_copy")
    op.execute(_RESPONDENTS.format(name="_feedback_respondents_new", rowid=rowid))
    op.execute(
        "INSERT INTO _feedback_respondents_new (session_id, member_id) "
        "SELECT session_id, member_id FROM feedback_respondents ORDER BY session_id, member_id"
    )
    op.execute("DROP TABLE feedback_respondents")
    op.execute("ALTER TABLE _feedback_respondents_new RENAME TO feedback_respondents")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(with_rowid=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(with_rowid=True)
