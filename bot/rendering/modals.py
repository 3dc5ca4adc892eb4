"""The one modal that only says something (saving, thanks, a refusal, an outcome)."""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator
from bot.rendering import blocks as bk


def notice_modal(text: str, t: Translator, title: str) -> dict[str, Any]:
    """A modal with *text* and a Close button; *title* is a message id (N_)."""
    return {
        "type": "modal",
        "title": bk.plain(t.gettext(title), bk.MAX_MODAL_TITLE),
        "close": bk.plain(t.gettext("Close"), 24),
        "blocks": [bk.section(text)],
    }
