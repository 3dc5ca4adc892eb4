"""The console marks a learning point in a summary and writes the season report to a file."""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

from pypdf import PdfReader

from bot.config import BotSettings, Settings
from bot.console.session import run_console
from tests.support.console_process import programme_near_today


def test_the_console_marks_a_learning_point_and_writes_the_report() -> None:
    lines = [
        "/sdg register",
        *("Anna Holm", "aarhus", "1", "", "2", "1"),  # the profile modal; in the room
        "/time +15d",  # the first session is 10 days ahead: now it is over
        "/sdg feedback",
        *("5", "Dialogen på tværs", "Færre slides", "13,11", "1"),
        "/sdg summary",
        "1",  # the session in the picker
    ]
    out = io.StringIO()
    programme = programme_near_today(Path(tempfile.mkdtemp()))
    settings = Settings(bot=BotSettings(language="en", facilitators=("U0CONSOLE",)))

    def run(script: list[str]) -> str:
        out.seek(0)
        out.truncate()
        code = run_console(
            settings,
            user_id="U0CONSOLE",
            language="en",
            timezone="Europe/Copenhagen",
            database_url=database_url,
            programme_path=programme,
            stdin=io.StringIO("\n".join(script) + "\n"),
            stdout=out,
        )
        assert code == 0
        return out.getvalue()

    database_url = None
    transcript = run(lines)
    summary = transcript.rsplit("/sdg summary", 1)[1]
    # The button under the "should change" comment.
    pattern = r"\*Change:\* Færre slides\n— _Anna Holm, Aarhus Kommune_\n\s+\[(\d+)\] Mark as"
    (number,) = re.findall(pattern, summary)
    transcript = run([*lines, number, "/sdg report"])
    marked = transcript.rsplit("\n" + number + "\n", 1)[1]
    points = marked.split("⭐ *Learning points*", 1)[1].split("*Comments*", 1)[0]
    assert "> Færre slides" in points and "Unmark" in points
    saved = re.findall(r"\(saved as (.+\.pdf)\)", transcript)
    assert saved, transcript[-2000:]
    assert "✅ The season report" in transcript
    pdf = PdfReader(Path(saved[-1]))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Learning points 1. Færre slides" in text
    assert "Dialogen på tværs" in text
