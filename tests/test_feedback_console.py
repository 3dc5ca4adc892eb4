"""The console sandbox gives feedback and shows a facilitator's summary."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from bot.config import BotSettings, Settings
from bot.console.session import run_console
from tests.support.console_process import programme_near_today


def test_the_console_gives_feedback_and_shows_a_summary() -> None:
    lines = [
        "/sdg register",
        *("Anna Holm", "aarhus", "1", "", "2", "1"),  # the profile modal; in the room
        "/time +15d",  # the first session is 10 days ahead: now it is over
        "/sdg feedback",
        *("5", "The dialogue", "", "13,11", "1"),  # rating, valuable, change, SDGs, recommend
        "/sdg summary",
        "1",  # the session in the picker
    ]
    out = io.StringIO()
    settings = Settings(bot=BotSettings(language="en", facilitators=("U0CONSOLE",)))
    code = run_console(
        settings,
        user_id="U0CONSOLE",
        language="en",
        timezone="Europe/Copenhagen",
        database_url=None,
        programme_path=programme_near_today(Path(tempfile.mkdtemp())),
        stdin=io.StringIO("\n".join(lines) + "\n"),
        stdout=out,
    )
    assert code == 0
    transcript = out.getvalue()
    after_time = transcript.split("/time +15d", 1)[1]
    prompt, _, form = after_time.partition("/sdg feedback")
    assert "Thank you for taking part in" in prompt and "[1] Give feedback" in prompt
    assert "--- form: Feedback ---" in form
    assert "13. Climate action" in form
    thanks, _, summary = form.partition("/sdg summary")
    assert "✅ Thank you for your feedback on" in thanks
    assert "(the bot answered HTTP" not in transcript
    assert "*Responses:* 1 of 1 participants (100%)" in summary
    assert "*Average rating:* 5.0 of 5" in summary
    assert "13. Climate action: 1" in summary
    assert "> *Most valuable:* The dialogue" in summary
    assert "— _Anna Holm, Aarhus Kommune_" in summary
    assert "--- file: Feedback: " in summary
    assert "✅ The summary is in your DM." in summary
