"""Private calendar links: ``/sdg calendar [reset]`` and the feeds at a member's token."""

from __future__ import annotations

import dataclasses
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from bot.config import Settings
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from bot.services.erasure import erase_member
from tests.conftest import TEAM_ID
from tests.support.conversation import answer_of, buttons_of, text_of
from tests.support.factories import add_member, add_organisation
from tests.support.signed_client import SignedSlackClient

PUBLIC_URL = "https://sdg.example.org"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
SYMPOSIUM = "2027-06-10-symposium"
MEETING = "2027-09-16-netvaerksmoede"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, bot=dataclasses.replace(settings.bot, public_url=PUBLIC_URL)
    )


@pytest.fixture(autouse=True)
def members(runtime: Runtime, standin: SlackStandIn) -> None:
    now = runtime.clock.now()
    with runtime.unit_of_work(write=True) as db:
        organisation = add_organisation(db, "Vejle Kommune")
        add_member(db, "U_ANNA", now=now, organisation=organisation)
        add_member(db, "U_BO", now=now, organisation=organisation, language="da")
    standin.add_user("U_ANNA", locale="en-GB")
    standin.add_user("U_BO", locale="da-DK")


def get(slack: SignedSlackClient, url_or_path: str) -> tuple[int, bytes]:
    path = urlsplit(url_or_path).path if url_or_path.startswith("http") else url_or_path
    try:
        with NO_PROXY.open(slack.base_url + path, timeout=10) as response:
            assert response.headers["Content-Type"].startswith("text/calendar")
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def calendar_answer(
    slack: SignedSlackClient, standin: SlackStandIn, user: str, text: str = "calendar"
) -> dict[str, Any]:
    message = answer_of(slack.command(text, user_id=user), standin)
    assert standin.violations == []
    return message


def feed_address(message: dict[str, Any]) -> str:
    url = buttons_of(message)["calendar.subscribe"]["url"]
    assert url.startswith(PUBLIC_URL + "/calendar/") and url.endswith("/season.ics")
    assert url in text_of(message)
    return str(url)


def events(body: bytes) -> dict[str, Any]:
    return {str(e["summary"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_the_feed_answers_at_the_members_token_with_links_only_where_registered(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    answer = calendar_answer(slack, standin, "U_ANNA")
    assert "Your private calendar address" in text_of(answer)
    address = feed_address(answer)
    # Asking again gives the same address.
    assert feed_address(calendar_answer(slack, standin, "U_ANNA")) == address

    status, body = get(slack, address)
    assert status == 200
    seen = events(body)
    assert set(seen) == {
        "Meningsfuld måling og afrapportering af kommuners bæredygtighed",
        "Netværksmøde i Middelfart",
    }
    assert all("url" not in event for event in seen.values())
    assert "teams.example.org" not in body.decode()

    registered = answer_of(slack.command(f"register {SYMPOSIUM}", user_id="U_ANNA"), standin)
    assert "You are registered" in text_of(registered)
    seen = events(get(slack, address)[1])
    symposium = seen["Meningsfuld måling og afrapportering af kommuners bæredygtighed"]
    assert str(symposium["url"]) == "https://teams.example.org/meet/1"
    assert "url" not in seen["Netværksmøde i Middelfart"]
    assert "meet/2" not in get(slack, address)[1].decode()

    one = address.replace("/season.ics", f"/{SYMPOSIUM}.ics")
    status, body = get(slack, one)
    assert status == 200 and list(events(body)) == [
        "Meningsfuld måling og afrapportering af kommuners bæredygtighed"
    ]

    # Another member's feed is theirs: not registered, so no link.
    other = feed_address(calendar_answer(slack, standin, "U_BO", "kalender"))
    assert other != address
    assert "meet/1" not in get(slack, other)[1].decode()


def test_reset_replaces_the_token_and_every_wrong_address_gets_the_same_404(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    old = feed_address(calendar_answer(slack, standin, "U_ANNA"))
    reset = calendar_answer(slack, standin, "U_ANNA", "calendar reset")
    assert "the old one no longer works" in text_of(reset)
    new = feed_address(reset)
    assert new != old
    assert get(slack, new)[0] == 200

    token = urlsplit(new).path.split("/")[2]
    wrong = [
        old,
        old.replace("/season.ics", f"/{SYMPOSIUM}.ics"),
        new.replace("/season.ics", "/no-such-key.ics"),
        f"/calendar/{'x' * len(token)}/season.ics",
        f"/calendar/{token[:-1]}/season.ics",
        "/calendar/season.ics",  # the public feeds of old are gone
        f"/calendar/{SYMPOSIUM}.ics",
        f"/calendar/{'y' * 500}/season.ics",
    ]
    answers = {path: get(slack, path) for path in wrong}
    assert {status for status, _ in answers.values()} == {404}
    assert len({body for _, body in answers.values()}) == 1


def test_danish_answer_and_a_word_that_is_not_reset(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    answer = calendar_answer(slack, standin, "U_BO", "kalender")
    assert "Din private kalenderadresse" in text_of(answer)
    assert buttons_of(answer)["calendar.subscribe"]["text"]["text"] == "Abonnér"
    assert "nulstil" in text_of(answer)
    renewed = calendar_answer(slack, standin, "U_BO", "kalender nulstil")
    assert "den gamle virker ikke længere" in text_of(renewed)
    refused = calendar_answer(slack, standin, "U_BO", "kalender bogus")
    assert "/sdg calendar [reset]" in text_of(refused)
    # Clicking Subscribe (it opens the URL in Slack) is acknowledged, nothing else.
    assert slack.block_action("calendar.subscribe", user_id="U_BO").status == 200


def test_forget_me_deletes_the_address(
    slack: SignedSlackClient, standin: SlackStandIn, runtime: Runtime, sample_programme: object
) -> None:
    address = feed_address(calendar_answer(slack, standin, "U_ANNA"))
    with runtime.unit_of_work(write=True) as db:
        erase_member(db, TEAM_ID, "U_ANNA", runtime.clock.now())
    assert get(slack, address)[0] == 404


def test_add_to_calendar_points_at_the_private_feed(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    address = feed_address(calendar_answer(slack, standin, "U_ANNA"))
    slack.block_action("session.add_to_calendar", SYMPOSIUM, user_id="U_ANNA")
    post = standin.wait_for("response_url", predicate=lambda c: "calendar file" in text_of(c.args))
    assert address in text_of(post[-1].args)


def test_mydata_tells_the_member_they_have_a_calendar_address(
    slack: SignedSlackClient, standin: SlackStandIn, sample_programme: object
) -> None:
    import json

    def mydata() -> dict[str, Any]:
        before = len(standin.uploads())
        slack.command("mydata", user_id="U_ANNA")
        standin.wait_for("files.completeUploadExternal", count=before + 1)
        return dict(json.loads(standin.uploads()[-1][1]))

    assert mydata()["calendar_link"] is None
    calendar_answer(slack, standin, "U_ANNA")
    link = mydata()["calendar_link"]
    assert link["created_at"].startswith("2027-05-03")
    assert "/sdg calendar reset" in link["note"]
