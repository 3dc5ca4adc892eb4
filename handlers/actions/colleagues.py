"""Colleagues and guests: open the form, Accept / Decline a sign-up, cancel from ``/sdg my``."""

from __future__ import annotations

from bot.errors import MembersOnly, ProfileRequired, UnreadableRequest
from bot.ids import ActionId
from bot.rendering.guests import (
    companions_modal,
    guest_cancelled_reply,
    invitation_declined_reply,
    invitation_withdrawn_reply,
)
from bot.rendering.registration import PendingRegistration, outcome_reply
from bot.rendering.reply import Reply
from bot.rendering.sessions import value_of
from bot.services import colleagues, guests, registration
from bot.whole_numbers import whole_number
from handlers.frame import Frame, Request
from handlers.membership_offer import members_only_answer
from handlers.views.registration import open_profile_modal


def open_companions(req: Request) -> None:
    key = value_of(req.value)
    with req.db() as db:
        title = registration.session_title(db, req.team, key)
    req.web.views_open(trigger_id=req.surface.trigger_id, view=companions_modal(req.t, key, title))


def accept_click(req: Request) -> Reply | None:
    key = value_of(req.value)
    try:
        with req.write() as db:
            outcome = colleagues.accept_invitation(
                db,
                req.team,
                req.user_id,
                key,
                req.now,
                fees=req.settings.fees,
                offer_valid=req.settings.registration.offer_valid,
            )
    except ProfileRequired as needed:
        # The profile modal registers on submit: the held seat is confirmed then.
        open_profile_modal(req, pending=PendingRegistration(needed.key, None), bring=False)
        return None
    except MembersOnly as refused:
        return members_only_answer(req, refused)
    return outcome_reply(outcome, req.t)


def decline_click(req: Request) -> Reply:
    with req.write() as db:
        outcome = colleagues.decline_invitation(
            db, req.team, req.user_id, value_of(req.value), req.now
        )
    return invitation_declined_reply(outcome.session.title, req.t)


def _id(value: str) -> int:
    number = whole_number(value, least=1)
    if number is None:
        raise UnreadableRequest()
    return number


def cancel_guest_click(req: Request) -> Reply:
    with req.write() as db:
        guest = guests.cancel_guest(db, req.team, req.user_id, _id(req.value), req.now)
    return guest_cancelled_reply(guest, req.t)


def withdraw_click(req: Request) -> Reply:
    with req.write() as db:
        session = colleagues.withdraw_invitation(db, req.team, req.user_id, _id(req.value), req.now)
    return invitation_withdrawn_reply(session, req.t)


def register(frame: Frame) -> None:
    frame.action(ActionId.OPEN_COMPANIONS, open_companions)
    frame.action(ActionId.ACCEPT_COLLEAGUE_INVITATION, accept_click)
    frame.action(ActionId.DECLINE_COLLEAGUE_INVITATION, decline_click)
    frame.action(ActionId.CANCEL_GUEST, cancel_guest_click)
    frame.action(ActionId.WITHDRAW_COLLEAGUE_INVITATION, withdraw_click)
