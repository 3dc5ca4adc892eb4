"""The colleagues-and-guests form: sign up colleagues in Slack, add guests without Slack.

Validated before anything is written (a bad e-mail address is shown under
its field, nothing saved); then colleagues and guests are added in one write
transaction, so a refusal (too few seats, say) adds nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.errors import FormErrors, UnreadableRequest
from bot.i18n import N_
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering.guests import companions_reply, guest_block_id
from bot.rendering.modals import notice_modal
from bot.rendering.reply import Reply
from bot.services import colleagues, guests
from handlers.frame import Frame, ModalAnswer, ModalState, Request

GUEST_FIELD_BLOCKS = {
    guests.FIELD_NAME: BlockId.GUEST_NAME,
    guests.FIELD_EMAIL: BlockId.GUEST_EMAIL,
    guests.FIELD_ROLE: BlockId.GUEST_ROLE,
}
COMPANIONS_TITLE = N_("Colleagues and guests")


def guest_field(field_name: str, row: int) -> str:
    """The form field of one guest row's input (rows count from 1)."""
    return f"{field_name}.{row}"


# Form field -> input block, for the frame to show errors under their fields.
FIELD_BLOCKS: dict[str, str] = {
    guest_field(field_name, row): guest_block_id(block, row)
    for field_name, block in GUEST_FIELD_BLOCKS.items()
    for row in range(1, guests.MAX_GUESTS + 1)
}


def selected_users(state: ModalState, block_id: str, action_id: str) -> list[str]:
    users = state.element(block_id, action_id).get("selected_users") or []
    if not isinstance(users, list) or not all(isinstance(u, str) and u for u in users):
        raise UnreadableRequest()
    return users


def guest_rows(state: ModalState) -> list[tuple[str | None, str | None, str | None]]:
    return [
        (
            state.text(guest_block_id(BlockId.GUEST_NAME, row), ActionId.GUEST_NAME_INPUT),
            state.text(guest_block_id(BlockId.GUEST_EMAIL, row), ActionId.GUEST_EMAIL_INPUT),
            state.selected(guest_block_id(BlockId.GUEST_ROLE, row), ActionId.GUEST_ROLE_SELECT),
        )
        for row in range(1, guests.MAX_GUESTS + 1)
    ]


@dataclass(frozen=True)
class CompanionsForm:
    colleagues: list[str]
    guests: list[guests.GuestInput]
    problems: FormErrors  # guest rows' fields (see guest_field)

    @property
    def anyone(self) -> bool:
        return bool(self.colleagues or self.guests)


def read_companions(req: Request) -> CompanionsForm:
    """The colleagues and guest rows of a modal (this one, or the profile modal's part)."""
    wanted = (
        selected_users(req.state, BlockId.COMPANION_COLLEAGUES, ActionId.COLLEAGUES_SELECT)
        if BlockId.COMPANION_COLLEAGUES in req.state.values
        else []
    )
    rows = guest_rows(req.state)
    problems = FormErrors()
    given: list[guests.GuestInput] = []
    for index in guests.rows_given(rows):
        name, email, role = rows[index]
        found = guests.validate_guest(name, email, role)
        for error in found.errors.values():
            problems.add(guest_field(error.field, index + 1), error.code, **error.values)
        if not found:
            assert name and email and role
            given.append(guests.GuestInput(name, email, role))
    return CompanionsForm(wanted, given, problems)


def add_companions(db: Session, req: Request, key: str, form: CompanionsForm) -> Reply:
    """Sign up the colleagues and add the guests in the caller's write transaction."""
    signed = (
        colleagues.sign_up_colleagues(
            db,
            req.team,
            req.user_id,
            key,
            form.colleagues,
            req.now,
            offer_valid=req.settings.registration.offer_valid,
        )
        if form.colleagues
        else None
    )
    added = (
        guests.add_guests(
            db, req.team, req.user_id, key, form.guests, req.now, language=req.reader.language
        )
        if form.guests
        else None
    )
    return companions_reply(signed, added, req.t)


def submit_companions(req: Request) -> ModalAnswer:
    key = req.private_metadata
    if not key:
        raise UnreadableRequest()
    form = read_companions(req)
    if form.problems:
        raise form.problems  # the frame shows them under their fields
    with req.write() as db:
        reply = add_companions(db, req, key, form)
    return ModalAnswer(follow_up=lambda lazy: _to_dm(lazy, reply))


def _to_dm(req: Request, reply: Reply) -> None:
    req.dm(reply)


def register(frame: Frame) -> None:
    frame.view(
        CallbackId.COMPANIONS,
        submit_companions,
        notice=lambda req, text: notice_modal(text, req.t, COMPANIONS_TITLE),
        fields=FIELD_BLOCKS,
    )
