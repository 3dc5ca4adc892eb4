"""Finding sessions: next, list, show, language."""

from __future__ import annotations

from bot.commands import CommandName
from bot.errors import MissingArgument, NoUpcomingSession
from bot.i18n import Translator
from bot.rendering.reply import Reply
from bot.rendering.sessions import (
    message_reply,
    now_and_next_reply,
    session_list_reply,
    session_reply,
    usage_text,
)
from bot.rendering.templates import gettext_for
from bot.services import members, sessions
from handlers.frame import CommandAnswer, Request


def answer_next(req: Request, argument: str) -> Reply:
    with req.db() as db:
        running, view = sessions.now_and_next(db, req.team, req.now, req.user_id)
    if view is None and not running:
        raise NoUpcomingSession()
    return now_and_next_reply(
        running,
        view,
        req.t,
        currency=req.settings.fees.currency,
        discount=req.settings.fees.extra_participant_discount,
    )


def answer_list(req: Request, argument: str) -> Reply:
    with req.db() as db:
        views = sessions.upcoming_sessions(db, req.team, req.now, req.user_id)
    return session_list_reply(
        views,
        req.t,
        currency=req.settings.fees.currency,
        discount=req.settings.fees.extra_participant_discount,
    )


def answer_show(req: Request, argument: str) -> Reply:
    if not argument:
        raise MissingArgument(usage=usage_text(CommandName.SHOW, req.t))
    with req.db() as db:
        view = sessions.session_by_key(db, req.team, argument.split()[0], req.user_id)
    return session_reply(
        view,
        req.t,
        currency=req.settings.fees.currency,
        discount=req.settings.fees.extra_participant_discount,
    )


def answer_language(req: Request, argument: str) -> Reply:
    if not argument:
        _ = gettext_for(req.t)
        usage = usage_text(CommandName.LANGUAGE, req.t, "da|nb|en")
        return message_reply(
            ":speech_balloon: " + _("I answer you in English. To change it: %(usage)s", usage=usage)
        )
    with req.write() as db:
        chosen = members.set_language(db, req.team, req.user_id, argument, req.now)
    _ = gettext_for(Translator(chosen, req.reader.timezone))
    return message_reply(":white_check_mark: " + _("I will answer you in English."))


ANSWERS: dict[CommandName, CommandAnswer] = {
    CommandName.NEXT: answer_next,
    CommandName.LIST: answer_list,
    CommandName.SHOW: answer_show,
    CommandName.LANGUAGE: answer_language,
}
