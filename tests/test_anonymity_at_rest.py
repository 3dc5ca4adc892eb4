"""After anonymous answers, the SQLite files cannot pair an answer with its member.

Three members answer an anonymous session.  The answers' random ids are
drawn in an order that is neither the order of answering nor its reverse,
and the members answer in an order that is not their id order, so any trace
of the order of writing would show.  Then the raw bytes of the database files
are read: the write-ahead log is empty, each answer is stored once (no copy
in freed pages), and in every page of the feedback tables and their indexes
the rows sit in key order, so their place in the file says nothing about when
they were written.
"""

from __future__ import annotations

import sqlite3
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.ids import ActionId, BlockId, CallbackId
from bot.runtime import Runtime
from bot.services import feedback
from bot.services.feedback import FeedbackAnswers, submit_feedback
from tests.conftest import BACKEND
from tests.support.feedback_world import KEY, NOW, build_world
from tests.support.signed_client import SignedSlackClient

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="reads the SQLite files")

MEMBERS = ("U0ASTA", "U0BIRK", "U0CARL")
ANSWER_ORDER = ("U0BIRK", "U0CARL", "U0ASTA")  # not the members' id order
RANDOM_IDS = (2_000_000, 3_000_000, 1_000_000)  # neither ascending nor descending
COMMENTS = {
    "U0BIRK": "anonymous-comment-birk-7f3a",
    "U0CARL": "anonymous-comment-carl-91c2",
    "U0ASTA": "anonymous-comment-asta-0d5e",
}
FEEDBACK_TABLES = ("feedback_responses", "feedback_sdgs", "feedback_respondents")


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = data[at + i]
        if i == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    raise AssertionError("unreachable")


def _leaf_cells(page: bytes, header_at: int) -> list[int]:
    """The content offsets of a leaf page's cells, in key order (the pointer array's)."""
    kind = page[header_at]
    assert kind in (10, 13), f"expected one leaf page, got page type {kind}"
    (count,) = struct.unpack(">H", page[header_at + 3 : header_at + 5])
    pointers = page[header_at + 8 : header_at + 8 + 2 * count]
    return [struct.unpack(">H", pointers[i : i + 2])[0] for i in range(0, 2 * count, 2)]


def _btrees(path: Path) -> Iterator[tuple[str, int]]:
    with sqlite3.connect(path) as db:
        yield from db.execute(
            "SELECT name, rootpage FROM sqlite_master "
            f"WHERE rootpage > 0 AND tbl_name IN {FEEDBACK_TABLES!r}"
        )


def _page(data: bytes, number: int) -> tuple[bytes, int]:
    (size,) = struct.unpack(">H", data[16:18])
    size = 65536 if size == 1 else size
    start = (number - 1) * size
    return data[start : start + size], 100 if number == 1 else 0


