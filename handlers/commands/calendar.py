"""``/sdg calendar [reset]``: the member's private calendar feed address."""

from __future__ import annotations

from bot.calendar_feed import feed_url
from bot.commands import CommandName
from bot.errors import MissingArgument
from bot.rendering.calendar_links import calendar_link_reply, calendar_unavailable_reply
from bot.rendering.reply import Reply
from bot.services.calendar_links import calendar_token, reset_calendar_token
from handlers.frame import CommandAnswer, Request

RESET_WORDS = frozenset({"reset", "nulstil", "nullstill"})


def answer_calendar(req: Request, argument: str) -> Reply:
    word = argument.strip().casefold()
    if word and word not in RESET_WORDS:
        raise MissingArgument(usage="/sdg calendar [reset]")
    if not req.settings.bot.public_url:
        return calendar_unavailable_reply(req.t)
    with req.write() as db:
        if word:
            token = reset_calendar_token(db, req.team, req.user_id, req.now)
        else:
            token = calendar_token(db, req.team, req.user_id, req.now)
    return calendar_link_reply(req.t, feed_url(req.runtime, token), replaced=bool(word))


ANSWERS: dict[CommandName, CommandAnswer] = {CommandName.CALENDAR: answer_calendar}
