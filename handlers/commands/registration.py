"""Registration commands: register, cancel, my, profile.

Register and cancel are short write transactions answered in the ack body;
only opening the profile modal needs the Web API, so it is a FollowUp.
"""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.commands import CommandName
from bot.errors import AttendanceRequired, MembersOnly, ProfileRequired
from bot.rendering.registration import (
    PendingRegistration,
    attendance_choice_reply,
    cancel_reply,
    my_registrations_reply,
    outcome_reply,
)
from bot.rendering.reply import Reply
from bot.runtime import Runtime
from bot.services import registration
from bot.services.members import Reader
from handlers.commands.base import Answer, FollowUp
from handlers.membership_offer import members_only_answer
from handlers.payloads import CommandInput
from handlers.views.registration import open_profile_modal


def _key(argument: str) -> str | None:
    words = argument.split()
    return words[0] if words else None


def answer_register(
    runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader
) -> Reply | FollowUp:
    team = runtime.team_for(cmd.team_id)
    t = reader.translator
    try:
        with runtime.unit_of_work(write=True) as db:
            outcome = registration.register_member(
                db,
                team,
                cmd.user_id,
                _key(argument),
                None,
                runtime.clock.now(),
                fees=runtime.settings.fees,
            )
    except ProfileRequired as needed:
        # The exception name is gone once the except block ends: keep what the modal needs.
        pending = PendingRegistration(needed.key)
        ask_attendance = needed.ask_attendance

        def ask_profile(client: WebClient, respond: Respond) -> None:
            open_profile_modal(
                client,
                runtime,
                team,
                cmd.user_id,
                cmd.trigger_id,
                t,
                pending=pending,
                ask_attendance=ask_attendance,
            )

        return FollowUp(run=ask_profile)
    except AttendanceRequired as needed:
        return attendance_choice_reply(needed.key, needed.title, t)
    except MembersOnly as refused:
        return members_only_answer(runtime, team, cmd.user_id, refused, t)
    return outcome_reply(outcome, t)


def answer_cancel(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> Reply:
    team = runtime.team_for(cmd.team_id)
    with runtime.unit_of_work(write=True) as db:
        outcome = registration.cancel_registration(
            db, team, cmd.user_id, _key(argument), runtime.clock.now()
        )
    return cancel_reply(outcome, reader.translator)


def answer_my(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> Reply:
    team = runtime.team_for(cmd.team_id)
    with runtime.unit_of_work() as db:
        items = registration.my_registrations(db, team, cmd.user_id, runtime.clock.now())
    return my_registrations_reply(items, reader.translator)


def answer_profile(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> FollowUp:
    team = runtime.team_for(cmd.team_id)

    def edit_profile(client: WebClient, respond: Respond) -> None:
        open_profile_modal(client, runtime, team, cmd.user_id, cmd.trigger_id, reader.translator)

    return FollowUp(run=edit_profile)


ANSWERS: dict[CommandName, Answer] = {
    CommandName.REGISTER: answer_register,
    CommandName.CANCEL: answer_cancel,
    CommandName.MY: answer_my,
    CommandName.PROFILE: answer_profile,
}
