"""Button and select listeners, one module per feature."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    from handlers.actions import find

    find.register(app, runtime)
