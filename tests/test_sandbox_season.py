"""The sandbox season looks like a season: the example moved by whole 52-week years,
loaded from the one example file, and a console that answers plainly through a pipe."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.console.render import EMOJI
from bot.console.sandbox_season import bring_season_ahead, years_to_bring_ahead
from bot.console.session import EXAMPLE_PROGRAMME
from bot.programme_file import load_programme
from tests.support.console_process import REPO, programme_near_today, run_console_process

EXAMPLE = REPO / "examples" / "program.toml"
CPH = ZoneInfo("Europe/Copenhagen")
SEASON = load_programme(EXAMPLE)
DANISH_HOLIDAYS = holidays.country_holidays("DK", years=range(2026, 2045))
LOG_LINE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d+ (DEBUG|INFO|WARNING|ERROR)")


def local(moment: datetime) -> datetime:
    return moment.astimezone(CPH)


def is_ordinary_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in DANISH_HOLIDAYS


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2036, 12, 31)))
@settings(max_examples=60, deadline=None)
def test_the_season_moves_by_whole_years_and_keeps_its_shape(moment: datetime) -> None:
    now = moment.replace(tzinfo=UTC)
    moved = bring_season_ahead(SEASON, now)
    years = years_to_bring_ahead(SEASON, now)
    assert max(s.starts for s in moved.sessions) >= now + timedelta(days=7)
    if years:  # the fewest years: one less and the season would be over
        last = max(s.starts for s in SEASON.sessions)
        assert local(last) + timedelta(weeks=52 * (years - 1)) < local(now + timedelta(days=7))
    for before, after in zip(SEASON.sessions, moved.sessions, strict=True):
        shift = local(after.starts).date() - local(before.starts).date()
        # Whole years; a week more or less where Easter or another holiday fell on it.
        assert shift - timedelta(weeks=52 * years) in {
            timedelta(weeks=w) for w in (0, 1, -1, 2, -2)
        }
        assert local(after.starts).weekday() == local(before.starts).weekday()
        assert local(after.starts).time() == local(before.starts).time()  # 13.30 stays
        assert local(after.ends).time() == local(before.ends).time()
        assert after.key.startswith(local(after.starts).date().isoformat())
        assert after.key.split("-", 3)[3] == before.key.split("-", 3)[3]
        # September to June, on ordinary working days.
        assert local(after.starts).month not in (7, 8)
        assert is_ordinary_working_day(local(after.starts).date()), after.key
    # The reflection meeting still closes the season.
    assert max(moved.sessions, key=lambda s: s.starts).kind == "reflection"


def test_the_console_loads_the_example_itself() -> None:
    # One file: examples/program.toml and the packaged example are the same file, so the
    # sandbox never shows a copy that has drifted from what the README points to.
    assert Path(EXAMPLE_PROGRAMME).samefile(EXAMPLE)
    assert load_programme(EXAMPLE_PROGRAMME) == SEASON


def test_next_in_the_sandbox_is_an_ordinary_working_day(tmp_path: Path) -> None:
    done = run_console_process(["/sdg next"], "--language", "en", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found = re.search(r"📅 \w+, (\d{1,2} \w+ \d{4}), \d\d:\d\d", done.stdout)
    assert found, done.stdout
    day = datetime.strptime(found.group(1), "%d %B %Y").date()
    assert is_ordinary_working_day(day) and day.month not in (7, 8), day
    assert day >= datetime.now(UTC).date()
    keys = re.findall(r"Key: `(\d{4}-\d{2}-\d{2})-", done.stdout)
    assert keys == [day.isoformat()]  # the key names the day on the card


def test_the_console_checks_its_options_like_the_config(tmp_path: Path) -> None:
    zone = run_console_process([], "--tz", "Mars/Olympus", cwd=tmp_path)
    assert zone.returncode == 2
    assert "config error: --tz: unknown time zone 'Mars/Olympus'" in zone.stderr
    language = run_console_process([], "--language", "sv", cwd=tmp_path)
    assert language.returncode == 2
    assert "config error: --language: must be one of da | nb | en, got 'sv'" in language.stderr
    assert "Traceback" not in zone.stderr + language.stderr


def test_time_travel_too_far_gets_a_clear_answer(tmp_path: Path) -> None:
    done = run_console_process(
        ["/time +999999999d", "/time +99999w", "/time soon", "/time 2020-01-01", "/sdg next"],
        "--language",
        "en",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.count("(that is too far: move the clock at most 10 years at a time)") == 2
    assert "(write it like /time +1d" in done.stdout
    assert "(the clock only moves forward" in done.stdout
    assert "📅" in done.stdout.rpartition("/sdg next")[2]  # still answering


def test_enter_keeps_chosen_options_and_dms_name_their_recipient(tmp_path: Path) -> None:
    lines = [
        "/sdg register",
        *("Anna Holm", "aarhus", "1", "", "3"),  # name, search, Aarhus, no other, practitioner
        "1",  # in the room (the next session is hybrid) or the Cancel button: see below
        "2",
        "/sdg profile",
        "",  # name: Enter keeps Anna Holm
        "",  # organisation search: Enter keeps Aarhus Kommune
        "",  # the pick: Enter keeps it
        "",  # other
        "",  # role: Enter keeps Practitioner
        "/sdg mydata",
    ]
    done = run_console_process(lines, "--language", "en", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "--- message in DM to you ---" in out
    profile = out.partition("/sdg profile")[2]
    assert "3. Practitioner *" in profile and "Enter keeps 3" in profile
    data = profile.partition("/sdg mydata")[2]
    assert '"role": "practitioner"' in data and '"name": "Anna Holm"' in data


def test_the_console_shows_no_log_lines_reprs_or_emoji_codes(tmp_path: Path) -> None:
    lines = [
        "/sdg register",
        *("Anna Holm", "aarhus", "1", "", "2"),
        "1",  # in the room
        "/time +9d",  # the reminders go out
        "/time +6d",  # the session is over: the feedback prompt
        "/sdg list",
        "/sdg nonsense",
        "/sdg summary season",
        "/sdg my",
    ]
    near = programme_near_today(tmp_path)
    done = run_console_process(
        lines, "--language", "en", "--facilitator", "--programme", near, cwd=tmp_path
    )
    assert "Give feedback" in done.stdout
    assert done.returncode == 0, done.stderr
    shown = done.stdout + done.stderr
    assert not LOG_LINE.search(shown), shown
    for fragment in ("WorkReport(", "[Suggestion]", "Traceback", "<bot.", "object at 0x"):
        assert fragment not in shown
    assert not re.search(r":[a-z_]+:", done.stdout), re.findall(r":[a-z_]+:", done.stdout)


def test_every_emoji_code_the_bot_writes_has_a_console_symbol() -> None:
    sources = [
        *REPO.joinpath("bot").rglob("*.py"),
        *REPO.joinpath("bot", "templates").rglob("*.j2"),
        *REPO.joinpath("bot", "locales").rglob("*.po"),
        *REPO.joinpath("handlers").rglob("*.py"),
    ]
    not_emoji = {":class:", ":mod:", ":func:", ":meth:", ":attr:", ":data:", ":memory:"}
    used = {
        code
        for path in sources
        for code in re.findall(r"(?<![\w/.]):[a-z][a-z0-9_+-]*:", path.read_text(encoding="utf-8"))
        if code not in not_emoji
    }
    assert used, "the bot writes emoji codes"
    assert sorted(used - set(EMOJI)) == []


def test_enter_keeps_the_session_forms_and_feedbacks_choices(tmp_path: Path) -> None:
    near = programme_near_today(tmp_path)
    key = re.search(r'key = "([^"]+-netvaerksmoede)"', Path(near).read_text()).group(1)  # type: ignore[union-attr]
    lines = [
        f"/sdg edit {key}",
        *[""] * 13,  # Enter on every field: the kind, the feedback box, ... stay
        "/sdg register",
        *("Anna Holm", "aarhus", "1", "", "2", "1"),
        "/time +15d",
        "/sdg feedback",
        *("4", "Dialogen", "", "11,13", "1"),
        "/sdg feedback",
        *("", "", "", "", ""),  # the earlier answer is prefilled: Enter keeps all of it
    ]
    done = run_console_process(
        lines, "--language", "en", "--facilitator", "--programme", near, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Nothing was changed in Netværksmøde i Middelfart" in out
    second = out.rpartition("/sdg feedback")[2]
    assert "13. Climate action *" in second and "Enter keeps 11,13" in second
    assert "Overall, how was the session? (number; Enter keeps 4)" in second
    assert "✅ Thank you! Your new answer on Netværksmøde i Middelfart replaces" in second
