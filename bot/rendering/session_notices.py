"""What registrants are told when a session changes or is cancelled (DMs)."""

from __future__ import annotations

from bot.i18n import Translator
from bot.ids import ActionId
from bot.rendering import blocks as bk
from bot.rendering.mrkdwn import clip, link
from bot.rendering.registration import when_text
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for, render
from bot.services.change_notices import ChangeNotice
from bot.services.registration import SessionSummary

_LINK_LABEL_LENGTH = 100


def _place_text(location: str, t: Translator) -> str:
    """The place as written; the bare word "online" in the member's language."""
    return t.gettext("Online") if location.strip().casefold() in ("", "online") else location


def session_changed_message(notice: ChangeNotice, t: Translator) -> Reply:
    """The DM after a change: old -> new time (in the member's zone), place and link."""
    _ = gettext_for(t)
    session, before = notice.session, notice.before
    text = render(
        "manage_changed.md.j2",
        t,
        n=notice,
        title=session.title,
        new_when=when_text(session, t),
        old_when=when_text(before, t),
        new_place=_place_text(session.location, t),
        old_place=_place_text(before.location, t),
        # Shown by their address, so old and new can be told apart; the new one is a link.
        new_link=link(session.online_url, clip(session.online_url, _LINK_LABEL_LENGTH))
        if session.online_url
        else "",
        old_link=clip(before.online_url, _LINK_LABEL_LENGTH),
    )
    fallback = _("%(title)s has changed.", title=session.title)
    buttons = [bk.button(t.gettext("Show"), ActionId.SHOW_SESSION, session.key)]
    if notice.moved:
        buttons.append(
            bk.button(t.gettext("Add to calendar"), ActionId.ADD_TO_CALENDAR, session.key)
        )
    return Reply(fallback, [bk.section(text), bk.actions(*buttons)])


def session_cancelled_message(session: SessionSummary, t: Translator) -> Reply:
    """The DM when a session is cancelled: an apology, in the member's language."""
    _ = gettext_for(t)
    text = render("manage_cancelled.md.j2", t, title=session.title, when=when_text(session, t))
    fallback = _("%(title)s has been cancelled.", title=session.title)
    return Reply(fallback, [bk.section(text)])
