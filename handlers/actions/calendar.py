"""The Subscribe button of ``/sdg calendar``: Slack opens its URL; the click needs only an ack."""

from __future__ import annotations

from bot.ids import ActionId
from bot.rendering.reply import Reply
from handlers.frame import Frame, Request


def opened_in_browser(req: Request) -> Reply | None:
    return None


def register(frame: Frame) -> None:
    frame.action(ActionId.CALENDAR_SUBSCRIBE, opened_in_browser, refresh_profile=False)
