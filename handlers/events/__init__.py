"""Events API listeners, one module per event."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    from handlers.events import app_home

    app_home.register(app, runtime)
