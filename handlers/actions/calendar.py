"""The Subscribe button of ``/sdg calendar`` opens its URL in Slack; the click only needs an ack."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.ids import ActionId
from bot.runtime import Runtime


def acknowledge(ack: Ack) -> None:
    ack()


def register(app: App, runtime: Runtime) -> None:
    app.action(ActionId.CALENDAR_SUBSCRIBE)(acknowledge)
