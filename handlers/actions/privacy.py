"""The forget-me buttons: "Erase my data" (behind Slack's confirm dialog) and "Keep my data".

Who is erased is always the user who clicked, from the payload's ``user``.
The button's value only names the member the question was made for: a
click by anyone else (a forwarded or forged payload) erases nothing.  No
users.info here (``refresh_profile=False``): it would store a Slack profile
again just before erasing it.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.ids import ActionId
from bot.rendering.privacy import erased_reply, kept_reply, not_your_button_reply
from bot.rendering.reply import Reply
from bot.services import erasure
from handlers.frame import Frame, Request

log = logging.getLogger(__name__)


def _made_for_clicker(req: Request) -> bool:
    if req.value != req.user_id:
        log.warning("a forget-me button was pressed by someone it was not made for")
        return False
    return True


def erase_my_data(req: Request) -> Reply:
    if not _made_for_clicker(req):
        return not_your_button_reply(req.t)
    with req.write() as db:
        outcome = erasure.erase_member(db, req.team, req.user_id, req.now)
    log.info(
        "a member erased their data: %d registrations cancelled, %d promoted, "
        "%d kept as counts, %d answers detached, %d messages removed",
        len(outcome.cancelled),
        len(outcome.promoted),
        outcome.past,
        outcome.feedback,
        outcome.messages,
    )
    # A finished answer takes the question's place, so its buttons cannot be pressed again.
    return replace(erased_reply(outcome, req.t), replace_original=True)


def keep_my_data(req: Request) -> Reply:
    if not _made_for_clicker(req):
        return not_your_button_reply(req.t)
    return replace(kept_reply(req.t), replace_original=True)


def register(frame: Frame) -> None:
    frame.action(ActionId.FORGET_ME_CONFIRM, erase_my_data, refresh_profile=False)
    frame.action(ActionId.FORGET_ME_KEEP, keep_my_data, refresh_profile=False)
