"""Join and Leave buttons of ``/sdg membership`` and of the members-only answer.

Join acts on the clicker only (the button's value names the season, and the
session to register for afterwards: "Join and register").  Leave is refused
by the service once the season's first members-only session has started.
"""

from __future__ import annotations

from bot.errors import AttendanceRequired
from bot.ids import ActionId
from bot.rendering.invoicing import join_details_modal
from bot.rendering.membership import membership_changed_reply, read_membership_value
from bot.rendering.registration import attendance_choice_reply, outcome_reply
from bot.rendering.reply import Reply
from bot.services import enrolment, invoice_details, membership, registration
from handlers.frame import Frame, Request


def join_click(req: Request) -> Reply | None:
    season_key, session_key, _member = read_membership_value(req.value)
    if req.settings.invoicing.enabled and ask_invoice_details(req, season_key, session_key):
        return None  # the form joins on submit
    with req.write() as db:
        change = enrolment.join_membership(
            db,
            req.team,
            req.user_id,
            req.now,
            req.settings.bot.zone,
            req.settings.fees,
            season_key or None,
        )
    joined = membership_changed_reply(change, req.t, left=False)
    if not session_key:
        return joined
    req.answer(joined)
    try:
        with req.write() as db:
            outcome = registration.register_member(
                db, req.team, req.user_id, session_key, None, req.now, fees=req.settings.fees
            )
    except AttendanceRequired as needed:
        return attendance_choice_reply(needed.key, needed.title, req.t)
    return outcome_reply(outcome, req.t)


def ask_invoice_details(req: Request, season_key: str, session_key: str) -> bool:
    """The first of an organisation to join gives its invoice details in a form
    (which restates the price); True when the form was opened."""
    with req.db() as db:
        needed = invoice_details.needed_for_member(db, req.team, req.user_id)
        if needed is None:
            return False
        status = membership.membership_status(
            db,
            req.team,
            req.user_id,
            req.now,
            req.settings.bot.zone,
            req.settings.fees,
            season_key or None,
        )
    if status.enrolled:
        return False
    view = join_details_modal(status, needed.organisation, needed.country, session_key, req.t)
    req.web.views_open(trigger_id=req.surface.trigger_id, view=view)
    return True


def leave_click(req: Request) -> Reply:
    season_key, _session, _member = read_membership_value(req.value)
    with req.write() as db:
        change = enrolment.leave_membership(
            db,
            req.team,
            req.user_id,
            req.now,
            req.settings.bot.zone,
            req.settings.fees,
            season_key or None,
        )
    return membership_changed_reply(change, req.t, left=True)


def enrol_member_click(req: Request) -> Reply:
    """A facilitator enrols the member the button names (checked fresh by the frame)."""
    season_key, _session, member = read_membership_value(req.value)
    with req.write() as db:
        change = enrolment.join_membership(
            db,
            req.team,
            member,
            req.now,
            req.settings.bot.zone,
            req.settings.fees,
            season_key or None,
            changed_by=req.user_id,
        )
    return membership_changed_reply(change, req.t, left=False, member=member)


def remove_member_click(req: Request) -> Reply:
    """A facilitator ends the member's enrolment, also after the first network meeting."""
    season_key, _session, member = read_membership_value(req.value)
    with req.write() as db:
        change = enrolment.leave_membership(
            db,
            req.team,
            member,
            req.now,
            req.settings.bot.zone,
            req.settings.fees,
            season_key or None,
            facilitator=req.user_id,
        )
    return membership_changed_reply(change, req.t, left=True, member=member)


def register(frame: Frame) -> None:
    frame.action(ActionId.JOIN_MEMBERSHIP, join_click)
    frame.action(ActionId.LEAVE_MEMBERSHIP, leave_click)
    frame.action(ActionId.ENROL_MEMBER, enrol_member_click, facilitator=True)
    frame.action(ActionId.REMOVE_MEMBER, remove_member_click, facilitator=True)
