"""`sdgbot import` as an operator runs it, a real process on the test database: a check
that writes nothing, every error with its line, warnings, no silent move into the past."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.models import Delivery, ProgrammeSession, RegistrationStatus
from bot.runtime import Runtime
from tests.conftest import TEAM_ID, ImportText
from tests.support import factories as make

YEAR = datetime.now(UTC).year + 5  # the command line runs on the real clock
KEY = f"{YEAR}-06-10-middelfart"


def programme(*, start: str = "13:30", year: int = YEAR, extra: str = "") -> str:
    return f"""
[[session]]
key = "{year}-06-10-middelfart"
title = "Netværksmøde i Middelfart"
kind = "network_meeting"
starts = {year}-06-10T{start}:00
ends = {year}-06-10T16:30:00
location = "Middelfart Rådhus"

[[session]]
key = "{year}-09-01-webinar"
title = "Webinar om data"
kind = "webinar"
starts = {year}-09-01T09:00:00
ends = {year}-09-01T10:00:00
location = "online"
online_url = "https://teams.example.org/meet/1"
{extra}"""


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[slack]\nteam_id = "{TEAM_ID}"\n[database]\nurl = "{database_url}"\n', encoding="utf-8"
    )
    return path


def run_import(config: Path, path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SDGBOT_", "SLACK_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "import", *flags, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write(tmp_path: Path, text: str, name: str = "program.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def register_two(runtime: Runtime, key: str = KEY) -> None:
    now = datetime.now(UTC)
    with runtime.unit_of_work(write=True) as db:
        session = db.scalar(select(ProgrammeSession).where(ProgrammeSession.key == key))
        assert session is not None
        for user_id, status in (("U0ANNA", RegistrationStatus.CONFIRMED), ("U0BO", "waiting")):
            member = make.add_member(db, user_id, now=now)
            make.add_registration(db, session, member, registered_at=now, status=status)


def stored(runtime: Runtime) -> dict[str, datetime]:
    with runtime.unit_of_work() as db:
        return {s.key: s.starts_at for s in db.scalars(select(ProgrammeSession))}


def deliveries(runtime: Runtime) -> int:
    with runtime.unit_of_work() as db:
        return int(db.scalar(select(func.count()).select_from(Delivery)) or 0)


def test_check_shows_what_would_change_and_writes_nothing(
    runtime: Runtime, import_programme_text: ImportText, config: Path, tmp_path: Path
) -> None:
    import_programme_text(programme())
    register_two(runtime)
    before, sent_before = stored(runtime), deliveries(runtime)
    new_session = f"""
[[session]]
key = "{YEAR}-10-01-symposium"
title = "Symposium"
kind = "symposium"
starts = {YEAR}-10-01T13:30:00
ends = {YEAR}-10-01T15:30:00
location = "online"
online_url = "https://teams.example.org/meet/2"
"""
    path = write(tmp_path, programme(start="14:30", extra=new_session))

    checked = run_import(config, path, "--check")
    assert checked.returncode == 0, checked.stderr
    out = checked.stdout
    assert "check only: nothing was written" in out
    assert "1 created, 1 updated, 1 unchanged; 1 moved" in out
    assert f"~ {KEY} (moved; 2 registrant(s) would be told)" in out
    assert "2 registrant(s) would be told of a changed time, place or link" in out
    assert stored(runtime) == before and deliveries(runtime) == sent_before

    done = run_import(config, path)
    assert done.returncode == 0, done.stderr
    assert "2 registrant(s) will be told" in done.stdout
    assert stored(runtime)[KEY] == before[KEY] + timedelta(hours=1)
    assert deliveries(runtime) > sent_before


def test_every_error_is_reported_with_its_line(
    runtime: Runtime, config: Path, tmp_path: Path
) -> None:
    text = programme(
        extra=f"""
[[session]]
key = "møde-i-århus"
title = ""
kind = "meeting"
starts = {YEAR}-11-01T10:00:00
ends = {YEAR}-11-01T09:00:00
location = "Aarhus"
capacity = -1
  [[session.agenda]]
  titel = "Velkomst"
"""
    )
    lines = text.splitlines()

    def line_of(fragment: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if line.startswith(fragment))

    result = run_import(config, write(tmp_path, text))
    assert result.returncode == 1
    err = result.stderr
    assert "programme rejected (8 errors), nothing was written:" in err, err
    for fragment, reason in (
        ('key = "møde', "key may use a-z, 0-9, . _ -; no æ, ø, å"),
        ('title = ""', "title must be a non-empty string"),
        ('kind = "meeting"', "kind must be one of"),
        (f"ends = {YEAR}-11-01", "the session must end after it starts"),
        ("capacity = -1", "capacity must be a whole number"),
        (
            '  titel = "Velkomst"',
            "unknown key 'titel' in [[session.agenda]]; did you mean 'title'?",
        ),
        ("  [[session.agenda]]", "the agenda item has no 'time'"),
        ("  [[session.agenda]]", "the agenda item has no 'title'"),
    ):
        assert f"program.toml:{line_of(fragment)}: {reason}" in err, (fragment, err)
    assert stored(runtime) == {}


def test_warnings_online_without_link_sessions_over_and_not_in_the_file(
    runtime: Runtime, import_programme_text: ImportText, config: Path, tmp_path: Path
) -> None:
    import_programme_text(programme())
    old_year = datetime.now(UTC).year - 2
    text = programme(year=old_year).replace('online_url = "https://teams.example.org/meet/1"\n', "")
    result = run_import(config, write(tmp_path, text, "last.toml"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    webinar_line = 1 + text.splitlines().index("[[session]]", 3)
    assert (
        f"warning: {tmp_path / 'last.toml'}:{webinar_line}: session '{old_year}-09-01-webinar' "
        "is online but has no online_url: members get no join link"
    ) in out
    assert "every session in the file is already over" in out
    assert "2 session(s) in the database are not in the file" in out
    assert f"  ? {KEY}" in out and f"  ? {YEAR}-09-01-webinar" in out


def test_a_session_with_registrants_is_not_moved_into_the_past_unless_forced(
    runtime: Runtime, import_programme_text: ImportText, config: Path, tmp_path: Path
) -> None:
    import_programme_text(programme())
    register_two(runtime)
    before = stored(runtime)
    past = programme().replace(f"starts = {YEAR}-06-10T13:30:00", "starts = 2020-06-10T13:30:00")
    past = past.replace(f"ends = {YEAR}-06-10T16:30:00", "ends = 2020-06-10T16:30:00")
    path = write(tmp_path, past)

    refused = run_import(config, path)
    assert refused.returncode == 1
    assert "import refused, nothing was written" in refused.stderr
    assert f"session '{KEY}' has 2 registrant(s) and would start in the past" in refused.stderr
    assert "--force" in refused.stderr
    assert stored(runtime) == before

    forced = run_import(config, path, "--force")
    assert forced.returncode == 0, forced.stderr
    assert stored(runtime)[KEY].year == 2020
