"""The profile modal: organisation type-ahead, and the submission that completes a registration.

The submission is acknowledged within Slack's three seconds: the profile and
the registration are one short transaction before the ack (so problems can
be shown in the modal itself), and the confirmation DM is sent by the lazy
part after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.errors import AttendanceRequired, DomainError, FieldCode, MembersOnly
from bot.i18n import N_
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering.guests import companion_blocks
from bot.rendering.modals import notice_modal
from bot.rendering.registration import (
    PendingRegistration,
    attendance_choice_reply,
    organisation_options,
    outcome_reply,
    profile_modal,
)
from bot.rendering.reply import Reply
from bot.services import profiles, registration
from bot.services.profile_registration import save_profile_and_register
from bot.services.profiles import (
    FIELD_NAME,
    FIELD_ORGANISATION,
    FIELD_OTHER,
    FIELD_ROLE,
)
from handlers.frame import Frame, ModalAnswer, ModalState, Request, reply_for_error
from handlers.membership_offer import members_only_answer
from handlers.views.companions import add_companions, read_companions

REGISTRATION_TITLE = N_("Registration")
FIELD_ATTENDANCE = "attendance"  # asked in the same modal when the session is hybrid
FIELD_BLOCKS: dict[str, str] = {
    FIELD_NAME: BlockId.PROFILE_NAME,
    FIELD_ORGANISATION: BlockId.PROFILE_ORGANISATION,
    FIELD_OTHER: BlockId.PROFILE_ORGANISATION_OTHER,
    FIELD_ROLE: BlockId.PROFILE_ROLE,
    FIELD_ATTENDANCE: BlockId.ATTENDANCE,
}


def open_profile_modal(
    req: Request,
    *,
    pending: PendingRegistration | None = None,
    ask_attendance: bool = False,
    bring: bool = True,
) -> None:
    """views.open with the member's current profile (name prefilled from Slack).

    Registering, the modal also asks for the colleagues brought along (unless *bring* is off).
    """
    with req.db() as db:
        profile = profiles.profile_of(db, req.team, req.user_id)
        title = ""
        if pending is not None:
            title = registration.session_title(db, req.team, pending.key)
    view = profile_modal(
        req.t, profile, pending=pending, session_title=title, ask_attendance=ask_attendance
    )
    if pending is not None and bring:
        view["blocks"] = [*view["blocks"], *companion_blocks(req.t, guests=False)]
    req.web.views_open(trigger_id=req.surface.trigger_id, view=view)


@dataclass(frozen=True)
class ProfileForm:
    name: str | None
    organisation: str | None
    other_organisation: str | None
    role: str | None
    attendance: str | None

    @classmethod
    def from_state(cls, state: ModalState) -> ProfileForm:
        return cls(
            name=state.text(BlockId.PROFILE_NAME, ActionId.PROFILE_NAME_INPUT),
            organisation=state.selected(BlockId.PROFILE_ORGANISATION, ActionId.ORGANISATION_SELECT),
            other_organisation=state.text(
                BlockId.PROFILE_ORGANISATION_OTHER, ActionId.PROFILE_OTHER_INPUT
            ),
            role=state.selected(BlockId.PROFILE_ROLE, ActionId.PROFILE_ROLE_SELECT),
            attendance=state.selected(BlockId.ATTENDANCE, ActionId.ATTENDANCE_CHOICE),
        )


def suggest_organisations(req: Request) -> list[dict[str, Any]]:
    with req.db() as db:
        choices = profiles.search_organisations(db, req.team, req.value)
    return organisation_options(choices, req.t)


def _asked_attendance(view: Any) -> bool:
    blocks = view.get("blocks") or []
    return isinstance(blocks, list) and any(
        isinstance(block, dict) and block.get("block_id") == BlockId.ATTENDANCE for block in blocks
    )


def submit_profile(req: Request) -> ModalAnswer:
    t = req.t
    form = ProfileForm.from_state(req.state)
    pending = PendingRegistration.from_metadata(req.private_metadata)
    problems = profiles.validate_profile(
        form.name, form.organisation, form.other_organisation, form.role
    )
    if _asked_attendance(req.view) and form.attendance is None:
        problems.add(FIELD_ATTENDANCE, FieldCode.ATTENDANCE_MISSING)
    bringing = read_companions(req)
    problems = problems.merged(bringing.problems)
    if problems:
        raise problems  # the frame shows them under their fields
    assert form.name is not None and form.role is not None
    brought: Reply | None = None
    # UnknownOrganisation is a form error of the organisation field: nothing is saved.
    with req.write() as db:
        saved = save_profile_and_register(
            db,
            req.team,
            req.user_id,
            name=form.name,
            organisation=form.organisation,
            other_organisation=form.other_organisation,
            role=form.role,
            session_key=pending.key if pending else None,
            attendance=form.attendance or (pending.attendance if pending else None),
            now=req.now,
            fees=req.settings.fees,
        )
        if saved.outcome is not None and pending is not None and bringing.anyone:
            # Registered: colleagues and guests in the same transaction, refused alone.
            try:
                with db.begin_nested():
                    brought = add_companions(db, req, pending.key, bringing)
            except DomainError as refused:
                brought = reply_for_error(refused, t)
    reply: Reply
    if isinstance(saved.refused, AttendanceRequired):
        # The session became hybrid while the modal was open: ask in a DM.
        reply = attendance_choice_reply(saved.refused.key, saved.refused.title, t)
    elif isinstance(saved.refused, MembersOnly):
        # The profile is saved; the membership is offered in a DM.
        reply = members_only_answer(req, saved.refused)
    elif saved.refused is not None:
        raise saved.refused  # the profile is saved; the frame answers the refusal
    elif saved.outcome is not None:
        reply = outcome_reply(saved.outcome, t)
    else:
        return ModalAnswer()
    if brought is not None:
        also = brought
        return ModalAnswer(follow_up=lambda lazy: send_to_dm(lazy, reply, also))
    return ModalAnswer(follow_up=lambda lazy: send_to_dm(lazy, reply))


def send_to_dm(req: Request, reply: Reply, *more: Reply) -> None:
    # The modal is closed and has no response_url: the answer goes to the member's DM.
    for message in (reply, *more):
        req.dm(message)


def profile_notice(req: Request, text: str) -> dict[str, Any]:
    return notice_modal(text, req.t, REGISTRATION_TITLE)


def register(frame: Frame) -> None:
    frame.options(ActionId.ORGANISATION_SELECT, suggest_organisations)
    frame.view(CallbackId.PROFILE, submit_profile, notice=profile_notice, fields=FIELD_BLOCKS)
