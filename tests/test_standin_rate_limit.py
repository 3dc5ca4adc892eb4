"""The Web API stand-in's rate limit: N calls in any second, 429 with Retry-After beyond."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from tests.support.faulty_standin import FaultyStandIn


def post(standin: FaultyStandIn) -> tuple[int, str | None]:
    request = urllib.request.Request(
        standin.api_url + "chat.postMessage",
        data=json.dumps({"channel": "U1", "text": "hi"}).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer xoxb-1"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, None
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers.get("Retry-After")


def test_calls_beyond_the_limit_get_429_until_the_second_has_passed(
    standin: FaultyStandIn,
) -> None:
    standin.limit_rate("chat.postMessage", 3)
    answers = [post(standin) for _ in range(5)]
    assert answers == [(200, None)] * 3 + [(429, "1")] * 2
    time.sleep(1.05)
    assert post(standin) == (200, None)
    standin.limit_rate("chat.postMessage", 0)
    assert [post(standin)[0] for _ in range(5)] == [200] * 5
    assert [c.status for c in standin.calls_to("chat.postMessage")].count(429) == 2
