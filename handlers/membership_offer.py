"""The membership offered where a non-member registers for a members-only session
(command, button, profile modal): one answer for every path."""

from __future__ import annotations

from bot.errors import MembersOnly
from bot.i18n import Translator
from bot.rendering.membership import members_only_reply
from bot.rendering.reply import Reply
from bot.runtime import Runtime
from bot.services import membership


def members_only_answer(
    runtime: Runtime, team: str, user_id: str, refused: MembersOnly, t: Translator
) -> Reply:
    """The answer to registering for a members-only session as a non-member."""
    with runtime.unit_of_work() as db:
        status = membership.membership_status(
            db,
            team,
            user_id,
            runtime.clock.now(),
            runtime.settings.bot.zone,
            runtime.settings.fees,
            refused.season_key,
        )
    return members_only_reply(refused.title, status, refused.key, t)
