"""Small typed inputs parsed from Slack payloads, so listeners stay short."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CommandInput:
    team_id: str
    user_id: str
    text: str
    channel_id: str
    trigger_id: str
    response_url: str

    @classmethod
    def from_payload(cls, command: dict[str, Any]) -> CommandInput:
        return cls(
            team_id=command.get("team_id", ""),
            user_id=command.get("user_id", ""),
            text=(command.get("text") or "").strip(),
            channel_id=command.get("channel_id", ""),
            trigger_id=command.get("trigger_id", ""),
            response_url=command.get("response_url", ""),
        )


@dataclass(frozen=True)
class ActionInput:
    team_id: str
    user_id: str
    action_id: str
    value: str
    channel_id: str
    trigger_id: str
    response_url: str
    in_view: bool

    @classmethod
    def from_payload(cls, body: dict[str, Any], action: dict[str, Any]) -> ActionInput:
        team = body.get("team") or {}
        user = body.get("user") or {}
        channel = body.get("channel") or {}
        value = action.get("value")
        if value is None and action.get("selected_option"):
            value = action["selected_option"].get("value")
        return cls(
            team_id=team.get("id") or user.get("team_id", ""),
            user_id=user.get("id", ""),
            action_id=action.get("action_id", ""),
            value=value or "",
            channel_id=channel.get("id", ""),
            trigger_id=body.get("trigger_id", ""),
            response_url=body.get("response_url", ""),
            in_view=body.get("view") is not None
            and body.get("container", {}).get("type") == "view",
        )
