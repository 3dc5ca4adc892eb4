"""Register and Cancel buttons: session cards, App Home, channel announcements, confirmations.

The answer goes back privately: through the click's response_url (an
ephemeral message, the card itself stays as it is), or, for App Home which
has no response_url, as a DM from the bot, after which the Home tab is
redrawn.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.errors import AttendanceRequired, MembersOnly, ProfileRequired
from bot.ids import ActionId
from bot.models import Attendance
from bot.rendering.home import home_view
from bot.rendering.registration import (
    PendingRegistration,
    attendance_choice_reply,
    cancel_reply,
    outcome_reply,
)
from bot.rendering.reply import Reply
from bot.rendering.sessions import value_of
from bot.services import registration, sessions
from handlers.frame import Frame, Request
from handlers.membership_offer import members_only_answer
from handlers.views.registration import open_profile_modal


def redraw_home_afterwards(req: Request) -> None:
    """A click on App Home: redraw it once the answer is sent (also after an error)."""
    if req.view.get("type") != "home":
        return

    def redraw() -> None:
        with req.db() as db:
            views = sessions.upcoming_sessions(db, req.team, req.runtime.clock.now(), req.user_id)
        view = home_view(
            views,
            req.t,
            currency=req.settings.fees.currency,
            discount=req.settings.fees.extra_participant_discount,
        )
        req.web.views_publish(user_id=req.user_id, view=view)

    req.afterwards.append(redraw)


def registering(attendance: str | None) -> Callable[[Request], Reply | None]:
    def register_click(req: Request) -> Reply | None:
        redraw_home_afterwards(req)
        try:
            with req.write() as db:
                outcome = registration.register_member(
                    db,
                    req.team,
                    req.user_id,
                    value_of(req.value),
                    attendance,
                    req.now,
                    fees=req.settings.fees,
                )
        except ProfileRequired as needed:
            open_profile_modal(
                req,
                pending=PendingRegistration(needed.key, attendance),
                ask_attendance=needed.ask_attendance,
            )
            return None
        except AttendanceRequired as needed:
            return attendance_choice_reply(needed.key, needed.title, req.t)
        except MembersOnly as refused:
            return members_only_answer(req, refused)
        return outcome_reply(outcome, req.t)

    return register_click


def cancel_click(req: Request) -> Reply:
    redraw_home_afterwards(req)
    with req.write() as db:
        outcome = registration.cancel_registration(
            db, req.team, req.user_id, value_of(req.value), req.now
        )
    return cancel_reply(outcome, req.t)


def register(frame: Frame) -> None:
    frame.action(ActionId.REGISTER, registering(None))
    frame.action(ActionId.REGISTER_IN_ROOM, registering(Attendance.ROOM))
    frame.action(ActionId.REGISTER_ONLINE, registering(Attendance.ONLINE))
    frame.action(ActionId.CANCEL_REGISTRATION, cancel_click)