def test_three_anonymous_answers_leave_no_order_in_the_files(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_world(runtime, anonymous=True, participants=MEMBERS)
    ids = iter(RANDOM_IDS)
    monkeypatch.setattr(feedback, "random_response_id", lambda: next(ids))
    for goal, user_id in enumerate(ANSWER_ORDER, start=3):
        with runtime.unit_of_work(write=True) as db:
            given = FeedbackAnswers(4, most_valuable=COMMENTS[user_id], goals=(goal, 13))
            submit_feedback(db, runtime.settings.home_team_id, user_id, KEY, given, NOW)
    assert_no_order_in_the_files(runtime)


def assert_no_order_in_the_files(runtime: Runtime) -> None:
    path = Path(str(runtime.database.engine.url.database))
    wal = path.with_name(path.name + "-wal")
    # The log was copied into the main file and emptied.
    assert not wal.exists() or wal.stat().st_size == 0
    data = path.read_bytes()
    for comment in COMMENTS.values():
        # Once: no earlier copy of the answer left in a freed page or cell.
        assert data.count(comment.encode()) == 1, comment

    checked = []
    for name, root in _btrees(path):
        page, header_at = _page(data, root)
        offsets = _leaf_cells(page, header_at)
        if len(offsets) < 2:
            continue
        # Rows written one by one sit in the page in the order they came; here
        # their place follows the key alone, in one direction.
        ascending = offsets == sorted(offsets)
        descending = offsets == sorted(offsets, reverse=True)
        assert ascending or descending, (name, offsets)
        checked.append(name)
    assert {"feedback_responses", "feedback_sdgs", "feedback_respondents"} <= set(checked)


def test_over_slack_the_files_are_scrubbed_after_the_modal_is_answered(
    runtime: Runtime, slack: SignedSlackClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VACUUM and the checkpoint run in the lazy part: the ack does not wait for them."""
    build_world(runtime, anonymous=True, participants=MEMBERS)
    ids = iter(RANDOM_IDS)
    monkeypatch.setattr(feedback, "random_response_id", lambda: next(ids))
    released = threading.Event()
    scrubbed: list[str] = []
    scrub_files = runtime.database.scrub_files

    def held_scrub() -> None:
        assert released.wait(timeout=60), "the scrub was never released"
        scrub_files()
        scrubbed.append(threading.current_thread().name)

    monkeypatch.setattr(runtime.database, "scrub_files", held_scrub)
    for goal, user_id in enumerate(ANSWER_ORDER, start=3):
        values = {
            BlockId.FEEDBACK_RATING: {
                ActionId.FEEDBACK_RATING_INPUT: {
                    "type": "radio_buttons",
                    "selected_option": {"value": "4", "text": {"type": "plain_text", "text": "4"}},
                }
            },
            BlockId.FEEDBACK_VALUABLE: {
                ActionId.FEEDBACK_VALUABLE_INPUT: {
                    "type": "plain_text_input",
                    "value": COMMENTS[user_id],
                }
            },
            BlockId.FEEDBACK_GOALS: {
                ActionId.FEEDBACK_GOALS_INPUT: {
                    "type": "multi_static_select",
                    "selected_options": [
                        {"value": str(g), "text": {"type": "plain_text", "text": str(g)}}
                        for g in (goal, 13)
                    ],
                }
            },
        }
        # Answered (thanks in the modal) while the scrub is still held back.
        answered = slack.view_submission(
            CallbackId.FEEDBACK, values, user_id=user_id, private_metadata=KEY
        )
        assert answered.status == 200 and answered.json["response_action"] == "update"
    assert scrubbed == []
    released.set()
    deadline = time.monotonic() + 30
    while len(scrubbed) < len(ANSWER_ORDER):
        assert time.monotonic() < deadline, scrubbed
        time.sleep(0.05)
    assert_no_order_in_the_files(runtime)


def test_the_tables_have_no_rowid_to_pair(runtime: Runtime) -> None:
    path = Path(str(runtime.database.engine.url.database))
    with sqlite3.connect(path) as db:
        for table in FEEDBACK_TABLES:
            with pytest.raises(sqlite3.OperationalError, match="rowid"):
                db.execute(f"SELECT rowid FROM {table}")


def test_a_second_anonymous_answer_is_still_refused(runtime: Runtime) -> None:
    from bot.errors import AnonymousFeedbackGiven

    build_world(runtime, anonymous=True, participants=MEMBERS)
    given = FeedbackAnswers(4, most_valuable="first")
    with runtime.unit_of_work(write=True) as db:
        submit_feedback(db, runtime.settings.home_team_id, "U0ASTA", KEY, given, NOW)
    with pytest.raises(AnonymousFeedbackGiven), runtime.unit_of_work(write=True) as db:
        submit_feedback(db, runtime.settings.home_team_id, "U0ASTA", KEY, given, NOW)


def test_a_scrub_held_up_by_a_reader_is_finished_in_the_background(runtime: Runtime) -> None:
    build_world(runtime, anonymous=True, participants=MEMBERS)
    path = Path(str(runtime.database.engine.url.database))
    wal = path.with_name(path.name + "-wal")
    reader = runtime.database.engine.connect()
    reader.exec_driver_sql("SELECT count(*) FROM members").scalar()  # holds a snapshot
    try:
        with runtime.unit_of_work(write=True) as db:
            given = FeedbackAnswers(4, most_valuable=COMMENTS["U0ASTA"])
            submit_feedback(db, runtime.settings.home_team_id, "U0ASTA", KEY, given, NOW)
        # The commit returned with the scrub not done: it was handed to the background
        # (the member's modal is not kept waiting for the reader to finish).
        assert wal.stat().st_size > 0
        assert any(thread.name == "sdgbot-scrub" for thread in threading.enumerate())
    finally:
        reader.rollback()
        reader.close()
    deadline = time.monotonic() + 10
    while wal.exists() and wal.stat().st_size > 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not wal.exists() or wal.stat().st_size == 0


def test_the_migration_keeps_every_answer_goal_and_respondent(
    runtime: Runtime, tmp_path: Path
) -> None:
    from alembic import command
    from sqlalchemy import text

    from bot.db import Database, alembic_config, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    # The world is written with today's models, so at head; the old layout is then
    # reached by downgrading (later migrations add columns the old schema lacks).
    command.upgrade(alembic_config(engine), "head")
    old = Runtime(settings=runtime.settings, database=Database(engine), clock=runtime.clock)
    build_world(old, anonymous=True, participants=MEMBERS)
    for goal, user_id in enumerate(ANSWER_ORDER, start=3):
        with old.unit_of_work(write=True) as db:
            given = FeedbackAnswers(4, most_valuable=COMMENTS[user_id], goals=(goal, 13))
            submit_feedback(db, old.settings.home_team_id, user_id, KEY, given, NOW)

    def contents() -> tuple[list[tuple[object, ...]], ...]:
        with engine.connect() as connection:
            return tuple(
                sorted(tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}")))
                for table in FEEDBACK_TABLES
            )

    before = contents()
    assert [len(rows) for rows in before] == [3, 6, 3]
    command.downgrade(alembic_config(engine), "0004_slack_requests_seen")
    assert contents() == before
    command.upgrade(alembic_config(engine), "head")
    assert contents() == before
    with sqlite3.connect(tmp_path / "old.db") as db:
        for table in FEEDBACK_TABLES:
            with pytest.raises(sqlite3.OperationalError, match="rowid"):
                db.execute(f"SELECT rowid FROM {table}")
    command.downgrade(alembic_config(engine), "0004_slack_requests_seen")
    assert contents() == before
    engine.dispose()
