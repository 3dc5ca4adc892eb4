"""The Slack-free ``/sdg`` dispatcher: words, aliases, longest match first."""

from __future__ import annotations

import pytest

from bot.commands import COMMANDS, CommandName, UnknownCommand, parse_command


@pytest.mark.parametrize(
    ("text", "name", "argument"),
    [
        ("", CommandName.HELP, ""),
        ("help", CommandName.HELP, ""),
        ("hjælp", CommandName.HELP, ""),
        ("hjelp", CommandName.HELP, ""),
        ("next", CommandName.NEXT, ""),
        ("næste", CommandName.NEXT, ""),
        ("NESTE", CommandName.NEXT, ""),
        ("list", CommandName.LIST, ""),
        ("show 2027-06-10-symposium", CommandName.SHOW, "2027-06-10-symposium"),
        ("register", CommandName.REGISTER, ""),
        ("tilmeld 2027-06-10-symposium", CommandName.REGISTER, "2027-06-10-symposium"),
        ("meld-på k", CommandName.REGISTER, "k"),
        ("meld på k", CommandName.REGISTER, "k"),
        ("afmeld k", CommandName.CANCEL, "k"),
        ("meld-av", CommandName.CANCEL, ""),
        ("cancel k", CommandName.CANCEL, "k"),
        ("cancel-session k", CommandName.CANCEL_SESSION, "k"),
        ("mine", CommandName.MY, ""),
        ("my", CommandName.MY, ""),
        ("language nb", CommandName.LANGUAGE, "nb"),
        ("summary season", CommandName.SUMMARY, "season"),
        ("forget-me", CommandName.FORGET_ME, ""),
        ("glem meg", CommandName.FORGET_ME, ""),
        ("mydata", CommandName.MYDATA, ""),
    ],
)
def test_words_and_aliases(text: str, name: CommandName, argument: str) -> None:
    parsed = parse_command(text)
    assert parsed.name is name
    assert parsed.argument == argument


@pytest.mark.parametrize("text", ["blah", "next extra words", "helpme"])
def test_unknown_words(text: str) -> None:
    with pytest.raises(UnknownCommand):
        parse_command(text)


def test_no_alias_means_two_commands() -> None:
    seen: dict[str, CommandName] = {}
    for spec in COMMANDS:
        for phrase in (spec.name.value, *spec.aliases):
            assert seen.setdefault(phrase, spec.name) is spec.name, phrase


def test_every_command_has_a_word_in_each_language() -> None:
    for spec in COMMANDS:
        for language in ("da", "nb", "en"):
            word = spec.words[language]
            assert parse_command(word).name is spec.name
