"""The "Cancel the session" button under ``/sdg cancel-session KEY``'s question.

The button carries Slack's own confirm dialog; it is a facilitator listener,
so the frame confirms the facilitator with Slack before it runs (a forged
click from anyone else is refused and changes nothing).  Pressing it twice
changes nothing the second time and says the session was already cancelled.
"""

from __future__ import annotations

from dataclasses import replace

from bot.ids import ActionId
from bot.rendering.manage import cancelled_reply
from bot.rendering.reply import Reply
from bot.services import manage
from handlers.frame import Frame, Request


def cancel_session(req: Request) -> Reply:
    with req.write() as db:
        outcome = manage.cancel_session(db, req.team, req.value, req.now)
    # The answer replaces the question, so its button cannot be pressed again.
    return replace(cancelled_reply(outcome, req.t), replace_original=True)


def register(frame: Frame) -> None:
    frame.action(ActionId.CONFIRM_CANCEL_SESSION, cancel_session, facilitator=True)
