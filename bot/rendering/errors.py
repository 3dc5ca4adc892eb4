"""Error answers: short, private, in the reader's language."""

from __future__ import annotations

from bot.errors import DomainError, FormErrors
from bot.i18n import Translator
from bot.rendering import blocks as bk
from bot.rendering.form_errors import form_errors_reply
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for


def domain_error_reply(
    error: DomainError, t: Translator, suggestions: tuple[str, ...] = ()
) -> Reply:
    if isinstance(error, FormErrors):
        return form_errors_reply(error, t)
    _ = gettext_for(t)
    text = ":warning: " + _(error.message_id, **error.values)
    if suggestions:
        text += "\n" + _(
            "Did you mean %(keys)s?", keys=", ".join(f"`{key}`" for key in suggestions)
        )
    return Reply(text, [bk.section(text)])


def unexpected_error_reply(reference: str, t: Translator) -> Reply:
    """The member's side of an unexpected error: the log line has the same reference."""
    _ = gettext_for(t)
    text = ":warning: " + _(
        "Something went wrong (reference %(reference)s). Please try again; if it keeps "
        "happening, tell a facilitator the reference.",
        reference=reference,
    )
    return Reply(text, [bk.section(text)])
