"""Dates and zone names through Babel, over signed HTTP: CLDR's short dates for each
language, zone names in the member's language, and a note saying which zone agenda and
list times are in when it is not the session's."""

from __future__ import annotations

import pytest

from bot.sandbox.slack_standin import SlackStandIn
from tests.conftest import SAMPLE_PROGRAMME, ImportText
from tests.support.conversation import answer_of, text_of
from tests.support.signed_client import SignedSlackClient


@pytest.fixture(autouse=True)
def programme(import_programme_text: ImportText, standin: SlackStandIn) -> None:
    import_programme_text(SAMPLE_PROGRAMME)
    standin.add_user("U0NY", locale="da-DK", tz="America/New_York")
    standin.add_user("U0LON", locale="en-GB", tz="Europe/London")
    standin.add_user("U0OSLO", locale="nb-NO", tz="Europe/Oslo")


def test_a_danish_member_in_new_york_reads_danish_zone_names(
    slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    card = text_of(answer_of(slack.command("next", user_id="U0NY"), standin))
    assert "(København)" in card and "Copenhagen" not in card
    assert "Din tid: tors. 10. jun. kl. 07.30–09.30 (New York)" in card
    assert "Tider angives i tidszonen New York." in card  # the agenda is in her time
    assert "*07.35*" in card  # 13.35 in Copenhagen


def test_an_english_member_in_london_gets_cldr_dates_and_a_zone_note(
    slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    card = text_of(answer_of(slack.command("next", user_id="U0LON"), standin))
    assert "Your time: Thu 10 Jun, 12:30–14:30 (London)" in card
    assert "10. Jun" not in card
    listed = text_of(answer_of(slack.command("list", user_id="U0LON"), standin))
    assert "Times are in London." in listed
    assert "Thu 16 Sep 09:00–14:00" in listed and "Sept" not in listed


def test_a_member_in_the_sessions_zone_gets_no_zone_note(
    slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    card = text_of(answer_of(slack.command("next", user_id="U0OSLO"), standin))
    listed = text_of(answer_of(slack.command("list", user_id="U0OSLO"), standin))
    for shown in (card, listed):
        assert "Tidene er oppgitt" not in shown and "Din tid" not in shown
    assert "tor. 10. juni" in listed and "tor. 16. sep." in listed
