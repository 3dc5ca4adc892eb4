"""Tests of the Slack Web API stand-in and the signed request client."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot.sandbox.slack_standin import (
    validate_message_blocks,
    validate_view,
)
from tests.support.faulty_standin import FaultyStandIn
from tests.support.signed_client import SignedSlackClient, sign

SECRET = "s3cr3t-signing-secret"


@pytest.fixture()
def standin() -> Iterator[FaultyStandIn]:
    with FaultyStandIn() as s:
        yield s


@pytest.fixture()
def client(standin: FaultyStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=standin.api_url)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _modal(title: str, blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "cb",
        "title": {"type": "plain_text", "text": title},
        "blocks": blocks if blocks is not None else [_section("hello")],
    }


# ----------------------------------------------------------------------------- basics


def test_lifecycle_and_urls() -> None:
    s = FaultyStandIn()
    with pytest.raises(RuntimeError):
        _ = s.api_url
    s.start()
    try:
        assert s.api_url == f"http://127.0.0.1:{s.port}/api/"
        url1, url2 = s.response_url(), s.response_url("cmd")
        assert url1 != url2
        assert url1.startswith(f"http://127.0.0.1:{s.port}/respond/")
        assert "/respond/cmd-" in url2
    finally:
        s.stop()
        s.stop()  # idempotent


def test_auth_test(client: WebClient, standin: FaultyStandIn) -> None:
    resp = client.auth_test()
    assert resp["team_id"] == "T0001"
    assert resp["user_id"] == "UBOT"
    assert resp["bot_id"] == "BBOT"
    assert standin.calls_to("auth.test")[0].token == "xoxb-test"


def test_post_message_recorded(client: WebClient, standin: FaultyStandIn) -> None:
    blocks = [_section("*hi*")]
    r1 = client.chat_postMessage(channel="C123", text="hello", blocks=blocks)
    r2 = client.chat_postMessage(channel="U42", text="dm")
    assert r1["ok"] and r1["channel"] == "C123"
    assert r2["channel"] == "DU42"
    assert float(r2["ts"]) > float(r1["ts"])
    assert r1["message"]["text"] == "hello"

    calls = standin.calls_to("chat.postMessage")
    assert len(calls) == 2
    first = calls[0]
    assert first.args["channel"] == "C123"
    assert first.args["blocks"] == blocks
    assert first.token == "xoxb-test"
    assert first.status == 200
    assert first.response["ts"] == r1["ts"]
    assert first.at <= calls[1].at


def test_form_encoded_args_are_decoded(client: WebClient, standin: FaultyStandIn) -> None:
    blocks = [_section("form")]
    client.api_call(
        "chat.postMessage",
        params={"channel": "C1", "text": "[not json", "blocks": json.dumps(blocks)},
    )
    call = standin.calls_to("chat.postMessage")[0]
    assert call.args["blocks"] == blocks
    assert call.args["text"] == "[not json"


def test_update_delete_ephemeral_conversations_open(
    client: WebClient, standin: FaultyStandIn
) -> None:
    posted = client.chat_postMessage(channel="C1", text="a")
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="b")
    assert updated["ts"] == posted["ts"]
    assert client.chat_delete(channel="C1", ts=posted["ts"])["ok"]
    eph = client.chat_postEphemeral(channel="C1", user="U1", text="psst")
    assert eph["message_ts"]
    assert client.conversations_open(users="U7")["channel"]["id"] == "DU7"
    with pytest.raises(SlackApiError) as info, pytest.warns(UserWarning):
        client.chat_postMessage(channel="C1")
    assert info.value.response["error"] == "no_text"


def test_users_info_returns_tz(client: WebClient, standin: FaultyStandIn) -> None:
    standin.add_user("U1", real_name="Mette Hansen", display_name="mette", email="m@x.dk")
    standin.add_user("U2", tz="Europe/Helsinki", locale="fi-FI")
    user = client.users_info(user="U1")["user"]
    assert user["tz"] == "Europe/Copenhagen"
    expected = datetime.now(ZoneInfo("Europe/Copenhagen")).utcoffset()
    assert expected is not None
    assert user["tz_offset"] == int(expected.total_seconds())
    assert user["locale"] == "da-DK"
    assert user["profile"]["email"] == "m@x.dk"
    assert user["profile"]["display_name"] == "mette"
    assert user["tz_label"].startswith("Central European")
    assert client.users_info(user="U2")["user"]["tz"] == "Europe/Helsinki"
    with pytest.raises(SlackApiError) as info:
        client.users_info(user="UNKNOWN")
    assert info.value.response["error"] == "user_not_found"


def test_usergroups(client: WebClient, standin: FaultyStandIn) -> None:
    standin.add_usergroup("S1", ["U1", "U2"])
    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U1", "U2"]
    with pytest.raises(SlackApiError) as info:
        client.usergroups_users_list(usergroup="S9")
    assert info.value.response["error"] == "no_such_subteam"


def test_unknown_method(client: WebClient, standin: FaultyStandIn) -> None:
    with pytest.raises(SlackApiError) as info:
        client.api_call("reactions.add", json={"name": "tada"})
    assert info.value.response["error"] == "unknown_method"
    assert standin.calls_to("reactions.add")[0].args == {"name": "tada"}


# ----------------------------------------------------------------------------- faults


def test_rate_limit_seen_by_client(client: WebClient, standin: FaultyStandIn) -> None:
    standin.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", text="x")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response["error"] == "ratelimited"
    assert standin.calls_to("chat.postMessage")[0].status == 429
    # the fault is consumed
    assert client.chat_postMessage(channel="C1", text="x")["ok"]


def test_rate_limit_retry_handler_succeeds(standin: FaultyStandIn) -> None:
    client = WebClient(
        token="xoxb-test",
        base_url=standin.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    standin.fail_next("chat.postMessage", retry_after=0)
    resp = client.chat_postMessage(channel="C1", text="eventually")
    assert resp["ok"]
    calls = standin.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]


def test_server_error_injection(client: WebClient, standin: FaultyStandIn) -> None:
    standin.fail_next("*", status=503, times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as info:
            client.auth_test()
        assert info.value.response.status_code == 503
    assert client.auth_test()["ok"]
    assert [c.status for c in standin.calls_to("auth.test")] == [503, 503, 200]


def test_api_error_injection(client: WebClient, standin: FaultyStandIn) -> None:
    standin.fail_next("chat.postMessage", status=200, error="not_in_channel")
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", text="x")
    assert info.value.response.status_code == 200
    assert info.value.response["error"] == "not_in_channel"


def test_failure_rate_is_deterministic(standin: FaultyStandIn) -> None:
    def run() -> list[int]:
        standin.clear()
        standin.set_failure_rate("auth.test", 0.5, status=500, seed=42)
        client = WebClient(token="xoxb-test", base_url=standin.api_url)
        for _ in range(20):
            with contextlib.suppress(SlackApiError):
                client.auth_test()
        return [c.status for c in standin.calls_to("auth.test")]

    first, second = run(), run()
    assert first == second
    assert 0 < first.count(500) < 20
    standin.set_failure_rate("auth.test", 0)
    standin.clear()
    WebClient(token="t", base_url=standin.api_url).auth_test()


def test_latency(client: WebClient, standin: FaultyStandIn) -> None:
    standin.set_latency("auth.test", 0.3)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.3
    standin.reset_faults()
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started < 0.3


# ----------------------------------------------------------------------------- Block Kit


def test_51_blocks_rejected(client: WebClient, standin: FaultyStandIn) -> None:
    blocks = [_section(f"b{i}") for i in range(51)]
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel="C1", text="t", blocks=blocks)
    assert info.value.response["error"] == "invalid_blocks"
    assert len(standin.violations) == 1
    assert "51 blocks (max 50)" in standin.violations[0]
    assert standin.calls_to("chat.postMessage")[0].response["ok"] is False
    # 50 is fine
    assert client.chat_postMessage(channel="C1", text="t", blocks=blocks[:50])["ok"]


def test_modal_title_limit(client: WebClient, standin: FaultyStandIn) -> None:
    with pytest.raises(SlackApiError) as info:
        client.views_open(trigger_id="t1", view=_modal("x" * 25))
    assert info.value.response["error"] == "invalid_blocks"
    assert any("title" in v and "25 chars (max 24)" in v for v in standin.violations)
    resp = client.views_open(trigger_id="t1", view=_modal("x" * 24))
    assert resp["view"]["id"].startswith("V")
    assert resp["view"]["hash"]
    assert resp["view"]["callback_id"] == "cb"


def test_views_update_and_hash_conflict(client: WebClient, standin: FaultyStandIn) -> None:
    opened = client.views_open(trigger_id="t", view=_modal("One"))["view"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=_modal("Two"))
    assert updated["view"]["id"] == opened["id"]
    with pytest.raises(SlackApiError) as info:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=_modal("Three"))
    assert info.value.response["error"] == "hash_conflict"
    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert home["view"]["type"] == "home"


@pytest.mark.parametrize(
    ("blocks", "fragment"),
    [
        ([_section("x" * 3001)], "3001 chars (max 3000)"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "y" * 2001}]}], "fields[0]"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "max 150"),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "a",
                            "text": {"type": "plain_text", "text": "b" * 76},
                        }
                    ],
                }
            ],
            "max 75",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": f"a{i}",
                            "text": {"type": "plain_text", "text": "b"},
                        }
                        for i in range(26)
                    ],
                }
            ],
            "26 elements (max 25)",
        ),
        ([{**_section("x"), "block_id": "i" * 256}], "block_id is 256 chars"),
        ([{**_section("x"), "block_id": "same"}, {**_section("y"), "block_id": "same"}], "dup"),
        ([_section("")], "must not be empty"),
        ([{"type": "sectoin", "text": {"type": "mrkdwn", "text": "x"}}], "unknown block type"),
    ],
)
def test_block_kit_limits(blocks: list[dict[str, Any]], fragment: str) -> None:
    problems = validate_message_blocks(blocks)
    assert problems, blocks
    assert any(fragment in p for p in problems), problems


def test_view_limits() -> None:
    assert validate_view(_modal("ok")) == []
    assert validate_view(_modal("ok", [_section("x")] * 101))
    assert validate_view({"type": "home", "blocks": [_section("x")] * 100}) == []
    input_block = {
        "type": "input",
        "block_id": "i",
        "label": {"type": "plain_text", "text": "Name"},
        "element": {"type": "plain_text_input", "action_id": "v"},
    }
    assert any("submit" in p for p in validate_view(_modal("ok", [input_block])))


# ----------------------------------------------------------------------------- files


def test_files_upload_v2_stores_bytes(client: WebClient, standin: FaultyStandIn) -> None:
    resp = client.files_upload_v2(
        channel="C1",
        content="a,b\n",
        filename="programme.csv",
        title="Programme",
        initial_comment="here you go",
    )
    assert resp["ok"]
    assert resp["file"]["title"] == "Programme"
    assert list(standin.uploaded_files.values()) == [b"a,b\n"]
    [(title, content, complete_args)] = standin.uploads()
    assert (title, content) == ("Programme", b"a,b\n")
    assert complete_args["channel_id"] == "C1"
    assert complete_args["initial_comment"] == "here you go"
    get_url = standin.calls_to("files.getUploadURLExternal")[0]
    assert get_url.args["filename"] == "programme.csv"


# ----------------------------------------------------------------------------- response_url


def test_response_url_posts_recorded(standin: FaultyStandIn) -> None:
    url = standin.response_url()
    webhook = WebhookClient(url)
    resp = webhook.send(text="done", response_type="ephemeral", blocks=[_section("done")])
    assert resp.status_code == 200 and resp.body == "ok"
    [call] = standin.response_posts(url)
    assert call.method == "response_url"
    assert call.args["text"] == "done"
    assert call.args["blocks"] == [_section("done")]
    assert url.endswith(call.args["_url_id"])
    assert standin.response_posts(standin.response_url()) == []

    bad = webhook.send(text="t", blocks=[_section("x")] * 51)
    assert bad.status_code == 400 and bad.body == "invalid_blocks"
    assert "response_url" in standin.violations[0]

    for _ in range(3):
        assert webhook.send(text="again").status_code == 200
    assert webhook.send(text="sixth").status_code == 404  # Slack: 5 uses per URL


# ----------------------------------------------------------------------------- wait_for


def test_wait_for(client: WebClient, standin: FaultyStandIn) -> None:
    def later() -> None:
        time.sleep(0.2)
        client.chat_postMessage(channel="C1", text="one")
        client.chat_postMessage(channel="C2", text="two")

    thread = threading.Thread(target=later)
    thread.start()
    calls = standin.wait_for("chat.postMessage", predicate=lambda c: c.args["channel"] == "C2")
    assert calls[0].args["text"] == "two"
    thread.join()
    with pytest.raises(AssertionError) as info:
        standin.wait_for("chat.postMessage", count=3, timeout=0.2)
    assert "chat.postMessage" in str(info.value) and "got 2" in str(info.value)
    standin.clear()
    assert standin.calls == [] and standin.violations == []


# ----------------------------------------------------------------------------- signed client


def test_signature_format() -> None:
    signed = SignedSlackClient("http://127.0.0.1:1", SECRET)
    body = "token=legacy-token&text=hello+world"
    headers = signed.signed_headers(body)
    ts = headers["X-Slack-Request-Timestamp"]
    sig = headers["X-Slack-Signature"]
    assert sig.startswith("v0=") and len(sig) == 3 + 64
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(body, ts, sig)
    assert verifier.is_valid_request(body, headers)
    assert sig == sign(SECRET, ts, body)
    assert not verifier.is_valid(body + "x", ts, sig)
    wrong = signed.signed_headers(body, secret="other")
    assert not verifier.is_valid(
        body, wrong["X-Slack-Request-Timestamp"], wrong["X-Slack-Signature"]
    )
    stale = signed.signed_headers(body, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, stale)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture()
def bolt_app(standin: FaultyStandIn) -> Iterator[tuple[App, str, list[tuple[str, Any]]]]:
    """A minimal Bolt app served over HTTP, talking to the stand-in."""
    seen: list[tuple[str, Any]] = []
    app = App(
        token="xoxb-test",
        signing_secret=SECRET,
        client=WebClient(token="xoxb-test", base_url=standin.api_url),
    )

    @app.command("/sdg")
    def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        ack()
        seen.append(("command", command))
        respond(f"you said {command['text']}")

    @app.action("approve")
    def on_approve(ack: Any, body: dict[str, Any]) -> None:
        ack()
        seen.append(("action", body))

    @app.action("pick")
    def on_pick(ack: Any, body: dict[str, Any]) -> None:
        ack()
        seen.append(("select", body))

    @app.view("signup")
    def on_submit(ack: Any, view: dict[str, Any]) -> None:
        ack(response_action="errors", errors={"name": "too short"})
        seen.append(("view", view))

    @app.options("goal")
    def on_options(ack: Any, payload: dict[str, Any]) -> None:
        ack(options=[{"text": {"type": "plain_text", "text": "SDG 13"}, "value": "13"}])
        seen.append(("options", payload))

    @app.event("app_mention")
    def on_mention(event: dict[str, Any]) -> None:
        seen.append(("event", event))

    server = make_server(
        "127.0.0.1", 0, SlackRequestHandler(app), _ThreadingWSGIServer, _QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _wait_seen(seen: list[tuple[str, Any]], kind: str) -> Any:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for k, v in seen:
            if k == kind:
                return v
        time.sleep(0.02)
    raise AssertionError(f"{kind} not seen: {seen}")


def test_signed_client_against_bolt(
    standin: FaultyStandIn, bolt_app: tuple[App, str, list[tuple[str, Any]]]
) -> None:
    _, base_url, seen = bolt_app
    slack = SignedSlackClient(base_url, SECRET, standin=standin)

    result = slack.command("hello there", user_id="U9")
    assert result.status == 200, result.body
    assert result.response_url and result.response_url.startswith(standin.base_url)
    [post] = standin.wait_for("response_url")
    assert post.args["text"] == "you said hello there"
    assert standin.response_posts(result.response_url) == [post]
    assert _wait_seen(seen, "command")["user_id"] == "U9"

    assert slack.block_action("approve", "42").status == 200
    body = _wait_seen(seen, "action")
    assert body["actions"][0]["value"] == "42"
    assert body["response_url"].startswith(standin.base_url)

    select = {
        "type": "static_select",
        "action_id": "pick",
        "block_id": "sel",
        "selected_option": {"text": {"type": "plain_text", "text": "Ja"}, "value": "yes"},
        "action_ts": "1.0",
    }
    assert slack.block_action("ignored", action=select, view={"id": "V9"}).status == 200
    picked = _wait_seen(seen, "select")
    assert picked["actions"][0]["selected_option"]["value"] == "yes"
    assert picked["container"] == {"type": "view", "view_id": "V9"}

    values = {"name": {"v": {"type": "plain_text_input", "value": "Al"}}}
    submitted = slack.view_submission("signup", values, private_metadata='{"k":1}')
    assert submitted.status == 200
    assert submitted.json == {"response_action": "errors", "errors": {"name": "too short"}}
    assert _wait_seen(seen, "view")["state"]["values"] == values

    options = slack.block_suggestion("goal", "13")
    assert options.status == 200
    assert options.json["options"][0]["value"] == "13"

    assert slack.url_verification("abc").json == {"challenge": "abc"}

    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "channel": "C1"}
    assert slack.event(event).status == 200
    assert _wait_seen(seen, "event")["text"] == "<@UBOT> hi"


def test_forged_requests_rejected(bolt_app: tuple[App, str, list[tuple[str, Any]]]) -> None:
    _, base_url, seen = bolt_app
    slack = SignedSlackClient(base_url, SECRET)
    body = "command=%2Fsdg&text=hi&user_id=U1&team_id=T0001"
    forged = slack.signed_headers(body, secret="wrong")
    forged["Content-Type"] = "application/x-www-form-urlencoded"
    result = slack.raw(body, forged)
    assert result.status == 401
    assert slack.raw(body, {"Content-Type": "application/x-www-form-urlencoded"}).status == 401
    stale = slack.signed_headers(body, timestamp=int(time.time()) - 3600)
    assert slack.raw(body, stale).status == 401
    assert seen == []
    # without a stand-in, response_urls point at a dead local port (never the internet)
    assert slack.new_response_url() == "http://127.0.0.1:9/respond/dummy"
