"""What a listener sends back: text (notification fallback) and blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reply:
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    public: bool = False
    # A button's answer: replace the message that was clicked (so its buttons
    # cannot be pressed again) instead of adding one beside it.
    replace_original: bool = False

    def as_message(self) -> dict[str, Any]:
        message: dict[str, Any] = {"text": self.text}
        if self.blocks:
            message["blocks"] = self.blocks
        message["response_type"] = "in_channel" if self.public else "ephemeral"
        return message
