"""The colleagues-and-guests form: sign up colleagues in Slack, add guests without Slack.

Validated before anything is written (a bad e-mail address is shown under
its field, nothing saved); then colleagues and guests are added in one write
transaction, so a refusal (too few seats, say) adds nobody.
"""

from __future__ import annotations

from bot.errors import UnreadableRequest
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering.guests import companions_reply, guest_block_id
from bot.rendering.registration import notice_view
from bot.rendering.reply import Reply
from bot.services import colleagues, guests
from handlers.frame import Frame, ModalAnswer, ModalErrors, ModalState, Request

GUEST_FIELD_BLOCKS = {
    guests.FIELD_NAME: BlockId.GUEST_NAME,
    guests.FIELD_EMAIL: BlockId.GUEST_EMAIL,
    guests.FIELD_ROLE: BlockId.GUEST_ROLE,
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


def submit_companions(req: Request) -> ModalAnswer:
    key = req.private_metadata
    if not key:
        raise UnreadableRequest()
    wanted = selected_users(req.state, BlockId.COMPANION_COLLEAGUES, ActionId.COLLEAGUES_SELECT)
    rows = guest_rows(req.state)
    problems: dict[str, str] = {}
    given: list[guests.GuestInput] = []
    for index in guests.rows_given(rows):
        name, email, role = rows[index]
        found = guests.validate_guest(name, email, role)
        for field, message in found.items():
            block = guest_block_id(GUEST_FIELD_BLOCKS[field], index + 1)
            problems[block] = req.t.gettext(message)
        if not found:
            assert name and email and role
            given.append(guests.GuestInput(name, email, role))
    if problems:
        return ModalAnswer(ModalErrors(problems))
    with req.write() as db:
        signed = (
            colleagues.sign_up_colleagues(
                db,
                req.team,
                req.user_id,
                key,
                wanted,
                req.now,
                offer_valid=req.settings.registration.offer_valid,
            )
            if wanted
            else None
        )
        added = (
            guests.add_guests(
                db, req.team, req.user_id, key, given, req.now, language=req.reader.language
            )
            if given
            else None
        )
    reply = companions_reply(signed, added, req.t)
    return ModalAnswer(follow_up=lambda lazy: _to_dm(lazy, reply))


def _to_dm(req: Request, reply: Reply) -> None:
    req.dm(reply)


def register(frame: Frame) -> None:
    frame.view(
        CallbackId.COMPANIONS,
        submit_companions,
        notice=lambda req, text: notice_view(text, req.t),
    )
