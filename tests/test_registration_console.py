"""The console sandbox registers and cancels: the real handlers, typed answers for the modal."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from bot.config import Settings
from bot.console.session import run_console
from tests.support.console_process import programme_near_today


def run(lines: list[str]) -> str:
    out = io.StringIO()
    code = run_console(
        Settings(),
        user_id="U0CONSOLE",
        language="en",
        timezone="Europe/Copenhagen",
        database_url=None,
        programme_path=programme_near_today(Path(tempfile.mkdtemp())),
        stdin=io.StringIO("\n".join(lines) + "\n"),
        stdout=out,
    )
    assert code == 0
    return out.getvalue()


def test_the_console_registers_and_cancels() -> None:
    transcript = run(
        [
            "/sdg register",
            # the profile modal, field by field
            "Anna Holm",
            "aarhus",
            "1",  # Aarhus Kommune
            "",  # no other organisation
            "2",  # leader / strategist
            "1",  # in the room (the first session has a place and an online link)
            "/sdg my",
            "/sdg cancel",
            "1",  # the Cancel button under the question
            "1",  # "Yes, cancel" in its confirm dialog
            "1",  # the "Register again" button
            "1",  # in the room
        ]
    )
    registered, _, after = transcript.partition("--- message in DM to you ---")
    assert "--- form: Registration ---" in registered
    assert "1. Aarhus Kommune" in registered
    assert "You are registered for" in after
    assert "In the room: Middelfart Rådhus" in after
    my, _, cancelled = after.partition("/sdg cancel")
    assert "Your registrations" in my and "✅ Registered" in my
    assert "Your registration for" in cancelled and "is cancelled" in cancelled
    # Registering again needs no modal: the profile was asked once.
    assert cancelled.count("--- form:") == 0
    again = cancelled.split("[1] Register again", 1)[1]
    assert "How will you take part?" in again
    assert "You are registered for" in again.split("[1] In the room", 1)[1]
