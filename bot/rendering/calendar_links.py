"""The answer to ``/sdg calendar``: the member's private feed address."""

from __future__ import annotations

from bot.i18n import Translator
from bot.ids import ActionId
from bot.rendering import blocks as bk
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for


def calendar_link_reply(t: Translator, url: str, *, replaced: bool = False) -> Reply:
    _ = gettext_for(t)
    lines = [
        ":calendar: "
        + (
            _("Your calendar address is new; the old one no longer works.")
            if replaced
            else _("Your private calendar address:")
        ),
        f"`{url}`",
        _(
            "Add it to your calendar app as a subscription (\u201cFrom URL\u201d / "
            "\u201cSubscribe\u201d): it shows the programme, with the online link of "
            "each session you are registered for."
        ),
        _(
            "The address is yours alone; do not share it. "
            "If it has leaked, /sdg calendar reset gives you a new one."
        ),
    ]
    text = "\n".join(lines)
    subscribe = bk.button(_("Subscribe"), ActionId.CALENDAR_SUBSCRIBE, url=url, style="primary")
    return Reply(text, [bk.section(text), bk.actions(subscribe)])


def calendar_unavailable_reply(t: Translator) -> Reply:
    _ = gettext_for(t)
    text = ":calendar: " + _(
        "Calendar subscriptions are not set up for this workspace yet. "
        "Use \u201cAdd to calendar\u201d on a session instead."
    )
    return Reply(text, [bk.section(text)])
