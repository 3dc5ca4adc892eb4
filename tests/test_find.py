"""Finding sessions end to end: commands in three languages, zones, DST, App Home, calendar."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from bot.calendar_feed import feed_path
from bot.clock import FixedClock
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from bot.services.calendar_links import calendar_token
from tests.conftest import TEAM_ID, ImportText
from tests.support.conversation import answer_of, buttons_of, text_of
from tests.support.signed_client import SignedSlackClient

LOCALES = {"da": "da-DK", "nb": "nb-NO", "en": "en-GB"}


def ask(slack: SignedSlackClient, standin: SlackStandIn, text: str, user: str = "U0001") -> dict:
    return answer_of(slack.command(text, user_id=user), standin)


@pytest.mark.parametrize(
    ("language", "command", "expected"),
    [
        (
            "da",
            "næste",
            ["Meningsfuld måling", "torsdag den 10. juni 2027 kl. 13.30–15.30", "Tilmeld"],
        ),
        ("nb", "neste", ["Meningsfuld måling", "torsdag 10. juni 2027 kl. 13:30–15:30", "Meld på"]),
        ("en", "next", ["Meningsfuld måling", "Thursday, 10 June 2027, 13:30–15:30", "Register"]),
        ("da", "liste", ["Kommende arrangementer", "Netværksmøde i Middelfart", "Netværksmøde"]),
        ("nb", "liste", ["Kommende samlinger", "Nettverksmøte"]),
        ("en", "list", ["Upcoming sessions", "Network meeting"]),
        (
            "da",
            "vis 2027-09-16-netvaerksmoede",
            ["Middelfart Rådhus", "1.500\xa0kr. pr. deltager", "40 ledige pladser"],
        ),
        (
            "nb",
            "vis 2027-09-16-netvaerksmoede",
            ["Middelfart Rådhus", "1\xa0500\xa0DKK per deltaker", "40 ledige plasser"],
        ),
        (
            "en",
            "show 2027-09-16-netvaerksmoede",
            ["Middelfart Rådhus", "DKK\xa01,500 per participant", "40 seats left"],
        ),
        ("da", "hjælp", ["`/sdg næste`", "denne hjælp"]),
        ("nb", "hjelp", ["`/sdg neste`", "denne hjelpen"]),
        ("en", "help", ["`/sdg next`", "this help"]),
    ],
)
def test_commands_in_each_language(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    sample_programme: object,
    language: str,
    command: str,
    expected: list[str],
) -> None:
    standin.add_user("U0001", locale=LOCALES[language])
    message = ask(slack, standin, command)
    assert message["response_type"] == "ephemeral"
    text = text_of(message)
    for fragment in expected:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    assert standin.violations == []


def test_agenda_and_speakers_are_escaped_and_shown(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    standin.add_user("U0001", locale="en-GB")
    text = text_of(ask(slack, standin, "next"))
    assert "Dr Eleanor Roy (CIPFA)" in text
    assert "Data &amp; indikatorer &lt;for&gt; verdensmålene" in text
    assert "<for>" not in text


def test_stored_language_choice_wins_over_slack_locale(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    standin.add_user("U0001", locale="da-DK")
    assert "Tilmeld" in text_of(ask(slack, standin, "next"))
    assert "English" in text_of(ask(slack, standin, "language en"))
    assert "Register" in text_of(ask(slack, standin, "next"))
    assert "norsk" in text_of(ask(slack, standin, "sprog nb"))
    assert "Meld på" in text_of(ask(slack, standin, "next"))


def test_bad_language_is_refused_privately(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    standin.add_user("U0001", locale="da-DK")
    message = ask(slack, standin, "sprog svensk")
    assert message["response_type"] == "ephemeral"
    assert "da, nb eller en" in text_of(message)


def test_unknown_word_gives_help_and_unknown_key_names_the_closest(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    standin.add_user("U0001", locale="en-GB")
    text = text_of(ask(slack, standin, "frobnicate"))
    assert "I don't know the command “frobnicate”" in text and "`/sdg next`" in text
    text = text_of(ask(slack, standin, "show 2027-06-10-symposim"))
    assert "2027-06-10-symposim" in text and "`2027-06-10-symposium`" in text


def test_member_in_london_sees_london_time(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    standin.add_user("U0001", tz="Europe/London", locale="en-GB")
    text = text_of(ask(slack, standin, "next"))
    assert "13:30–15:30 (Copenhagen)" in text
    assert "Your time: Thu 10 Jun, 12:30–14:30 (London)" in text
    # The agenda follows the reader's zone too.
    assert "*12:35*" in text


@pytest.mark.parametrize(
    ("starts", "now", "copenhagen", "london"),
    [
        # The Thursday before and after the March 2027 change (28 March).
        ("2027-03-25T13:30:00", datetime(2027, 3, 1, tzinfo=UTC), "13.30", "12.30"),
        ("2027-04-01T13:30:00", datetime(2027, 3, 1, tzinfo=UTC), "13.30", "12.30"),
        # The October 2027 change (31 October): both zones move together...
        ("2027-10-28T13:30:00", datetime(2027, 10, 1, tzinfo=UTC), "13.30", "12.30"),
        ("2027-11-04T13:30:00", datetime(2027, 10, 1, tzinfo=UTC), "13.30", "12.30"),
    ],
)
def test_local_times_around_dst_changes(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    import_programme_text: ImportText,
    clock: FixedClock,
    starts: str,
    now: datetime,
    copenhagen: str,
    london: str,
) -> None:
    clock.set(now)
    ends = starts.replace("13:30", "15:30")
    import_programme_text(
        f'[[session]]\nkey = "dst"\ntitle = "DST"\nkind = "webinar"\n'
        f'starts = {starts}\nends = {ends}\nlocation = "online"\n'
    )
    standin.add_user("U0001", tz="Europe/Copenhagen", locale="da-DK")
    standin.add_user("U0002", tz="Europe/London", locale="da-DK")
    assert f"kl. {copenhagen}–" in text_of(ask(slack, standin, "næste", "U0001"))
    assert f"kl. {london}–" in text_of(ask(slack, standin, "næste", "U0002"))


def test_a_week_with_different_dst_rules(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    import_programme_text: ImportText,
    clock: FixedClock,
) -> None:
    # New York moves to summer time on 14 March 2027, Copenhagen on 28 March:
    # for two weeks the difference is five hours instead of six.
    clock.set(datetime(2027, 3, 1, tzinfo=UTC))
    import_programme_text(
        '[[session]]\nkey = "dst"\ntitle = "DST"\nkind = "webinar"\n'
        'starts = 2027-03-18T13:30:00\nends = 2027-03-18T15:30:00\nlocation = "online"\n'
    )
    standin.add_user("U0003", tz="America/New_York", locale="en-US")
    assert "08:30–10:30 (New York)" in text_of(ask(slack, standin, "next", "U0003"))


def test_sixty_item_agenda_and_long_description_stay_within_slack_limits(
    slack: SignedSlackClient, standin: SlackStandIn, import_programme_text: ImportText
) -> None:
    items = "".join(
        f"\n  [[session.agenda]]\n  time = {9 + i // 6:02d}:{(i % 6) * 10:02d}:00\n"
        f'  title = "Punkt {i}: {"lang titel " * 12}"\n  speakers = ["Oplægsholder {i} (Kommune {i})"]\n'
        for i in range(60)
    )
    description = "Lang beskrivelse. " * 180
    import_programme_text(
        f'[[session]]\nkey = "long"\ntitle = "{"T" * 190}"\nkind = "symposium"\n'
        f'starts = 2027-06-10T09:00:00\nends = 2027-06-10T20:00:00\nlocation = "Aarhus"\n'
        f'description = "{description}"\n{items}'
    )
    standin.add_user("U0001", locale="da-DK")
    message = ask(slack, standin, "vis long")
    blocks = message["blocks"]
    assert len(blocks) <= 50
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
    # Delivered through Slack's rules: the stand-in rejected nothing.
    assert standin.violations == []
    assert "Punkt 0" in text_of(message)
    assert "Tilmeld" in text_of(message)


def test_share_in_channel_posts_the_card_publicly(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    standin.add_user("U0001", locale="en-GB")
    card = ask(slack, standin, "next")
    share = buttons_of(card)["session.share_in_channel"]
    result = slack.block_action(share["action_id"], share["value"], user_id="U0001")
    assert result.status == 200
    posts = standin.wait_for(
        "response_url", predicate=lambda c: c.args.get("response_type") == "in_channel"
    )
    public = posts[-1].args
    assert "Meningsfuld måling" in text_of(public)
    assert "Share in channel" not in text_of(public)  # no reader-specific buttons
    assert "Tilmeld" in text_of(public)  # the network's language in a channel


def test_show_button_answers_with_the_card(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    standin.add_user("U0001", locale="en-GB")
    listing = ask(slack, standin, "list")
    values = [b["accessory"]["value"] for b in listing["blocks"] if b.get("accessory")]
    assert values == ["2027-06-10-symposium", "2027-09-16-netvaerksmoede"]
    slack.block_action("session.show", values[0], user_id="U0001")
    post = standin.wait_for("response_url", predicate=lambda c: "Agenda" in text_of(c.args))
    assert "Globale tendenser" in text_of(post[-1].args)


def test_add_to_calendar_sends_an_ics_with_an_alarm(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    standin.add_user("U0001", locale="en-GB")
    slack.block_action("session.add_to_calendar", "2027-06-10-symposium", user_id="U0001")
    standin.wait_for("files.completeUploadExternal")
    title, content, _args = standin.uploads()[-1]
    assert title == "Meningsfuld måling og afrapportering af kommuners bæredygtighed"
    calendar = Calendar.from_ical(content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert event.decoded("dtstart") == datetime(2027, 6, 10, 11, 30, tzinfo=UTC)
    assert str(event["location"]) == "Microsoft Teams"
    assert str(event["url"]) == "https://teams.example.org/meet/1"
    alarms = list(event.walk("VALARM"))
    assert len(alarms) == 1
    assert alarms[0].decoded("trigger") == -__import__("datetime").timedelta(days=7)
    assert "I have sent you the calendar file" in text_of(standin.wait_for("response_url")[-1].args)


def private_feed(runtime: Runtime, base_url: str, key: str = "season") -> str:
    """The address of member U0001's private feed (see test_calendar_links.py)."""
    with runtime.unit_of_work(write=True) as db:
        token = calendar_token(db, TEAM_ID, "U0001", runtime.clock.now())
    return base_url + feed_path(token, key)


