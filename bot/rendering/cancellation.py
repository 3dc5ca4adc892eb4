"""Asking before a member gives up their place: one Cancel button, one question.

Every "Cancel registration" button (session card, ``/sdg my``, App Home,
reminder DMs, confirmations, promotion notices) carries the same confirm
dialog naming the session, and the typed ``/sdg cancel`` answers with the
question and that button instead of cancelling at once: a place given up
goes to the waiting list, and registering again means the back of the queue.
"""

from __future__ import annotations

from bot.i18n import Translator
from bot.ids import ActionId, BlockId
from bot.rendering import blocks as bk
from bot.rendering.mrkdwn import clip
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for

_MAX_CONFIRM_TITLE = 100
_MAX_CONFIRM_TEXT = 300
_MAX_TITLE_IN_QUESTION = 150


def cancel_question(title: str, t: Translator) -> str:
    """``Cancel your place at X?`` in the reader's language (plain text, for the dialog)."""
    return t.gettext("Cancel your place at %(title)s?", title=clip(title, _MAX_TITLE_IN_QUESTION))


def cancel_registration_button(key: str, title: str, t: Translator) -> bk.Block:
    confirm = {
        "title": bk.plain(t.gettext("Cancel registration?"), _MAX_CONFIRM_TITLE),
        "text": bk.plain(
            cancel_question(title, t)
            + " "
            + t.gettext("Your seat goes to the first on the waiting list."),
            _MAX_CONFIRM_TEXT,
        ),
        "confirm": bk.plain(t.gettext("Yes, cancel"), 30),
        "deny": bk.plain(t.gettext("No, keep it"), 30),
        "style": "danger",
    }
    return bk.button(
        t.gettext("Cancel registration"),
        ActionId.CANCEL_REGISTRATION,
        key,
        style="danger",
        confirm=confirm,
    )


def cancel_question_reply(key: str, title: str, when: str, t: Translator) -> Reply:
    """The answer to a typed ``/sdg cancel``: the question, and the button that does it."""
    _ = gettext_for(t)
    text = _(
        "Cancel your place at *%(title)s* (%(when)s)?",
        title=clip(title, _MAX_TITLE_IN_QUESTION),
        when=when,
    )
    return Reply(
        cancel_question(title, t),
        [
            bk.section(text),
            bk.context(_("Your seat goes to the first on the waiting list.")),
            bk.actions(cancel_registration_button(key, title, t), block_id=BlockId.REGISTRATION),
        ],
    )
