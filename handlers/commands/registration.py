"""Registration commands: register, cancel, my, profile.

Register and cancel are short write transactions answered in the ack body;
only opening the profile modal needs the Web API, so it is a FollowUp.
"""

from __future__ import annotations

from bot.commands import CommandName
from bot.errors import AttendanceRequired, MembersOnly, ProfileRequired
from bot.rendering.blocks import MAX_MESSAGE_BLOCKS
from bot.rendering.cancellation import cancel_question_reply
from bot.rendering.guests import my_companions_blocks
from bot.rendering.registration import (
    PendingRegistration,
    attendance_choice_reply,
    my_registrations_reply,
    outcome_reply,
    when_text,
)
from bot.rendering.reply import Reply
from bot.services import colleagues, guests, registration
from handlers.frame import CommandAnswer, FollowUp, Request
from handlers.membership_offer import members_only_answer
from handlers.views.registration import open_profile_modal


def _key(argument: str) -> str | None:
    words = argument.split()
    return words[0] if words else None


def answer_register(req: Request, argument: str) -> Reply | FollowUp:
    try:
        with req.write() as db:
            outcome = registration.register_member(
                db, req.team, req.user_id, _key(argument), None, req.now, fees=req.settings.fees
            )
    except ProfileRequired as needed:
        # The exception name is gone once the except block ends: keep what the modal needs.
        pending = PendingRegistration(needed.key)
        ask_attendance = needed.ask_attendance

        def ask_profile(lazy: Request) -> None:
            open_profile_modal(lazy, pending=pending, ask_attendance=ask_attendance)

        return FollowUp(run=ask_profile)
    except AttendanceRequired as needed:
        return attendance_choice_reply(needed.key, needed.title, req.t)
    except MembersOnly as refused:
        return members_only_answer(req, refused)
    return outcome_reply(outcome, req.t)


def answer_cancel(req: Request, argument: str) -> Reply:
    """Asks first; the Cancel button in the answer (with its confirm dialog) cancels."""
    with req.db() as db:
        session = registration.registration_to_cancel(
            db, req.team, req.user_id, _key(argument), req.now
        )
    return cancel_question_reply(session.key, session.title, when_text(session, req.t), req.t)


def answer_my(req: Request, argument: str) -> Reply:
    with req.db() as db:
        items = registration.my_registrations(db, req.team, req.user_id, req.now)
        own_guests = guests.my_guests(db, req.team, req.user_id, req.now)
        invitations = colleagues.open_invitations_by(
            db, req.team, req.user_id, req.now, req.settings.registration.offer_valid
        )
    reply = my_registrations_reply(items, req.t)
    extra = my_companions_blocks(own_guests, invitations, req.t)
    if not extra:
        return reply
    return Reply(reply.text, [*reply.blocks, *extra][:MAX_MESSAGE_BLOCKS])


def answer_profile(req: Request, argument: str) -> FollowUp:
    return FollowUp(run=open_profile_modal)


ANSWERS: dict[CommandName, CommandAnswer] = {
    CommandName.REGISTER: answer_register,
    CommandName.CANCEL: answer_cancel,
    CommandName.MY: answer_my,
    CommandName.PROFILE: answer_profile,
}
