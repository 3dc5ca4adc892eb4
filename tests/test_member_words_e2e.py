"""Words in the member's language everywhere, over signed HTTP: placeholders and usage
hints with the member's own command words, `/sdg language` alone, short echoes, the
Norwegian alias, single punctuation after a title, and the catalogs' wording."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.commands import CommandName, parse_command
from bot.config import Settings
from bot.i18n import Translator
from bot.sandbox.slack_standin import SlackStandIn
from tests.conftest import SAMPLE_PROGRAMME, ImportText
from tests.support.conversation import answer_of, text_of
from tests.support.signed_client import SignedSlackClient

LOCALES = Path(__file__).parent.parent / "bot" / "locales"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, bot=dataclasses.replace(settings.bot, facilitators=("U0FAC",))
    )


@pytest.fixture(autouse=True)
def world(import_programme_text: ImportText, standin: SlackStandIn) -> None:
    import_programme_text(SAMPLE_PROGRAMME)
    standin.add_user("U0DA", locale="da-DK")
    standin.add_user("U0NB", locale="nb-NO")
    standin.add_user("U0FAC", locale="nb-NO")


def said(slack: SignedSlackClient, standin: SlackStandIn, text: str, user: str) -> str:
    return text_of(answer_of(slack.command(text, user_id=user), standin))


def test_usage_hints_and_help_use_the_members_words(
    slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    assert "Skriv det sådan her: /sdg vis NØGLE" in said(slack, standin, "vis", "U0DA")
    assert "Skriv det slik: /sdg vis NØKKEL" in said(slack, standin, "vis", "U0NB")
    assert "Skriv det slik: /sdg kunngjør NØKKEL" in said(slack, standin, "annonser", "U0FAC")
    danish_help = said(slack, standin, "hjælp", "U0DA")
    assert "`/sdg vis` NØGLE:" in danish_help and "[NØGLE]" in danish_help
    assert "KEY" not in danish_help
    norwegian_help = said(slack, standin, "hjelp", "U0FAC")
    assert "NØKKEL|sesong" in norwegian_help and "KEY" not in norwegian_help


def test_the_lists_show_lines_use_the_members_command_word(
    slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    listed = said(slack, standin, "liste", "U0DA")
    assert "/sdg vis 2027-06-10-symposium" in listed and "/sdg show" not in listed


def test_language_alone_says_the_current_one(
    slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    assert "Jeg svarer dig på dansk. Sådan skifter du sprog: /sdg sprog da|nb|en" in said(
        slack, standin, "sprog", "U0DA"
    )
    assert "Jeg svarer deg på norsk." in said(slack, standin, "språk", "U0NB")


def test_echoed_words_are_cut_short(slack: SignedSlackClient, standin: SlackStandIn) -> None:
    long_key = "x" * 300
    answer = said(slack, standin, f"vis {long_key}", "U0DA")
    echoed = re.search(r"nøglen (x+…)", answer)
    assert echoed and len(echoed.group(1)) == 40, answer
    unknown = said(slack, standin, "y" * 300, "U0DA")
    assert "y" * 40 not in unknown and "y" * 39 + "…" in unknown


def test_the_norwegian_alias_annonser() -> None:
    assert parse_command("annonser 2027-06-10-symposium").name is CommandName.ANNOUNCE


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("da", "Tak fordi du deltog i Hvad lærte vi i år?"),
        ("en", "Thank you for taking part in Hvad lærte vi i år?"),
    ],
)
def test_no_doubled_punctuation_after_a_title(language: str, expected: str) -> None:
    t = Translator(language, "Europe/Copenhagen")
    text = t.gettext("Thank you for taking part in %(title)s!", title="Hvad lærte vi i år?")
    assert text == expected
    bold = t.gettext("Thank you for taking part in %(title)s!", title="*Nu!*")
    assert bold.endswith("*Nu!*")


def msgstrs(language: str) -> str:
    texts = []
    for path in sorted((LOCALES / language).glob("*.po")):
        entries = path.read_text(encoding="utf-8").split("\n\n")
        for entry in entries:
            _id, _, rest = entry.partition("msgstr")
            texts.append(" ".join(re.findall(r'"(.*)"', rest)))
    return "\n".join(texts)


def test_the_catalogs_wording() -> None:
    danish, norwegian = msgstrs("da"), msgstrs("nb")
    assert not re.search(r"\barrangement", norwegian)  # one word for a session: samling
    assert "“" not in norwegian and "”" not in norwegian  # «» in bokmål
    assert "det det" not in norwegian and "det det" not in danish
    assert "Deltakeravgift (%(currency)s)" in norwegian
    for text in (danish, norwegian):
        assert "I salen" not in text and "på nett" not in text and "Fysisk" in text
    for sentence in danish.splitlines():
        assert len(re.findall(r"\bså\b", sentence.split(".")[0])) < 2, sentence
