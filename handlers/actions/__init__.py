"""Button and select listeners, one module per feature."""

from __future__ import annotations

from handlers.frame import Frame


def register(frame: Frame) -> None:
    from handlers.actions import calendar as calendar_actions
    from handlers.actions import colleagues as colleague_actions
    from handlers.actions import feedback as feedback_actions
    from handlers.actions import find
    from handlers.actions import invoicing as invoicing_actions
    from handlers.actions import learning_points as learning_point_actions
    from handlers.actions import manage as manage_actions
    from handlers.actions import membership as membership_actions
    from handlers.actions import offers as offer_actions
    from handlers.actions import privacy as privacy_actions
    from handlers.actions import registration as registration_actions

    find.register(frame)
    registration_actions.register(frame)
    feedback_actions.register(frame)
    manage_actions.register(frame)
    privacy_actions.register(frame)
    learning_point_actions.register(frame)
    membership_actions.register(frame)
    offer_actions.register(frame)
    calendar_actions.register(frame)
    colleague_actions.register(frame)
    invoicing_actions.register(frame)
