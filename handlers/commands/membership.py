"""``/sdg membership``: the member's season membership, what joining costs, Join / Leave."""

from __future__ import annotations

from bot.commands import CommandName
from bot.rendering.membership import membership_reply
from bot.rendering.reply import Reply
from bot.runtime import Runtime
from bot.services import membership
from bot.services.members import Reader
from handlers.commands.base import Answer
from handlers.payloads import CommandInput


def answer_membership(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> Reply:
    team = runtime.team_for(cmd.team_id)
    season_key = argument.split()[0] if argument.split() else None
    with runtime.unit_of_work() as db:
        status = membership.membership_status(
            db,
            team,
            cmd.user_id,
            runtime.clock.now(),
            runtime.settings.bot.zone,
            runtime.settings.fees,
            season_key,
        )
    return membership_reply(status, reader.translator)


ANSWERS: dict[CommandName, Answer] = {CommandName.MEMBERSHIP: answer_membership}
