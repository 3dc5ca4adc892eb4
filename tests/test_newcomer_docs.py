"""What a newcomer reads first holds: the README's five-minute walkthrough runs as written
in the console through a pipe, `make help` names what HTTP mode needs, a config error from
the environment names the variable, and the example says which of its people are real."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.console_process import REPO, run_console_process

README = (REPO / "README.md").read_text(encoding="utf-8")


def walkthrough() -> list[str]:
    """The commands of the README's "Try it in five minutes" block, comments cut off."""
    section = README.split("## Try it in five minutes", 1)[1].split("\n## ", 1)[0]
    block = section.split("```text", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.strip().splitlines():
        if line.startswith("$"):
            continue
        command = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
        if command:
            commands.append(command)
    return commands


def test_the_walkthrough_is_near_the_top_and_runs_as_written(tmp_path: Path) -> None:
    assert README.index("## Try it in five minutes") < README.index("## Creating the Slack app")
    assert 'make run ARGS="--facilitator --language en"' in README
    commands = walkthrough()
    assert commands[:2] == ["/sdg next", "/sdg register"]
    # First the card, to read the key and the day, as the README tells the reader to.
    first = run_console_process(["/sdg next"], "--language", "en", cwd=tmp_path)
    key = re.search(r"Key: `([^`]+)`", first.stdout)
    day = re.search(r"📅 \w+, (\d{1,2} \w+ \d{4})", first.stdout)
    assert key and day, first.stdout
    from datetime import datetime, timedelta

    after = (datetime.strptime(day.group(1), "%d %B %Y") + timedelta(days=1)).date()
    lines: list[str] = []
    joined = (
        False  # the first "1" joins the membership (a network meeting), the next gives feedback
    )
    for command in commands:
        command = command.replace("KEY", key.group(1))
        if command.startswith("/time "):
            command = f"/time {after.isoformat()}"
        lines.append(command)
        if command == "/sdg register":
            lines += ["Anna Holm", "aarhus", "1", "", "2", "1"]  # "1": in the room if asked
        if command == "1" and not joined:
            joined = True
        elif command == "1":
            lines += ["5", "The site visit", "", "12,13", "1"]
    done = run_console_process(lines, "--facilitator", "--language", "en", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Welcome! You are enrolled in the membership" in out
    assert "You are registered for" in out
    assert "--- form: Feedback ---" in out and "Thank you for your feedback" in out
    assert "*Responses:* 1 of 1 participants (100%)" in out
    assert "> *Most valuable:* The site visit" in out
    assert f"--- file: Export: {key.group(1)}" in out


def test_the_readme_documents_the_console_options_and_the_team_id_rule() -> None:
    for option in ("--programme", "--database", "--facilitator"):
        assert option in README
    assert "Set `[slack] team_id` before the first import, and never change it." in README
    assert "(from SDGBOT_BOT_TIMEZONE)" in README
    assert "## The programme file" in README


def test_make_help_names_the_signing_secret_for_http() -> None:
    done = subprocess.run(["make", "help"], cwd=REPO, capture_output=True, text=True, check=True)
    http = next(line for line in done.stdout.splitlines() if "HTTP" in line)
    assert "SLACK_SIGNING_SECRET" in http
    assert 'ARGS="--facilitator' in done.stdout


def test_a_config_error_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SDGBOT_", "SLACK_"))}
    env["SDGBOT_BOT_TIMEZONE"] = "Europe/Kopenhagen"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "sdgbot: config error: bot.timezone (from SDGBOT_BOT_TIMEZONE): "
        "unknown time zone 'Europe/Kopenhagen' (use an IANA name)"
    )


def test_the_example_says_which_of_its_people_are_real() -> None:
    text = (REPO / "examples" / "program.toml").read_text(encoding="utf-8")
    header = text.split("\n[[session]]", 1)[0]
    assert "Personerne i dette eksempel er opdigtede." not in header
    assert "Dr Eleanor" in header and "rigtige" in header
