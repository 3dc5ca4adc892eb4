"""The invoice details forms' submissions.

On the ack path the number's check digit is checked, so a wrong one keeps
the form open with the reason under the field and nothing stored.  The
facilitator's form (cached gate on the ack path) stores in the lazy part,
after the frame's fresh facilitator check.  A member's form, shown when they
are the first of their organisation to join, stores the details for the
member's own organisation (never one named by the payload) and joins.
"""

from __future__ import annotations

from bot.errors import AttendanceRequired, UnreadableRequest
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering.invoicing import (
    details_saved_text,
    read_details_metadata,
    read_join_metadata,
)
from bot.rendering.membership import membership_changed_reply
from bot.rendering.registration import attendance_choice_reply, outcome_reply
from bot.rendering.reply import Reply
from bot.rendering.sessions import message_reply
from bot.services import enrolment, invoice_details, registration
from handlers.frame import Frame, ModalAnswer, Request

FIELD_BLOCKS = {"number": BlockId.INVOICE_NUMBER, "reference": BlockId.INVOICE_REFERENCE}


def _entered(req: Request) -> tuple[str, str]:
    number = req.state.text(BlockId.INVOICE_NUMBER, ActionId.INVOICE_NUMBER_INPUT) or ""
    reference = req.state.text(BlockId.INVOICE_REFERENCE, ActionId.INVOICE_REFERENCE_INPUT) or ""
    return number, reference


def submit_facilitator_details(req: Request) -> ModalAnswer:
    organisation_id = read_details_metadata(req.private_metadata)
    if organisation_id is None:
        raise UnreadableRequest()
    number, reference = _entered(req)
    with req.db() as db:
        country = invoice_details.organisation_by_id(db, req.team, organisation_id).country
    # A wrong number raises InvoiceDetailsInvalid: the frame shows it under its field.
    invoice_details.checked(country, number, reference)

    def store(lazy: Request) -> Reply:
        with lazy.write() as db:
            saved = invoice_details.save(
                db, lazy.team, organisation_id, number, reference, lazy.now, changed_by=lazy.user_id
            )
        return message_reply(details_saved_text(saved, lazy.t))

    return ModalAnswer(None, follow_up=store)


def submit_join_with_details(req: Request) -> ModalAnswer:
    season_key, session_key = read_join_metadata(req.private_metadata)
    number, reference = _entered(req)
    with req.db() as db:
        organisation = invoice_details.organisation_of_member(db, req.team, req.user_id)
        organisation_id, country = organisation.id, organisation.country
    # A wrong number raises InvoiceDetailsInvalid: the frame shows it under its field.
    invoice_details.checked(country, number, reference)

    def join(lazy: Request) -> Reply:
        settings = lazy.settings
        with lazy.write() as db:
            invoice_details.save(
                db,
                lazy.team,
                organisation_id,
                number,
                reference,
                lazy.now,
                changed_by=lazy.user_id,
                only_if_missing=True,
            )
            change = enrolment.join_membership(
                db,
                lazy.team,
                lazy.user_id,
                lazy.now,
                settings.bot.zone,
                settings.fees,
                season_key or None,
            )
        joined = membership_changed_reply(change, lazy.t, left=False)
        if not session_key:
            return joined
        lazy.dm(joined)
        try:
            with lazy.write() as db:
                outcome = registration.register_member(
                    db, lazy.team, lazy.user_id, session_key, None, lazy.now, fees=settings.fees
                )
        except AttendanceRequired as needed:
            return attendance_choice_reply(needed.key, needed.title, lazy.t)
        return outcome_reply(outcome, lazy.t)

    return ModalAnswer(None, follow_up=join)


def register(frame: Frame) -> None:
    frame.view(
        CallbackId.INVOICE_DETAILS,
        submit_facilitator_details,
        facilitator=True,
        gate_ack=True,
        fields=FIELD_BLOCKS,
    )
    frame.view(CallbackId.JOIN_WITH_INVOICE_DETAILS, submit_join_with_details, fields=FIELD_BLOCKS)
