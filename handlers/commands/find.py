"""Finding sessions: help, next, list, show, language."""

from __future__ import annotations

from bot.commands import CommandName
from bot.errors import MissingArgument, NoUpcomingSession
from bot.i18n import Translator
from bot.rendering.reply import Reply
from bot.rendering.sessions import message_reply, session_list_reply, session_reply
from bot.rendering.templates import gettext_for
from bot.runtime import Runtime
from bot.services import members, sessions
from bot.services.members import Reader
from handlers.commands.base import Answer
from handlers.payloads import CommandInput


def answer_next(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> Reply:
    team = runtime.team_for(cmd.team_id)
    with runtime.unit_of_work() as db:
        view = sessions.next_session(db, team, runtime.clock.now(), cmd.user_id)
    if view is None:
        raise NoUpcomingSession()
    return session_reply(view, reader.translator, currency=runtime.settings.fees.currency)


def answer_list(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> Reply:
    team = runtime.team_for(cmd.team_id)
    with runtime.unit_of_work() as db:
        views = sessions.upcoming_sessions(db, team, runtime.clock.now(), cmd.user_id)
    return session_list_reply(views, reader.translator, currency=runtime.settings.fees.currency)


def answer_show(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> Reply:
    if not argument:
        raise MissingArgument(usage="/sdg show KEY")
    team = runtime.team_for(cmd.team_id)
    with runtime.unit_of_work() as db:
        view = sessions.session_by_key(db, team, argument.split()[0], cmd.user_id)
    return session_reply(view, reader.translator, currency=runtime.settings.fees.currency)


def answer_language(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> Reply:
    if not argument:
        raise MissingArgument(usage="/sdg language da|nb|en")
    team = runtime.team_for(cmd.team_id)
    with runtime.unit_of_work(write=True) as db:
        chosen = members.set_language(db, team, cmd.user_id, argument, runtime.clock.now())
    _ = gettext_for(Translator(chosen, reader.timezone))
    return message_reply(":white_check_mark: " + _("I will answer you in English."))


ANSWERS: dict[CommandName, Answer] = {
    CommandName.NEXT: answer_next,
    CommandName.LIST: answer_list,
    CommandName.SHOW: answer_show,
    CommandName.LANGUAGE: answer_language,
}
