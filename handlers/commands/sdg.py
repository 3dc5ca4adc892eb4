"""``/sdg``: one dispatch from the command's words to its answer.

Each feature module has an ``ANSWERS`` dict; the frame acks with the answer
when it is a :class:`~bot.rendering.reply.Reply` and runs a
:class:`~handlers.frame.FollowUp` after the ack.  Facilitator words pass a
cheap gate here (no Web API call on the ack path) and are always follow-ups,
which the frame runs only after confirming the facilitator with Slack.
"""

from __future__ import annotations

from bot.commands import CommandName, ParsedCommand, UnknownCommand, parse_command
from bot.errors import NotAFacilitator
from bot.rendering.reply import Reply
from bot.rendering.sessions import help_reply
from handlers.commands import (
    calendar,
    feedback,
    find,
    invoices,
    manage,
    membership,
    privacy,
    registration,
    report,
)
from handlers.frame import CommandAnswer, FollowUp, Frame, Request, for_facilitators

ANSWERS: dict[CommandName, CommandAnswer] = {
    **find.ANSWERS,
    **registration.ANSWERS,
    **feedback.ANSWERS,
    **privacy.ANSWERS,
    **manage.ANSWERS,
    **report.ANSWERS,
    **membership.ANSWERS,
    **calendar.ANSWERS,
    **invoices.ANSWERS,
}


def answer(req: Request) -> Reply | FollowUp:
    # Help shows facilitator commands to those we know are facilitators; the
    # gate lets possible user group members through to the follow-up.
    shows_facilitator_help = req.runtime.known_facilitator(req.user_id, req.team)
    available = set(ANSWERS)
    try:
        parsed: ParsedCommand = parse_command(req.text)
    except UnknownCommand as unknown:
        return help_reply(
            req.t,
            facilitator=shows_facilitator_help,
            available=available,
            unknown_word=unknown.word,
        )
    if parsed.name is CommandName.HELP:
        return help_reply(req.t, facilitator=shows_facilitator_help, available=available)
    if parsed.spec.facilitator_only and not req.runtime.may_be_facilitator(req.user_id, req.team):
        raise NotAFacilitator()
    handler = ANSWERS.get(parsed.name)
    if handler is None:
        return help_reply(
            req.t,
            facilitator=shows_facilitator_help,
            available=available,
            unknown_word=req.text.split()[0],
        )
    result = handler(req, parsed.argument)
    if parsed.spec.facilitator_only:
        if not isinstance(result, FollowUp):
            # Reading anything before the fresh check would be a leak.
            raise TypeError(f"/sdg {parsed.name}: a facilitator answer must be a FollowUp")
        return for_facilitators(result)
    return result


def register(frame: Frame) -> None:
    frame.command("/sdg", answer)
