"""``app_home_opened``: publish the member's Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.rendering.home import home_view
from bot.runtime import Runtime
from bot.services import sessions
from handlers.profile import fresh_reader


def register(app: App, runtime: Runtime) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def publish_home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = event["user"]
        team = runtime.team_for(body.get("team_id"))
        reader = fresh_reader(client, runtime, team, user_id)
        with runtime.unit_of_work() as db:
            views = sessions.upcoming_sessions(db, team, runtime.clock.now(), user_id)
        client.views_publish(
            user_id=user_id,
            view=home_view(views, reader.translator, currency=runtime.settings.fees.currency),
        )

    app.event("app_home_opened")(ack=acknowledge, lazy=[publish_home])
