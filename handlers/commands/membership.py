"""``/sdg membership [SEASON]``: the season membership, what joining costs, Join / Leave."""

from __future__ import annotations

from bot.commands import CommandName
from bot.rendering.membership import membership_reply
from bot.rendering.reply import Reply
from bot.services import membership
from handlers.frame import CommandAnswer, Request


def answer_membership(req: Request, argument: str) -> Reply:
    words = argument.split()
    with req.db() as db:
        status = membership.membership_status(
            db,
            req.team,
            req.user_id,
            req.now,
            req.settings.bot.zone,
            req.settings.fees,
            words[0] if words else None,
        )
    return membership_reply(status, req.t)


ANSWERS: dict[CommandName, CommandAnswer] = {CommandName.MEMBERSHIP: answer_membership}
