"""Reading the bot's answer, wherever it went: the ack body or the response_url."""

from __future__ import annotations

from typing import Any

from bot.sandbox.slack_standin import SlackStandIn
from tests.support.signed_client import HttpResult


def answer_of(result: HttpResult, standin: SlackStandIn, timeout: float = 10.0) -> dict[str, Any]:
    """The message the member sees for a slash command or action."""
    assert result.status == 200, f"HTTP {result.status}: {result.body}"
    body = result.json
    if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
        return body
    assert result.response_url, "no answer in the ack body and no response_url"
    posts = standin.wait_for(
        "response_url",
        timeout=timeout,
        predicate=lambda call: call.args.get("_url_id") == result.response_url.rsplit("/", 1)[-1],
    )
    return posts[-1].args


def text_of(message: dict[str, Any]) -> str:
    """All visible text of a message: its blocks' texts and button labels."""
    parts: list[str] = [message.get("text", "")]
    for block in message.get("blocks") or []:
        parts.extend(_texts(block))
    return "\n".join(p for p in parts if p)


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = []
        if isinstance(node.get("text"), str):
            found.append(node["text"])
        for value in node.values():
            if isinstance(value, dict | list):
                found.extend(_texts(value))
        return found
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


def buttons_of(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """action_id -> button element."""
    found: dict[str, dict[str, Any]] = {}
    for block in message.get("blocks") or []:
        elements = block.get("elements") or []
        if block.get("accessory"):
            elements = [*elements, block["accessory"]]
        for element in elements:
            if element.get("type") == "button":
                found[element["action_id"]] = element
    return found
