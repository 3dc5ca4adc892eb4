"""The console sandbox lets a facilitator create a session in the form and members see it."""

from __future__ import annotations

import io

from bot.config import BotSettings, Settings
from bot.console.session import run_console


def test_the_console_creates_a_session_with_dates_and_times() -> None:
    form = [
        "2027-12-02-webinar",  # key
        "Webinar om klimadata",  # title
        "3",  # kind: webinar
        "2099-12-02",  # date
        "9:30",  # start: not a time the picker would give
        "11:00",  # end
        "",  # end date
        "online",  # place
        "https://teams.example.org/meet/5",  # online link
        "",  # seats
        "",  # price
        "",  # who can register: everyone
        "1",  # ask for feedback
        "",  # description
    ]
    lines = ["/sdg new", *form, "09:30", "/sdg list"]
    out = io.StringIO()
    settings = Settings(bot=BotSettings(language="en", facilitators=("U0CONSOLE",)))
    code = run_console(
        settings,
        user_id="U0CONSOLE",
        language="en",
        timezone="Europe/Copenhagen",
        database_url=None,
        programme_path=None,
        stdin=io.StringIO("\n".join(lines) + "\n"),
        stdout=out,
    )
    assert code == 0
    transcript = out.getvalue()
    assert "--- form: New session ---" in transcript
    assert "Date (YYYY-MM-DD)" in transcript and "Starts (HH:MM)" in transcript
    assert "! Choose a start time." in transcript  # asked again, only for that field
    created, _, listed = transcript.partition("/sdg list")
    assert "Webinar om klimadata is created." in created
    assert "Webinar om klimadata" in listed
    assert "(the bot answered HTTP" not in transcript
