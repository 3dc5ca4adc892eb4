"""The ``/sdg`` words: one Slack-free dispatch table with Danish and Norwegian aliases."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CommandName(enum.StrEnum):
    HELP = "help"
    NEXT = "next"
    LIST = "list"
    SHOW = "show"
    REGISTER = "register"
    CANCEL = "cancel"
    MY = "my"
    FEEDBACK = "feedback"
    SUMMARY = "summary"
    EXPORT = "export"
    LANGUAGE = "language"
    PROFILE = "profile"
    MYDATA = "mydata"
    FORGET_ME = "forget-me"
    NEW = "new"
    EDIT = "edit"
    ANNOUNCE = "announce"
    CANCEL_SESSION = "cancel-session"
    MEMBERSHIP = "membership"
    CALENDAR = "calendar"
    REPORT = "report"
    INVOICES = "invoices"


@dataclass(frozen=True)
class CommandSpec:
    name: CommandName
    aliases: tuple[str, ...]
    facilitator_only: bool = False
    takes_argument: bool = False
    da: str = ""
    nb: str = ""

    @property
    def words(self) -> dict[str, str]:
        """The word help shows in each language."""
        return {
            "en": self.name.value,
            "da": self.da or self.name.value,
            "nb": self.nb or self.name.value,
        }


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(CommandName.HELP, ("hjælp", "hjelp", "?"), da="hjælp", nb="hjelp"),
    CommandSpec(CommandName.NEXT, ("næste", "neste"), da="næste", nb="neste"),
    CommandSpec(CommandName.LIST, ("liste", "vis alle", "program"), da="liste", nb="liste"),
    CommandSpec(CommandName.SHOW, ("vis",), takes_argument=True, da="vis", nb="vis"),
    CommandSpec(
        CommandName.REGISTER,
        ("tilmeld", "meld-på", "meld på", "påmeld", "meld-paa"),
        takes_argument=True,
        da="tilmeld",
        nb="meld-på",
    ),
    CommandSpec(
        CommandName.CANCEL,
        ("afmeld", "meld-av", "meld av", "avmeld"),
        takes_argument=True,
        da="afmeld",
        nb="meld-av",
    ),
    CommandSpec(CommandName.MY, ("mine",), da="mine", nb="mine"),
    CommandSpec(
        CommandName.FEEDBACK,
        ("evaluering", "tilbakemelding"),
        takes_argument=True,
        da="evaluering",
        nb="tilbakemelding",
    ),
    CommandSpec(
        CommandName.SUMMARY,
        ("opsummering", "oppsummering", "resumé"),
        facilitator_only=True,
        takes_argument=True,
        da="opsummering",
        nb="oppsummering",
    ),
    CommandSpec(
        CommandName.EXPORT,
        ("eksport", "eksporter"),
        facilitator_only=True,
        takes_argument=True,
        da="eksport",
        nb="eksport",
    ),
    CommandSpec(
        CommandName.LANGUAGE,
        ("sprog", "språk", "lang"),
        takes_argument=True,
        da="sprog",
        nb="språk",
    ),
    CommandSpec(CommandName.PROFILE, ("profil",), da="profil", nb="profil"),
    CommandSpec(
        CommandName.MYDATA,
        ("my data", "mine-data", "mine data", "minedata"),
        da="mine-data",
        nb="mine-data",
    ),
    CommandSpec(
        CommandName.FORGET_ME,
        ("forget me", "glem-mig", "glem mig", "glem-meg", "glem meg"),
        da="glem-mig",
        nb="glem-meg",
    ),
    CommandSpec(CommandName.NEW, ("ny",), facilitator_only=True, da="ny", nb="ny"),
    CommandSpec(
        CommandName.EDIT,
        ("rediger",),
        facilitator_only=True,
        takes_argument=True,
        da="rediger",
        nb="rediger",
    ),
    CommandSpec(
        CommandName.ANNOUNCE,
        ("annoncer", "kunngjør", "kunngjor"),
        facilitator_only=True,
        takes_argument=True,
        da="annoncer",
        nb="kunngjør",
    ),
    CommandSpec(
        CommandName.CANCEL_SESSION,
        ("aflys", "avlys", "aflys-session", "avlys-sesjon"),
        facilitator_only=True,
        takes_argument=True,
        da="aflys",
        nb="avlys",
    ),
    CommandSpec(
        CommandName.MEMBERSHIP,
        ("medlemskab", "medlemskap"),
        takes_argument=True,
        da="medlemskab",
        nb="medlemskap",
    ),
    CommandSpec(
        CommandName.CALENDAR,
        ("kalender",),
        takes_argument=True,
        da="kalender",
        nb="kalender",
    ),
    CommandSpec(
        CommandName.REPORT,
        ("rapport",),
        facilitator_only=True,
        takes_argument=True,
        da="rapport",
        nb="rapport",
    ),
    CommandSpec(
        CommandName.INVOICES,
        ("fakturaer",),
        facilitator_only=True,
        takes_argument=True,
        da="fakturaer",
        nb="fakturaer",
    ),
)


class UnknownCommand(LookupError):
    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


@dataclass(frozen=True)
class ParsedCommand:
    spec: CommandSpec
    argument: str

    @property
    def name(self) -> CommandName:
        return self.spec.name


def _phrases() -> list[tuple[tuple[str, ...], CommandSpec]]:
    table: list[tuple[tuple[str, ...], CommandSpec]] = []
    for spec in COMMANDS:
        for phrase in (spec.name.value, *spec.aliases):
            table.append((tuple(phrase.split()), spec))
    # Longest phrase first, so "meld på" wins over a one-word match and
    # "cancel-session" is never read as "cancel".
    table.sort(key=lambda item: (-len(item[0]), -len(" ".join(item[0]))))
    return table


_PHRASES = _phrases()


def parse_command(text: str) -> ParsedCommand:
    """``"tilmeld 2027-06-10-symposium"`` -> (register, "2027-06-10-symposium").

    Empty text means help.  Raises :class:`UnknownCommand` for anything else.
    """
    words = text.split()
    if not words:
        return ParsedCommand(_spec(CommandName.HELP), "")
    lowered = [w.casefold() for w in words]
    for phrase, spec in _PHRASES:
        if tuple(lowered[: len(phrase)]) == phrase:
            argument = " ".join(words[len(phrase) :])
            if argument and not spec.takes_argument:
                # "next foo" is not "next": say so instead of ignoring words.
                continue
            return ParsedCommand(spec, argument)
    raise UnknownCommand(words[0])


def _spec(name: CommandName) -> CommandSpec:
    return next(spec for spec in COMMANDS if spec.name is name)
