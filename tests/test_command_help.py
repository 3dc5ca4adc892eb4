"""Help lives on each word's entry in the dispatch table: adding a word is one entry."""

from __future__ import annotations

import pytest

from bot.commands import COMMANDS, CommandName
from bot.i18n import Translator, translations
from bot.rendering.sessions import help_reply
from tests.support.conversation import text_of


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_help_shows_every_available_word_with_its_own_help_line(language: str) -> None:
    t = Translator(language, "Europe/Copenhagen")
    reply = help_reply(t, facilitator=True, available=set(CommandName))
    shown = text_of({"blocks": reply.blocks})
    for spec in COMMANDS:
        assert spec.words[language] in shown, spec.name
        assert t.gettext(spec.help) in shown, spec.name


@pytest.mark.parametrize("language", ["da", "nb"])
def test_every_help_line_is_translated(language: str) -> None:
    catalog = translations(language)
    untranslated = [s.name.value for s in COMMANDS if catalog.gettext(s.help) == s.help]
    assert untranslated == []


def test_the_new_words_have_their_help_lines() -> None:
    helps = {spec.name: spec.help for spec in COMMANDS}
    for name in (
        CommandName.MEMBERSHIP,
        CommandName.CALENDAR,
        CommandName.REPORT,
        CommandName.INVOICES,
    ):
        assert helps[name], name
