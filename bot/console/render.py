"""Block Kit as readable terminal text; buttons get numbers a person can type."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

# Every emoji code the bot writes (a test keeps this complete), and a few more.
EMOJI = {
    ":arrows_counterclockwise:": "🔄",
    ":bar_chart:": "📊",
    ":bell:": "🔔",
    ":bulb:": "💡",
    ":bust_in_silhouette:": "👤",
    ":busts_in_silhouette:": "👥",
    ":calendar:": "📆",
    ":clipboard:": "📋",
    ":computer:": "💻",
    ":date:": "📅",
    ":earth_africa:": "🌍",
    ":email:": "📧",
    ":envelope:": "✉️",
    ":grey_question:": "❔",
    ":handshake:": "🤝",
    ":heavy_check_mark:": "✔️",
    ":hourglass:": "⏳",
    ":hourglass_flowing_sand:": "⏳",
    ":inbox_tray:": "📥",
    ":information_source:": "ℹ️",
    ":link:": "🔗",
    ":lock:": "🔒",
    ":mega:": "📣",
    ":memo:": "📝",
    ":money_with_wings:": "💸",
    ":moneybag:": "💰",
    ":no_entry:": "⛔",
    ":no_entry_sign:": "🚫",
    ":ok_hand:": "👌",
    ":page_facing_up:": "📄",
    ":pushpin:": "📌",
    ":receipt:": "🧾",
    ":red_circle:": "🔴",
    ":round_pushpin:": "📍",
    ":speech_balloon:": "💬",
    ":star:": "⭐",
    ":tada:": "🎉",
    ":ticket:": "🎫",
    ":warning:": "⚠️",
    ":wastebasket:": "🗑️",
    ":wave:": "👋",
    ":white_check_mark:": "✅",
    ":x:": "❌",
}


@dataclass
class Choice:
    """A button the person can press by typing its number."""

    number: int
    label: str
    action: dict[str, Any]
    block_id: str
    source: dict[str, Any] = field(default_factory=dict)


def mrkdwn_to_text(text: str) -> str:
    text = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"<@([A-Z0-9]+)>", r"@\1", text)
    text = re.sub(r"<#([A-Z0-9]+)(\|[^>]*)?>", r"#\1", text)
    for code, symbol in EMOJI.items():
        text = text.replace(code, symbol)
    return html.unescape(text)


def _text_of(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    text = obj.get("text", "")
    return mrkdwn_to_text(text) if obj.get("type") == "mrkdwn" else text


class BlockPrinter:
    """Turns messages and views into lines, numbering every button."""

    def __init__(self) -> None:
        self.choices: dict[int, Choice] = {}
        self._next = 1

    def reset(self) -> None:
        self.choices.clear()
        self._next = 1

    def _choice(self, element: dict[str, Any], block_id: str, source: dict[str, Any]) -> str:
        number = self._next
        self._next += 1
        label = _text_of(element.get("text"))
        self.choices[number] = Choice(number, label, element, block_id, source)
        if element.get("url"):
            return f"[{number}] {label} → {element['url']}"
        return f"[{number}] {label}"

    def message(self, message: dict[str, Any], source: dict[str, Any] | None = None) -> list[str]:
        blocks = message.get("blocks") or []
        if not blocks:
            return [mrkdwn_to_text(message.get("text", ""))]
        return self.blocks(blocks, source or {"kind": "message", "message": message})

    def blocks(self, blocks: list[dict[str, Any]], source: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        for block in blocks:
            kind = block.get("type")
            block_id = block.get("block_id", "")
            if kind == "header":
                title = _text_of(block.get("text"))
                lines += ["", title, "=" * min(len(title), 72)]
            elif kind == "section":
                if block.get("text"):
                    lines += _text_of(block["text"]).splitlines()
                for field_obj in block.get("fields") or []:
                    lines.append(_text_of(field_obj))
                accessory = block.get("accessory")
                if accessory and accessory.get("type") == "button":
                    lines.append("    " + self._choice(accessory, block_id, source))
            elif kind == "context":
                lines.append("  " + "  ".join(_text_of(e) for e in block.get("elements", [])))
            elif kind == "divider":
                lines.append("-" * 40)
            elif kind == "actions":
                buttons = [
                    self._choice(e, block_id, source)
                    for e in block.get("elements", [])
                    if e.get("type") == "button"
                ]
                lines.append("  ".join(buttons))
            elif kind == "image":
                lines.append(f"[image: {block.get('alt_text', '')}]")
        return lines
