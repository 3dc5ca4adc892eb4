"""``/sdg``: answer in the ack body when we can, follow up lazily when we must.

A member whose time zone and locale we have cached gets the answer in the
HTTP response itself.  For a member we have never seen, the ack is empty and
the lazy follow-up fetches users.info first, so times are never shown in the
wrong zone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.commands import CommandName, ParsedCommand, UnknownCommand, parse_command
from bot.errors import MissingArgument, NotAFacilitator, NoUpcomingSession
from bot.i18n import Translator
from bot.rendering.reply import Reply
from bot.rendering.sessions import help_reply, message_reply, session_list_reply, session_reply
from bot.rendering.templates import gettext_for
from bot.runtime import Runtime
from bot.services import members, sessions
from bot.services.members import Reader
from handlers.errors import answering_errors
from handlers.payloads import CommandInput
from handlers.profile import refresh_slack_profile

Answer = Callable[[Runtime, CommandInput, str, Reader], Reply]


def answer_help(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> Reply:
    return help_reply(reader.translator, facilitator=runtime.is_facilitator(cmd.user_id))


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
    return session_list_reply(views, reader.translator)


def answer_show(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> Reply:
    if not argument:
        raise MissingArgument(usage="/sdg show KEY")
    team = runtime.team_for(cmd.team_id)
    with runtime.unit_of_work() as db:
        view = sessions.session_by_key(db, team, argument.split()[0], cmd.user_id)
    return session_reply(view, reader.translator, currency=runtime.settings.fees.currency)


def answer_language(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> Reply:
    team = runtime.team_for(cmd.team_id)
    with runtime.unit_of_work() as db:
        chosen = members.set_language(db, team, cmd.user_id, argument, runtime.clock.now())
    t = Translator(chosen, reader.timezone)
    return message_reply(":white_check_mark: " + gettext_for(t)("I will answer you in English."))


ANSWERS: dict[CommandName, Answer] = {
    CommandName.HELP: answer_help,
    CommandName.NEXT: answer_next,
    CommandName.LIST: answer_list,
    CommandName.SHOW: answer_show,
    CommandName.LANGUAGE: answer_language,
}


def answer(runtime: Runtime, cmd: CommandInput, reader: Reader) -> Reply:
    t = reader.translator
    try:
        parsed: ParsedCommand = parse_command(cmd.text)
    except UnknownCommand as unknown:
        return help_reply(
            t, facilitator=runtime.is_facilitator(cmd.user_id), unknown_word=unknown.word
        )
    if parsed.spec.facilitator_only and not runtime.is_facilitator(cmd.user_id):
        raise NotAFacilitator()
    handler = ANSWERS.get(parsed.name)
    if handler is None:
        return help_reply(
            t, facilitator=runtime.is_facilitator(cmd.user_id), unknown_word=parsed.name
        )
    return handler(runtime, cmd, parsed.argument, reader)


def register(app: App, runtime: Runtime) -> None:
    def load_reader(cmd: CommandInput) -> Reader:
        team = runtime.team_for(cmd.team_id)
        with runtime.unit_of_work() as db:
            return members.load_reader(db, team, cmd.user_id, runtime.settings, runtime.clock.now())

    def acknowledge(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
        cmd = CommandInput.from_payload(command)
        reader = load_reader(cmd)
        if not reader.profile_known:
            # Never seen this member: answer after users.info tells us their zone.
            context["sdg_deferred"] = True
            ack()
            return
        context["sdg_refresh"] = reader.profile_stale
        answering_errors(
            lambda reply: ack(**reply.as_message()),
            reader.translator,
            lambda: answer(runtime, cmd, reader),
        )

    def follow_up(
        command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        cmd = CommandInput.from_payload(command)
        team = runtime.team_for(cmd.team_id)
        if context.get("sdg_deferred") or context.get("sdg_refresh"):
            refresh_slack_profile(client, runtime, team, cmd.user_id)
        if context.get("sdg_deferred"):
            reader = load_reader(cmd)
            answering_errors(
                lambda reply: respond(**reply.as_message()),
                reader.translator,
                lambda: answer(runtime, cmd, reader),
            )

    app.command("/sdg")(ack=acknowledge, lazy=[follow_up])
