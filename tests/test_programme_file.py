"""Tests of bot/programme_file.py: the programme file parser and validator."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.programme_file import (
    KINDS,
    ProgrammeError,
    load_programme,
    parse_programme,
    shift_programme,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "bot" / "data" / "example_program.toml"
CPH = ZoneInfo("Europe/Copenhagen")
EXAMPLE_PROGRAMME = load_programme(EXAMPLE)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def session(name: str = "s1", **fields: str) -> str:
    """A valid [[session]] table; keyword values are TOML source, "" leaves a key out."""
    values = {
        "key": f'"{name}"',
        "title": '"Et symposium"',
        "kind": '"symposium"',
        "starts": "2027-06-10T13:30:00",
        "ends": "2027-06-10T15:30:00",
        "location": '"Microsoft Teams"',
    }
    values.update(fields)
    body = "".join(f"{name} = {value}\n" for name, value in values.items() if value != "")
    return "[[session]]\n" + body


def agenda(time_: str = "13:35", title: str = '"Punkt"', extra: str = "") -> str:
    return f"[[session.agenda]]\ntime = {time_}\ntitle = {title}\n{extra}"


def error_of(text: str, **kwargs: str) -> ProgrammeError:
    with pytest.raises(ProgrammeError) as info:
        parse_programme(text, path="program.toml", **kwargs)
    return info.value


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


# --------------------------------------------------------------------------- example file


def test_example_season_parses() -> None:
    programme = load_programme(EXAMPLE)
    sessions = programme.sessions
    assert 7 <= len(sessions) <= 9
    assert len({s.key for s in sessions}) == len(sessions)
    assert {s.kind for s in sessions} == set(KINDS)
    assert [s.starts for s in sessions] == sorted(s.starts for s in sessions)
    assert sessions[0].starts >= utc(2026, 9, 1) and sessions[-1].ends <= utc(2027, 7, 1)
    assert all(s.timezone == "Europe/Copenhagen" for s in sessions)

    symposia = [s for s in sessions if s.kind == "symposium" and not s.price]
    assert 2 <= len(symposia) <= 3
    for s in symposia:
        local = s.starts.astimezone(CPH), s.ends.astimezone(CPH)
        assert (local[0].time(), local[1].time()) == (time(13, 30), time(15, 30))
        assert len(s.agenda) == 6
        assert [a.position for a in s.agenda] == list(range(6))
        assert all(s.starts <= a.starts < s.ends for a in s.agenda)

    measuring = next(s for s in sessions if s.title.startswith("Meningsfuld måling"))
    assert measuring.key == "2027-06-10-symposium"
    assert measuring.starts == utc(2027, 6, 10, 11, 30)
    roy = next(a for a in measuring.agenda if a.title == "Globale tendenser og mega trends")
    assert roy.speakers == ("Dr Eleanor Roy (CIPFA)",)
    assert roy.starts == utc(2027, 6, 10, 11, 35)
    assert measuring.agenda[0].title == "Velkomst og introduktion"

    meetings = [s for s in sessions if s.kind == "network_meeting"]
    assert any("Rådhus" in s.location and s.online_url for s in meetings)  # hybrid
    assert all(s.capacity > 0 and s.members_only and not s.price for s in meetings)
    assert all(not s.members_only for s in sessions if s.kind != "network_meeting")
    (priced,) = [s for s in sessions if s.price]
    assert (priced.price, priced.kind) == (1500, "symposium")
    assert priced.ends - priced.starts >= timedelta(hours=6)  # a full day
    (season,) = programme.seasons
    assert (season.key, season.first_day, season.last_day) == (
        "2026-2027",
        date(2026, 8, 1),
        date(2027, 7, 31),
    )
    assert season.membership_price == 10000
    webinar = next(s for s in sessions if s.kind == "webinar")
    assert webinar.location == "online" and webinar.online_url.startswith("https://")
    reflection = sessions[-1]
    assert reflection.kind == "reflection"
    assert reflection.title == "Refleksionsmøde: hvad lærte vi i år?"
    assert reflection.feedback and reflection.anonymous


def test_example_symlink_is_relative() -> None:
    link = ROOT / "examples" / "program.toml"
    assert link.is_symlink()
    assert os.readlink(link) == "../bot/data/example_program.toml"
    assert load_programme(link) == load_programme(EXAMPLE)


def test_example_reports_header_lines() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    programme = parse_programme(text)
    headers = [n for n, line in enumerate(text.splitlines(), 1) if line == "[[session]]"]
    assert [s.line for s in programme.sessions] == headers


# --------------------------------------------------------------------------- defaults


def test_minimal_session_defaults() -> None:
    text = "# kommentar\n\n" + session()
    (s,) = parse_programme(text).sessions
    assert s.key == "s1" and s.title == "Et symposium" and s.kind == "symposium"
    assert s.starts == utc(2027, 6, 10, 11, 30) and s.ends == utc(2027, 6, 10, 13, 30)
    assert s.starts.tzinfo is UTC
    assert (s.capacity, s.price, s.feedback, s.anonymous) == (0, None, True, False)
    assert (s.online_url, s.description, s.agenda) == ("", "", ())
    assert s.line == 3


def test_all_fields() -> None:
    text = session(
        capacity="40",
        price="1500",
        feedback="false",
        anonymous="true",
        online_url='"https://teams.example/x"',
        description='"Om mødet"',
    )
    (s,) = parse_programme(text).sessions
    assert (s.capacity, s.price, s.feedback, s.anonymous) == (40, 1500, False, True)
    assert (s.online_url, s.description) == ("https://teams.example/x", "Om mødet")


def test_agenda_items_in_file_order() -> None:
    text = (
        session()
        + agenda("14:00", '"B"', 'speakers = ["X (KL)", "Y (CSR Forum)"]\n')
        + agenda("13:35:00", '"A"')
    )
    (s,) = parse_programme(text).sessions
    assert [(a.position, a.title) for a in s.agenda] == [(0, "B"), (1, "A")]
    assert s.agenda[0].speakers == ("X (KL)", "Y (CSR Forum)")
    assert s.agenda[1].speakers == ()
    assert s.agenda[0].starts == utc(2027, 6, 10, 12, 0)
    assert s.agenda[1].starts == utc(2027, 6, 10, 11, 35)


def test_datetime_without_seconds_is_accepted() -> None:
    text = session(starts="2027-06-10T13:30+02:00", ends="2027-06-10T15:30")
    (s,) = parse_programme(text).sessions
    assert (s.starts, s.ends) == (utc(2027, 6, 10, 11, 30), utc(2027, 6, 10, 13, 30))


# --------------------------------------------------------------------------- times and DST


@pytest.mark.parametrize(
    ("starts", "expected"),
    [
        ("2027-03-28T13:30:00", utc(2027, 3, 28, 11, 30)),  # after spring-forward: +02:00
        ("2026-10-25T13:30:00", utc(2026, 10, 25, 12, 30)),  # after fall-back: +01:00
        ("2026-10-25T02:30:00", utc(2026, 10, 25, 0, 30)),  # ambiguous: fold=0, +02:00
        ("2027-01-14T13:30:00+01:00", utc(2027, 1, 14, 12, 30)),
        ("2027-01-14T13:30:00Z", utc(2027, 1, 14, 13, 30)),
        ("2027-01-14 13:30:00-05:00", utc(2027, 1, 14, 18, 30)),
    ],
)
def test_starts_to_utc(starts: str, expected: datetime) -> None:
    ends = (expected + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (s,) = parse_programme(session(starts=starts, ends=ends)).sessions
    assert s.starts == expected


def test_other_default_timezone() -> None:
    text = session(starts="2027-01-14T13:30:00", ends="2027-01-14T15:30:00")
    (s,) = parse_programme(text, default_timezone="Europe/London").sessions
    assert s.starts == utc(2027, 1, 14, 13, 30) and s.timezone == "Europe/London"


def test_unknown_default_timezone() -> None:
    assert "timezone" in error_of(session(), default_timezone="Mars/Olympus").reason


def test_nonexistent_local_time_rejected() -> None:
    text = session(starts="2027-03-28T02:30:00", ends="2027-03-28T04:00:00")
    err = error_of(text)
    assert err.line == line_of(text, "starts =")
    assert "does not exist" in err.reason


def test_agenda_in_dst_gap_rejected() -> None:
    text = session(starts="2027-03-28T01:00:00", ends="2027-03-28T05:00:00") + agenda("02:15")
    err = error_of(text)
    assert err.line == line_of(text, "time =") and "does not exist" in err.reason


def test_agenda_time_across_dst_change() -> None:
    # 23:00 on the night of the change: local start date is used for the item.
    text = session(starts="2026-10-24T23:00:00", ends="2026-10-25T04:00:00") + agenda("23:30")
    (s,) = parse_programme(text).sessions
    assert s.agenda[0].starts == utc(2026, 10, 24, 21, 30)
    assert s.ends - s.starts == timedelta(hours=6)  # the night has 25 hours


@pytest.mark.parametrize("value", ["2027-06-10", '"2027-06-10T13:30:00"', "13:30", "1", "true"])
def test_starts_must_be_date_and_time(value: str) -> None:
    text = session(starts=value)
    err = error_of(text)
    assert err.line == line_of(text, "starts =")
    assert err.reason == "starts must be a date and time, e.g. 2027-06-10T13:30:00+02:00"


# --------------------------------------------------------------------------- errors


def test_impossible_date_reports_line() -> None:
    text = session() + "\n" + session("s2", starts="2027-02-30T13:30:00")
    err = error_of(text)
    assert err.line == line_of(text, "2027-02-30")
    assert str(err).startswith(f"program.toml:{err.line}: not valid TOML")


def test_toml_syntax_error_reports_line() -> None:
    text = session() + 'description = "no end\n'
    assert error_of(text).line == line_of(text, "description")
    unterminated = session() + 'description = """never closed\n\n'
    assert error_of(unterminated).line is not None


