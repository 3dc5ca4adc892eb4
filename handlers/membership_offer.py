"""The membership offered where a non-member registers for a members-only session
(command, button, profile modal): one answer for every path."""

from __future__ import annotations

from bot.errors import MembersOnly
from bot.rendering.membership import members_only_reply
from bot.rendering.reply import Reply
from bot.services import membership
from handlers.frame import Request


def members_only_answer(req: Request, refused: MembersOnly) -> Reply:
    """The answer to registering for a members-only session as a non-member."""
    with req.db() as db:
        status = membership.membership_status(
            db,
            req.team,
            req.user_id,
            req.now,
            req.settings.bot.zone,
            req.settings.fees,
            refused.season_key,
        )
    return members_only_reply(refused.title, status, refused.key, req.t)
