"""``app_home_opened``: publish the member's Home tab."""

from __future__ import annotations

from bot.rendering.home import home_view
from bot.services import sessions
from handlers.frame import Frame, Request


def publish_home(req: Request) -> None:
    if (req.event.get("tab") or "home") != "home":
        return
    with req.db() as db:
        views = sessions.upcoming_sessions(db, req.team, req.now, req.user_id)
    view = home_view(
        views,
        req.t,
        currency=req.settings.fees.currency,
        discount=req.settings.fees.extra_participant_discount,
    )
    req.web.views_publish(user_id=req.user_id, view=view)


def register(frame: Frame) -> None:
    frame.event("app_home_opened", publish_home)