def test_missing_required_key() -> None:
    text = session() + "\n" + session("s2", key="")
    err = error_of(text)
    assert err.line == line_of(text, "[[session]]", 2)
    assert "'key'" in err.reason


@pytest.mark.parametrize("name", ["title", "kind", "starts", "ends"])
def test_other_required_keys(name: str) -> None:
    err = error_of(session(**{name: ""}))
    assert err.line == 1 and repr(name) in err.reason


def test_unknown_key_typo() -> None:
    text = session(strats="2027-06-10T13:30:00")
    err = error_of(text)
    assert err.line == line_of(text, "strats")
    assert "'strats'" in err.reason and "did you mean 'starts'" in err.reason


def test_unknown_agenda_key() -> None:
    text = session() + agenda(extra='speaker = ["X"]\n')
    err = error_of(text)
    assert err.line == line_of(text, "speaker =") and "'speakers'" in err.reason


def test_unknown_top_level_key() -> None:
    text = 'title = "Sæson"\n' + session()
    err = error_of(text)
    assert err.line == 1 and "'title'" in err.reason
    text = session() + "[bot]\ntimezone = 'UTC'\n"
    assert error_of(text).line == line_of(text, "[bot]")


@pytest.mark.parametrize("text", ["", "# only comments\n"])
def test_no_sessions(text: str) -> None:
    err = error_of(text)
    assert err.line is None and "no sessions" in err.reason
    assert str(err) == f"program.toml: {err.reason}"


