"""Views listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    from handlers.views import feedback as feedback_views
    from handlers.views import learning_points as learning_point_views
    from handlers.views import manage as manage_views
    from handlers.views import registration as registration_views

    registration_views.register(app, runtime)
    feedback_views.register(app, runtime)
    manage_views.register(app, runtime)
    learning_point_views.register(app, runtime)
