"""Button and select listeners, one module per feature."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    from handlers.actions import feedback as feedback_actions
    from handlers.actions import find
    from handlers.actions import manage as manage_actions
    from handlers.actions import membership as membership_actions
    from handlers.actions import offers as offer_actions
    from handlers.actions import privacy as privacy_actions
    from handlers.actions import registration as registration_actions

    find.register(app, runtime)
    registration_actions.register(app, runtime)
    feedback_actions.register(app, runtime)
    manage_actions.register(app, runtime)
    privacy_actions.register(app, runtime)
    membership_actions.register(app, runtime)
    offer_actions.register(app, runtime)