def test_session_must_be_array_of_tables() -> None:
    text = "[session]\nkey = 'a'\n"
    assert error_of(text).line == 1


def test_ends_before_starts() -> None:
    text = session(ends="2027-06-10T13:00:00")
    err = error_of(text)
    assert err.line == line_of(text, "ends =") and "after it starts" in err.reason
    assert error_of(session(ends="2027-06-10T13:30:00")).line == line_of(text, "ends =")


def test_session_longer_than_a_week() -> None:
    text = session(ends="2027-06-17T13:31:00")
    assert "7 days" in error_of(text).reason
    parse_programme(session(ends="2027-06-17T13:30:00"))


def test_duplicate_key_at_second_line() -> None:
    text = session("dup") + "\n" + session("other") + "\n" + session("dup")
    err = error_of(text)
    assert err.line == line_of(text, 'key = "dup"', 2)
    assert "duplicate" in err.reason and "line 1" in err.reason


@pytest.mark.parametrize("key", ['"-x"', '""', '"a b"', '"æble"', f'"{"x" * 65}"', "12"])
def test_bad_key(key: str) -> None:
    assert error_of(session(key=key)).line == 2


def test_good_keys() -> None:
    longest = "9" + "x" * 63
    programme = parse_programme(session("A.b_c-1") + session(longest))
    assert [s.key for s in programme.sessions] == ["A.b_c-1", longest]


