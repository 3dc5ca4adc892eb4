"""``/sdg``: answer in the ack body when we can, follow up lazily when we must.

A member whose time zone and locale we have cached gets the answer in the
HTTP response itself.  For a member we have never seen, the ack is empty and
the lazy follow-up fetches users.info first, so times are never shown in the
wrong zone.  Answers that need the Web API (modals, uploads) return a
:class:`FollowUp` that runs after the ack.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.commands import CommandName, ParsedCommand, UnknownCommand, parse_command
from bot.errors import NotAFacilitator
from bot.rendering.reply import Reply
from bot.rendering.sessions import help_reply
from bot.runtime import Runtime
from bot.services import members
from bot.services.members import Reader
from handlers.commands import feedback, find, manage, membership, privacy, registration
from handlers.commands.base import Answer, FollowUp
from handlers.errors import answering_errors, reply_for_error
from handlers.payloads import CommandInput
from handlers.profile import refresh_slack_profile

ANSWERS: dict[CommandName, Answer] = {
    **find.ANSWERS,
    **registration.ANSWERS,
    **feedback.ANSWERS,
    **privacy.ANSWERS,
    **manage.ANSWERS,
    **membership.ANSWERS,
}


def answer(runtime: Runtime, cmd: CommandInput, reader: Reader) -> Reply | FollowUp:
    t = reader.translator
    # Help shows facilitator commands to those we know are facilitators; the
    # gate lets possible user group members through to answers that confirm
    # with Slack themselves (lazily).
    shows_facilitator_help = runtime.known_facilitator(cmd.user_id)
    available = set(ANSWERS)
    try:
        parsed: ParsedCommand = parse_command(cmd.text)
    except UnknownCommand as unknown:
        return help_reply(
            t, facilitator=shows_facilitator_help, available=available, unknown_word=unknown.word
        )
    if parsed.name is CommandName.HELP:
        return help_reply(t, facilitator=shows_facilitator_help, available=available)
    if parsed.spec.facilitator_only and not runtime.may_be_facilitator(cmd.user_id):
        raise NotAFacilitator()
    handler = ANSWERS.get(parsed.name)
    if handler is None:
        word = cmd.text.split()[0]
        return help_reply(
            t, facilitator=shows_facilitator_help, available=available, unknown_word=word
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

        def reply_or_defer() -> Reply | None:
            result = answer(runtime, cmd, reader)
            if isinstance(result, FollowUp):
                context["sdg_follow_up"] = result.run
                return result.ack
            return result

        acked = False

        def send(reply: Reply) -> None:
            nonlocal acked
            acked = True
            ack(**reply.as_message())

        answering_errors(send, reader.translator, reply_or_defer)
        if not acked:
            ack()

    def follow_up(
        command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        cmd = CommandInput.from_payload(command)
        team = runtime.team_for(cmd.team_id)
        if context.get("sdg_deferred") or context.get("sdg_refresh"):
            refresh_slack_profile(client, runtime, team, cmd.user_id)
        work = context.get("sdg_follow_up")
        if context.get("sdg_deferred"):
            reader = load_reader(cmd)
            try:
                result = answer(runtime, cmd, reader)
            except Exception as exc:  # noqa: BLE001 - the member always gets an answer
                respond(**reply_for_error(exc, reader.translator).as_message())
                return
            if isinstance(result, FollowUp):
                if result.ack is not None:
                    respond(**result.ack.as_message())
                work = result.run
            else:
                respond(**result.as_message())
        if work is not None:
            reader = load_reader(cmd)
            answering_errors(
                lambda reply: respond(**reply.as_message()),
                reader.translator,
                lambda: work(client, respond),
            )

    app.command("/sdg")(ack=acknowledge, lazy=[follow_up])
