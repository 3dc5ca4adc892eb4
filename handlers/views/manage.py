"""The session modal's submission (``/sdg new`` and ``/sdg edit KEY``).

On the ack path: the frame refuses someone the cached gate already knows is
no facilitator; the form is read and checked (read-only), and either the
errors show under their fields (``response_action: errors``) or the modal
says "Saving…".  In the lazy part, after the frame's fresh facilitator
check: save (the service checks everything again inside its transaction),
DM the card, and show the outcome in the modal.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering.manage import (
    ANONYMOUS_OPTION,
    EDIT_TITLE,
    FEEDBACK_OPTION,
    FIELD_BLOCKS,
    MEMBERS_ONLY_OPTION,
    NEW_TITLE,
    saved_reply,
    saved_text,
    saving_text,
)
from bot.rendering.modals import notice_modal
from bot.rendering.reply import Reply
from bot.rendering.sessions import message_reply
from bot.services import manage
from bot.services.manage import SavedSession
from bot.services.session_form import SessionDraft, SessionFormInput, read_draft
from handlers.frame import Frame, ModalAnswer, ModalState, ModalUpdate, Request

log = logging.getLogger(__name__)


def form_input(state: ModalState) -> SessionFormInput:
    """The modal's ``state.values`` as plain strings."""
    chosen = set(state.selected_values(BlockId.SESSION_OPTIONS, ActionId.SESSION_OPTIONS_INPUT))
    return SessionFormInput(
        key=state.text(BlockId.SESSION_KEY, ActionId.SESSION_KEY_INPUT),
        title=state.text(BlockId.SESSION_TITLE, ActionId.SESSION_TITLE_INPUT),
        kind=state.selected(BlockId.SESSION_KIND, ActionId.SESSION_KIND_INPUT),
        date=state.text(BlockId.SESSION_DATE, ActionId.SESSION_DATE_INPUT, "selected_date"),
        start=state.text(BlockId.SESSION_START, ActionId.SESSION_START_INPUT, "selected_time"),
        end=state.text(BlockId.SESSION_END, ActionId.SESSION_END_INPUT, "selected_time"),
        end_date=state.text(
            BlockId.SESSION_END_DATE, ActionId.SESSION_END_DATE_INPUT, "selected_date"
        ),
        location=state.text(BlockId.SESSION_LOCATION, ActionId.SESSION_LOCATION_INPUT),
        online_url=state.text(BlockId.SESSION_URL, ActionId.SESSION_URL_INPUT),
        capacity=state.text(BlockId.SESSION_CAPACITY, ActionId.SESSION_CAPACITY_INPUT),
        price=state.text(BlockId.SESSION_PRICE, ActionId.SESSION_PRICE_INPUT),
        feedback=FEEDBACK_OPTION in chosen,
        anonymous=ANONYMOUS_OPTION in chosen,
        members_only=MEMBERS_ONLY_OPTION
        in state.selected_values(BlockId.SESSION_AUDIENCE, ActionId.SESSION_AUDIENCE_INPUT),
        description=state.text(BlockId.SESSION_DESCRIPTION, ActionId.SESSION_DESCRIPTION_INPUT),
    )


def editing_key(req: Request) -> str | None:
    return req.private_metadata or None


def session_notice(req: Request, text: str) -> dict[str, Any]:
    title = NEW_TITLE if editing_key(req) is None else EDIT_TITLE
    return notice_modal(text, req.t, title)


def checked_draft(req: Request) -> SessionDraft:
    """The form read and checked against the database (read-only)."""
    key = editing_key(req)
    form = form_input(req.state)
    if key is None:
        draft = read_draft(form, req.settings.bot.timezone)
    else:
        with req.db() as db:
            current = manage.editable_session(db, req.team, key)
        draft = read_draft(form, current.timezone, key=current.key)
    with req.db() as db:
        manage.check_draft(db, req.team, draft, editing=key is not None, now=req.now)
    return draft


def save_session(req: Request, draft: SessionDraft) -> Reply:
    # FormErrors here (something changed since the form was checked) become one
    # "Nothing was saved" message in the modal: it is no longer open for field errors.
    saved: SavedSession
    with req.write() as db:
        if editing_key(req) is None:
            saved = manage.create_session(db, req.team, draft, req.now)
        else:
            saved = manage.update_session(db, req.team, draft, req.now)
    card = saved_reply(saved, req.t, currency=req.settings.fees.currency)
    try:
        req.dm(card)
    except SlackApiError as exc:
        log.warning("session saved, DM to %s failed: %s", req.user_id, exc.response.get("error"))
    return message_reply(saved_text(saved, req.t))


def submit_session_form(req: Request) -> ModalAnswer:
    draft = checked_draft(req)  # FormErrors: shown under the fields by the frame
    return ModalAnswer(
        ModalUpdate(session_notice(req, saving_text(req.t))),
        follow_up=lambda lazy: save_session(lazy, draft),
    )


def register(frame: Frame) -> None:
    frame.view(
        CallbackId.SESSION_FORM,
        submit_session_form,
        notice=session_notice,
        facilitator=True,
        gate_ack=True,
        fields=FIELD_BLOCKS,
    )
