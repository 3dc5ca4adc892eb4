"""Views listeners."""

from __future__ import annotations

from handlers.frame import Frame


def register(frame: Frame) -> None:
    from handlers.views import companions as companion_views
    from handlers.views import feedback as feedback_views
    from handlers.views import invoice_details as invoice_details_views
    from handlers.views import learning_points as learning_point_views
    from handlers.views import manage as manage_views
    from handlers.views import registration as registration_views

    registration_views.register(frame)
    feedback_views.register(frame)
    manage_views.register(frame)
    learning_point_views.register(frame)
    companion_views.register(frame)
    invoice_details_views.register(frame)