def test_bad_kind() -> None:
    err = error_of(session(kind='"workshop"'))
    assert err.line == 4 and "network_meeting" in err.reason


@pytest.mark.parametrize("title", ['""', '"   "', f'"{"x" * 201}"', "3"])
def test_bad_title(title: str) -> None:
    assert error_of(session(title=title)).line == 3


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("capacity", "-1"),
        ("capacity", "true"),
        ("capacity", "2.5"),
        ("capacity", '"40"'),
        ("price", "-100"),
        ("price", "1500.0"),
        ("feedback", '"yes"'),
        ("anonymous", "1"),
        ("location", "1"),
        ("online_url", '"teams.microsoft.com/x"'),
        ("online_url", "false"),
        ("description", "[]"),
    ],
)
def test_bad_values(name: str, value: str) -> None:
    text = session(**{name: value})
    err = error_of(text)
    assert err.line == line_of(text, f"{name} =") and name in err.reason


def test_location_or_online_url_required() -> None:
    err = error_of(session(location=""))
    assert err.line == 1 and err.reason == "location or online_url is required"
    assert error_of(session(location='"  "')).reason == "location or online_url is required"
    (s,) = parse_programme(session(location="", online_url='"http://x.example"')).sessions
    assert (s.location, s.online_url) == ("", "http://x.example")


def test_agenda_outside_session() -> None:
    text = session() + agenda("13:35") + agenda("15:30")  # ends is exclusive
    err = error_of(text)
    assert err.line == line_of(text, "time = 15:30")
    assert "outside the session (13:30-15:30" in err.reason
    text = session() + agenda("13:29")
    assert error_of(text).line == line_of(text, "time = 13:29")


@pytest.mark.parametrize("value", ["2027-06-10T13:35:00", '"13:35"', "1335"])
def test_agenda_time_must_be_time_of_day(value: str) -> None:
    text = session() + agenda(value)
    assert error_of(text).line == line_of(text, "time =")


def test_agenda_requires_time_and_title() -> None:
    text = session() + '[[session.agenda]]\ntitle = "x"\n'
    assert error_of(text).line == line_of(text, "[[session.agenda]]")
    text = session() + agenda(title='""')
    assert error_of(text).line == line_of(text, "title =", 2)


@pytest.mark.parametrize("value", ['"X"', "[1]", '[""]'])
def test_agenda_speakers_must_be_names(value: str) -> None:
    text = session() + agenda(extra=f"speakers = {value}\n")
    assert error_of(text).line == line_of(text, "speakers =")


def test_at_most_100_agenda_items() -> None:
    head = session(ends="2027-06-10T17:30:00")
    parse_programme(head + agenda("14:00") * 100)
    text = head + agenda("14:00") * 101
    err = error_of(text)
    assert err.line == line_of(text, "[[session.agenda]]", 101) and "100" in err.reason


def test_lines_found_in_second_session_and_after_tricky_text() -> None:
    text = (
        "# [[session]] in a comment\n"
        + session(description='"""\n[[session]]\nkey = "fake"\n"""')
        + agenda()
        + "\n"
        + session("s2", capacity="-5")
    )
    err = error_of(text)
    assert err.line == line_of(text, "capacity = -5")


def test_crlf_line_endings() -> None:
    text = (session() + session("s2", kind='"oops"')).replace("\n", "\r\n")
    assert error_of(text).line == 11


def test_error_string_and_attributes() -> None:
    err = ProgrammeError("program.toml", 12, "something is wrong")
    assert str(err) == "program.toml:12: something is wrong"
    assert (err.path, err.line, err.reason) == ("program.toml", 12, "something is wrong")
    assert isinstance(err, ValueError)
    assert str(ProgrammeError("p.toml", None, "r")) == "p.toml: r"


