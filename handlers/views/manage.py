"""The session modal's submission (``/sdg new`` and ``/sdg edit KEY``).

On the ack path: refuse someone the cached gate already knows is no
facilitator, read and check the form (read-only), and either show the
errors under their fields (``response_action: errors``) or replace the
modal with "Saving…".  In the lazy listener: confirm the facilitator with
Slack, save (the service checks everything again inside its transaction),
show the outcome in the modal and DM the card.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import NotAFacilitator, SessionFormErrors
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering.manage import (
    ANONYMOUS_OPTION,
    EDIT_TITLE,
    FEEDBACK_OPTION,
    NEW_TITLE,
    form_errors,
    form_errors_text,
    notice_view,
    saved_reply,
    saved_text,
    saving_text,
)
from bot.runtime import Runtime
from bot.services import manage, members
from bot.services.manage import SavedSession
from bot.services.members import Reader
from bot.services.session_form import SessionDraft, SessionFormInput, read_draft
from handlers.errors import reply_for_error
from handlers.facilitators import require_facilitator
from handlers.profile import fresh_reader

log = logging.getLogger(__name__)

DRAFT = "manage_draft"  # context key: the checked draft, from the ack to the lazy listener


def _element(values: dict[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    found = (values.get(block_id) or {}).get(action_id)
    return found if isinstance(found, dict) else {}


def _text(values: dict[str, Any], block_id: str, action_id: str, name: str = "value") -> str | None:
    value = _element(values, block_id, action_id).get(name)
    return str(value) if value is not None else None


def form_input(values: dict[str, Any]) -> SessionFormInput:
    """The modal's ``state.values`` as plain strings."""
    kind = _element(values, BlockId.SESSION_KIND, ActionId.SESSION_KIND_INPUT).get(
        "selected_option"
    )
    options = _element(values, BlockId.SESSION_OPTIONS, ActionId.SESSION_OPTIONS_INPUT)
    chosen = {
        str(option.get("value"))
        for option in options.get("selected_options") or []
        if isinstance(option, dict)
    }
    return SessionFormInput(
        key=_text(values, BlockId.SESSION_KEY, ActionId.SESSION_KEY_INPUT),
        title=_text(values, BlockId.SESSION_TITLE, ActionId.SESSION_TITLE_INPUT),
        kind=str(kind.get("value")) if isinstance(kind, dict) else None,
        date=_text(values, BlockId.SESSION_DATE, ActionId.SESSION_DATE_INPUT, "selected_date"),
        start=_text(values, BlockId.SESSION_START, ActionId.SESSION_START_INPUT, "selected_time"),
        end=_text(values, BlockId.SESSION_END, ActionId.SESSION_END_INPUT, "selected_time"),
        end_date=_text(
            values, BlockId.SESSION_END_DATE, ActionId.SESSION_END_DATE_INPUT, "selected_date"
        ),
        location=_text(values, BlockId.SESSION_LOCATION, ActionId.SESSION_LOCATION_INPUT),
        online_url=_text(values, BlockId.SESSION_URL, ActionId.SESSION_URL_INPUT),
        capacity=_text(values, BlockId.SESSION_CAPACITY, ActionId.SESSION_CAPACITY_INPUT),
        price=_text(values, BlockId.SESSION_PRICE, ActionId.SESSION_PRICE_INPUT),
        feedback=FEEDBACK_OPTION in chosen,
        anonymous=ANONYMOUS_OPTION in chosen,
        description=_text(values, BlockId.SESSION_DESCRIPTION, ActionId.SESSION_DESCRIPTION_INPUT),
    )


def register(app: App, runtime: Runtime) -> None:
    settings = runtime.settings

    def reader_of(user_id: str) -> Reader:
        with runtime.unit_of_work() as db:
            return members.load_reader(
                db, runtime.team_for(None), user_id, settings, runtime.clock.now()
            )

    def editing_key(view: dict[str, Any]) -> str | None:
        return str(view.get("private_metadata") or "") or None

    def title_of(view: dict[str, Any]) -> str:
        return NEW_TITLE if editing_key(view) is None else EDIT_TITLE

    def checked_draft(view: dict[str, Any]) -> SessionDraft:
        """The form read and checked against the database (read-only)."""
        team = runtime.team_for(None)
        key = editing_key(view)
        values = (view.get("state") or {}).get("values") or {}
        form = form_input(values)
        if key is None:
            draft = read_draft(form, settings.bot.timezone)
        else:
            with runtime.unit_of_work() as db:
                current = manage.editable_session(db, team, key)
            draft = read_draft(form, current.timezone, key=current.key)
        with runtime.unit_of_work() as db:
            manage.check_draft(db, team, draft, editing=key is not None)
        return draft

    def acknowledge(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        user_id = str((body.get("user") or {}).get("id", ""))
        t = reader_of(user_id).translator
        title = title_of(view)
        try:
            if not runtime.may_be_facilitator(user_id):
                raise NotAFacilitator()
            draft = checked_draft(view)
        except SessionFormErrors as invalid:
            ack(response_action="errors", errors=form_errors(invalid.errors, t))
            return
        except Exception as exc:  # noqa: BLE001 - the modal always says what happened
            ack(response_action="update", view=notice_view(reply_for_error(exc, t).text, t, title))
            return
        context[DRAFT] = draft
        ack(response_action="update", view=notice_view(saving_text(t), t, title))

    def save(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        draft = context.get(DRAFT)
        if not isinstance(draft, SessionDraft):
            return  # the ack answered already (errors or a refusal)
        user_id = str((body.get("user") or {}).get("id", ""))
        team = runtime.team_for(None)
        reader = fresh_reader(client, runtime, team, user_id)
        t = reader.translator
        saved: SavedSession | None = None
        try:
            require_facilitator(runtime, client, user_id)
            with runtime.unit_of_work(write=True) as db:
                if editing_key(view) is None:
                    saved = manage.create_session(db, team, draft, runtime.clock.now())
                else:
                    saved = manage.update_session(db, team, draft, runtime.clock.now())
            text = saved_text(saved, t)
        except SessionFormErrors as invalid:  # changed since the form was checked
            text = form_errors_text(invalid.errors, t)
        except Exception as exc:  # noqa: BLE001 - the modal always says what happened
            text = reply_for_error(exc, t).text
        if saved is not None:
            reply = saved_reply(saved, t, currency=settings.fees.currency)
            try:
                client.chat_postMessage(channel=user_id, text=reply.text, blocks=reply.blocks)
            except SlackApiError as exc:
                log.warning(
                    "session saved, DM to %s failed: %s", user_id, exc.response.get("error")
                )
        try:
            client.views_update(
                view_id=str(view.get("id", "")), view=notice_view(text, t, title_of(view))
            )
        except SlackApiError as exc:  # closed meanwhile: the DM has the outcome
            log.info("views.update after saving failed: %s", exc.response.get("error"))

    app.view(CallbackId.SESSION_FORM)(ack=acknowledge, lazy=[save])
