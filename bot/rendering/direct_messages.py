"""The answer to a member who writes to the bot in a DM: how to talk to it."""

from __future__ import annotations

from collections.abc import Collection

from bot.commands import CommandName
from bot.i18n import Translator
from bot.rendering import blocks as bk
from bot.rendering.reply import Reply
from bot.rendering.sessions import help_reply
from bot.rendering.templates import gettext_for


def direct_message_help(
    t: Translator, *, facilitator: bool, available: Collection[CommandName]
) -> Reply:
    _ = gettext_for(t)
    intro = ":wave: " + _(
        "I only understand /sdg commands, and nobody reads what is written here. "
        "To reach a facilitator, write to them directly."
    )
    help_ = help_reply(t, facilitator=facilitator, available=available)
    return Reply(help_.text, [bk.section(intro), *help_.blocks])
