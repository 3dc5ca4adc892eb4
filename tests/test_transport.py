"""The bot over real HTTP: signatures, url_verification, answers, bursts."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

from tests.support.conversation import answer_of, text_of
from tests.support.faulty_standin import FaultyStandIn
from tests.support.signed_client import SignedSlackClient


def test_forged_signature_is_refused(slack: SignedSlackClient) -> None:
    body = "command=%2Fsdg&text=help&user_id=U1&team_id=T0001&response_url=x&trigger_id=1"
    headers = slack.signed_headers(body, secret="not-the-secret")
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    result = slack.raw(body, headers)
    assert result.status == 401


def test_timestamp_older_than_five_minutes_is_refused(slack: SignedSlackClient) -> None:
    body = "command=%2Fsdg&text=help&user_id=U1&team_id=T0001&response_url=x&trigger_id=1"
    headers = slack.signed_headers(body, timestamp=int(time.time()) - 6 * 60)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    assert slack.raw(body, headers).status == 401


def test_unsigned_request_is_refused(slack: SignedSlackClient) -> None:
    result = slack.raw(
        "command=%2Fsdg&text=help", {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert result.status == 401


def test_url_verification_answers_the_challenge(slack: SignedSlackClient) -> None:
    result = slack.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    assert result.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in result.body


def test_help_for_a_new_member_follows_via_response_url(
    slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    standin.add_user("U0001", tz="Europe/Copenhagen", locale="en-GB")
    result = slack.command("help", user_id="U0001")
    assert result.status == 200
    message = answer_of(result, standin)
    assert message["response_type"] == "ephemeral"
    assert "/sdg next" in text_of(message)
    # users.info was asked once, so later answers need no Web API call.
    assert len(standin.calls_to("users.info")) == 1


def test_help_for_a_known_member_is_in_the_ack_body(
    slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    standin.add_user("U0001", locale="en-GB")
    answer_of(slack.command("help", user_id="U0001"), standin)
    standin.clear()
    result = slack.command("help", user_id="U0001")
    body = result.json
    assert body is not None and body["response_type"] == "ephemeral"
    assert "/sdg next" in text_of(body)
    assert standin.calls_to("users.info") == []


def test_empty_command_gives_help(slack: SignedSlackClient, standin: FaultyStandIn) -> None:
    standin.add_user("U0001", locale="en-GB")
    message = answer_of(slack.command("", user_id="U0001"), standin)
    assert "/sdg next" in text_of(message)


def test_web_api_error_after_ack_does_not_fail_the_request(
    slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    standin.add_user("U0001", locale="en-GB")
    standin.fail_next("users.info", status=500, times=10)
    result = slack.command("help", user_id="U0001")
    assert result.status == 200
    # Slack could not tell us the zone: the member still gets an answer, in the default language.
    message = answer_of(result, standin, timeout=30)
    assert "/sdg" in text_of(message)


def test_burst_of_32_members_all_answered(slack: SignedSlackClient, standin: FaultyStandIn) -> None:
    users = [f"U{n:04d}" for n in range(100, 132)]
    for user in users:
        standin.add_user(user, locale="en-GB")
        answer_of(slack.command("help", user_id=user), standin)  # warm each member's cache

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(lambda u: slack.command("help", user_id=u), users))
    assert [r.status for r in results] == [200] * 32
    assert all("/sdg next" in text_of(json.loads(r.body)) for r in results)
