"""``/sdg calendar [reset]``: the member's private calendar feed address."""

from __future__ import annotations

from bot.calendar_feed import feed_url
from bot.commands import CommandName
from bot.errors import MissingArgument
from bot.rendering.calendar_links import calendar_link_reply, calendar_unavailable_reply
from bot.rendering.reply import Reply
from bot.runtime import Runtime
from bot.services.calendar_links import calendar_token, reset_calendar_token
from bot.services.members import Reader
from handlers.commands.base import Answer
from handlers.payloads import CommandInput

RESET_WORDS = frozenset({"reset", "nulstil", "nullstill", "ny", "new"})


def answer_calendar(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> Reply:
    word = argument.strip().casefold()
    if word and word not in RESET_WORDS:
        raise MissingArgument(usage="/sdg calendar [reset]")
    if not runtime.settings.bot.public_url:
        return calendar_unavailable_reply(reader.translator)
    team = runtime.team_for(cmd.team_id)
    now = runtime.clock.now()
    with runtime.unit_of_work(write=True) as db:
        if word:
            token = reset_calendar_token(db, team, cmd.user_id, now)
        else:
            token = calendar_token(db, team, cmd.user_id, now)
    return calendar_link_reply(reader.translator, feed_url(runtime, token), replaced=bool(word))


ANSWERS: dict[CommandName, Answer] = {CommandName.CALENDAR: answer_calendar}