def test_season_feed_lists_every_upcoming_session(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    sample_programme: object,
    import_programme_text: ImportText,
) -> None:
    import urllib.request

    import_programme_text(
        '[[session]]\nkey = "past"\ntitle = "Long ago"\nkind = "webinar"\n'
        'starts = 2026-01-10T13:30:00\nends = 2026-01-10T15:30:00\nlocation = "online"\n'
    )
    with urllib.request.urlopen(private_feed(runtime, slack.base_url)) as response:
        assert response.headers["Content-Type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.read())
    uids = sorted(str(e["uid"]) for e in calendar.walk("VEVENT"))
    assert uids == ["2027-06-10-symposium.t0001@sdgbot", "2027-09-16-netvaerksmoede.t0001@sdgbot"]
    with urllib.request.urlopen(
        private_feed(runtime, slack.base_url, "2027-09-16-netvaerksmoede")
    ) as r:
        one = Calendar.from_ical(r.read())
    assert [str(e["summary"]) for e in one.walk("VEVENT")] == ["Netværksmøde i Middelfart"]


def test_changed_session_gets_a_higher_sequence_in_the_feed(
    slack: SignedSlackClient,
    runtime: Runtime,
    sample_programme: object,
    import_programme_text: ImportText,
    clock: FixedClock,
) -> None:
    import urllib.request

    from tests.conftest import SAMPLE_PROGRAMME

    def sequence() -> int:
        with urllib.request.urlopen(
            private_feed(runtime, slack.base_url, "2027-06-10-symposium")
        ) as r:
            return int(next(iter(Calendar.from_ical(r.read()).walk("VEVENT")))["sequence"])

    before = sequence()
    clock.advance(__import__("datetime").timedelta(hours=2))
    import_programme_text(SAMPLE_PROGRAMME.replace("15:30:00+02:00", "16:00:00+02:00", 1))
    assert sequence() > before


def test_app_home_is_published_on_app_home_opened(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    standin.add_user("U0001", locale="da-DK")
    result = slack.event(
        {"type": "app_home_opened", "user": "U0001", "channel": "D0001", "tab": "home"}
    )
    assert result.status == 200
    call = standin.wait_for("views.publish")[-1]
    assert call.args["user_id"] == "U0001"
    view = call.args["view"]
    assert view["type"] == "home"
    assert len(view["blocks"]) <= 100
    text = text_of({"blocks": view["blocks"]})
    assert "Kommende arrangementer" in text and "Netværksmøde i Middelfart" in text
    assert standin.violations == []
