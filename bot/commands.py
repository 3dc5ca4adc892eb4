"""The ``/sdg`` words: one Slack-free dispatch table with Danish and Norwegian aliases."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.i18n import N_


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
    """One ``/sdg`` word: its aliases, who may use it, and its line in the help.

    ``help`` is an English message id (translated in the catalogs); it is
    required, so a new word cannot be added without its help line.
    """

    name: CommandName
    aliases: tuple[str, ...]
    help: str
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
    CommandSpec(
        CommandName.HELP, ("hjælp", "hjelp", "?"), help=N_("this help"), da="hjælp", nb="hjelp"
    ),
    CommandSpec(
        CommandName.NEXT,
        ("næste", "neste"),
        help=N_("the next session, with agenda and speakers"),
        da="næste",
        nb="neste",
    ),
    CommandSpec(
        CommandName.LIST,
        ("liste", "vis alle", "program"),
        help=N_("all upcoming sessions"),
        da="liste",
        nb="liste",
    ),
    CommandSpec(
        CommandName.SHOW,
        ("vis",),
        help=N_("KEY: one session in full"),
        takes_argument=True,
        da="vis",
        nb="vis",
    ),
    CommandSpec(
        CommandName.REGISTER,
        ("tilmeld", "meld-på", "meld på", "påmeld", "meld-paa"),
        help=N_("[KEY]: register (default: the next session)"),
        takes_argument=True,
        da="tilmeld",
        nb="meld-på",
    ),
    CommandSpec(
        CommandName.CANCEL,
        ("afmeld", "meld-av", "meld av", "avmeld"),
        help=N_("[KEY]: cancel your registration"),
        takes_argument=True,
        da="afmeld",
        nb="meld-av",
    ),
    CommandSpec(
        CommandName.MY,
        ("mine",),
        help=N_("your registrations and waiting-list places"),
        da="mine",
        nb="mine",
    ),
    CommandSpec(
        CommandName.FEEDBACK,
        ("evaluering", "tilbakemelding"),
        help=N_("[KEY]: give feedback on a session you took part in"),
        takes_argument=True,
        da="evaluering",
        nb="tilbakemelding",
    ),
    CommandSpec(
        CommandName.SUMMARY,
        ("opsummering", "oppsummering", "resumé"),
        help=N_("KEY|season: feedback summary"),
        facilitator_only=True,
        takes_argument=True,
        da="opsummering",
        nb="oppsummering",
    ),
    CommandSpec(
        CommandName.EXPORT,
        ("eksport", "eksporter"),
        help=N_("KEY: registrations and feedback as Excel and CSV"),
        facilitator_only=True,
        takes_argument=True,
        da="eksport",
        nb="eksport",
    ),
    CommandSpec(
        CommandName.LANGUAGE,
        ("sprog", "språk", "lang"),
        help=N_("da|nb|en: the language I answer you in"),
        takes_argument=True,
        da="sprog",
        nb="språk",
    ),
    CommandSpec(
        CommandName.PROFILE,
        ("profil",),
        help=N_("your name, organisation and role"),
        da="profil",
        nb="profil",
    ),
    CommandSpec(
        CommandName.MYDATA,
        ("my data", "mine-data", "mine data", "minedata"),
        help=N_("everything stored about you, as a file"),
        da="mine-data",
        nb="mine-data",
    ),
    CommandSpec(
        CommandName.FORGET_ME,
        ("forget me", "glem-mig", "glem mig", "glem-meg", "glem meg"),
        help=N_("erase your personal data"),
        da="glem-mig",
        nb="glem-meg",
    ),
    CommandSpec(
        CommandName.NEW,
        ("ny",),
        help=N_("create a session"),
        facilitator_only=True,
        da="ny",
        nb="ny",
    ),
    CommandSpec(
        CommandName.EDIT,
        ("rediger",),
        help=N_("KEY: edit a session"),
        facilitator_only=True,
        takes_argument=True,
        da="rediger",
        nb="rediger",
    ),
    CommandSpec(
        CommandName.ANNOUNCE,
        ("annoncer", "annonser", "kunngjør", "kunngjor"),
        help=N_("KEY: post a session to a channel"),
        facilitator_only=True,
        takes_argument=True,
        da="annoncer",
        nb="kunngjør",
    ),
    CommandSpec(
        CommandName.CANCEL_SESSION,
        ("aflys", "avlys", "aflys-session", "avlys-sesjon"),
        help=N_("KEY: cancel a session and tell its registrants"),
        facilitator_only=True,
        takes_argument=True,
        da="aflys",
        nb="avlys",
    ),
    CommandSpec(
        CommandName.MEMBERSHIP,
        ("medlemskab", "medlemskap"),
        help=N_("your season membership: join or leave"),
        takes_argument=True,
        da="medlemskab",
        nb="medlemskap",
    ),
    CommandSpec(
        CommandName.CALENDAR,
        ("kalender",),
        help=N_("[reset]: your private calendar link"),
        takes_argument=True,
        da="kalender",
        nb="kalender",
    ),
    CommandSpec(
        CommandName.REPORT,
        ("rapport",),
        help=N_("[SEASON]: the season report as a PDF"),
        facilitator_only=True,
        takes_argument=True,
        da="rapport",
        nb="rapport",
    ),
    CommandSpec(
        CommandName.INVOICES,
        ("fakturaer",),
        help=N_(
            "[SEASON]: the invoice basis and an e-invoice per organisation; "
            "details ORGANISATION: its EAN or organisation number"
        ),
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


def spec_of(name: CommandName) -> CommandSpec:
    """The dispatch table's entry for *name*."""
    return _spec(name)