def test_load_programme_errors(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(ProgrammeError) as info:
        load_programme(missing)
    assert info.value.path == str(missing) and info.value.line is None
    bad = tmp_path / "program.toml"
    bad.write_text(session() + "kind2 = 1\n", encoding="utf-8")
    with pytest.raises(ProgrammeError, match=r"program\.toml:8: unknown key 'kind2'"):
        load_programme(bad)
    bad.write_bytes(session().encode() + b"description = '\xff'\n")
    with pytest.raises(ProgrammeError) as info:
        load_programme(bad)
    assert info.value.line == 8 and "UTF-8" in info.value.reason


# --------------------------------------------------------------------------- moving in time


def local_wall(instant: datetime) -> tuple[int, time]:
    local = instant.astimezone(CPH)
    return local.weekday(), local.time()


def test_shift_keeps_local_time_across_dst() -> None:
    text = session(starts="2027-03-04T13:30:00", ends="2027-03-04T15:30:00") + agenda()
    programme = parse_programme(text)
    shifted = shift_programme(programme, 4)  # 2027-04-01, summer time
    (s,) = shifted.sessions
    assert s.starts == utc(2027, 4, 1, 11, 30) and s.ends == utc(2027, 4, 1, 13, 30)
    assert s.agenda[0].starts == utc(2027, 4, 1, 11, 35)
    back = shift_programme(shifted, -4)
    assert back == programme
    assert shift_programme(programme, 0) == programme


def test_shift_example_season_by_a_year() -> None:
    programme = load_programme(EXAMPLE)
    shifted = shift_programme(programme, 52)
    for before, after in zip(programme.sessions, shifted.sessions, strict=True):
        assert local_wall(after.starts) == local_wall(before.starts)
        assert local_wall(after.ends) == local_wall(before.ends)
        assert after.key == before.key and after.line == before.line
        assert [local_wall(a.starts) for a in after.agenda] == [
            local_wall(a.starts) for a in before.agenda
        ]
        days = (after.starts.astimezone(CPH).date() - before.starts.astimezone(CPH).date()).days
        assert days == 364


@given(weeks=st.integers(min_value=-120, max_value=520))
def test_shift_property_keeps_wall_time_and_weekday(weeks: int) -> None:
    programme = EXAMPLE_PROGRAMME
    shifted = shift_programme(programme, weeks)
    for before, after in zip(programme.sessions, shifted.sessions, strict=True):
        assert local_wall(after.starts) == local_wall(before.starts)
        assert local_wall(after.ends) == local_wall(before.ends)
        for a, b in zip(before.agenda, after.agenda, strict=True):
            assert local_wall(b.starts) == local_wall(a.starts)
            assert b.position == a.position
        days = after.starts.astimezone(CPH).date() - before.starts.astimezone(CPH).date()
        assert days == timedelta(weeks=weeks)


def test_a_shift_across_dst_keeps_the_local_time() -> None:
    # The example season starts in September (summer time); 62 weeks later it is
    # November (winter time), and its 13:30 symposia still start at 13:30 local time.
    weeks = 62
    shifted = shift_programme(EXAMPLE_PROGRAMME, weeks)
    first_before, first_after = EXAMPLE_PROGRAMME.sessions[0], shifted.sessions[0]
    assert first_after.starts.astimezone(CPH).date() == date(2027, 11, 25)
    # One hour later in UTC: the clocks went back in between.
    assert first_after.starts - first_before.starts == timedelta(weeks=weeks, hours=1)
    for s in shifted.sessions:
        if s.kind == "symposium" and not s.price:
            assert s.starts.astimezone(CPH).time() == time(13, 30)


def test_stray_sub_table_reported_at_its_header() -> None:
    text = session() + "[session.extra]\nfoo = 1\n"
    err = error_of(text)
    assert err.line == line_of(text, "[session.extra]") and "'extra'" in err.reason


def test_inline_sessions_are_accepted_without_lines() -> None:
    text = (
        'session = [{key = "a", title = "t", kind = "webinar", location = "online", '
        "starts = 2027-01-14T10:00:00, ends = 2027-01-14T09:00:00}]\n"
    )
    err = error_of(text)
    assert err.line is None and "after it starts" in err.reason
    text = text.replace("T09:00:00", "T11:00:00")
    assert parse_programme(text).sessions[0].line == 0


def test_times_in_strings_are_left_alone() -> None:
    text = session(title='"Møde kl. 13:30"', description='"""\nstart = 13:30\n"""')
    (s,) = parse_programme(text).sessions
    assert s.title == "Møde kl. 13:30" and s.description == "start = 13:30"
