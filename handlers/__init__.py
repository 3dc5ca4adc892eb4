"""Slack listeners only: parse the payload, call a service in ``bot``, render, respond."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime


def register_listeners(app: App, runtime: Runtime) -> None:
    from handlers import actions, commands, errors, events, views

    errors.register(app, runtime)
    commands.register(app, runtime)
    actions.register(app, runtime)
    views.register(app, runtime)
    events.register(app, runtime)
