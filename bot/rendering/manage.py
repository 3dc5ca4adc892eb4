"""Builders for facilitators managing sessions.

The session modal (create and edit), its field -> block table for the form's
errors (worded in ``bot/rendering/form_errors.py``), and the private
answers to ``/sdg new|edit|announce|cancel-session``.  What registrants are
told when a session changes is in ``bot/rendering/session_notices.py``.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import N_, Translator
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering import blocks as bk
from bot.rendering.mrkdwn import Mrkdwn
from bot.rendering.registration import when_text
from bot.rendering.reply import Reply
from bot.rendering.sessions import kind_label, session_card
from bot.rendering.templates import gettext_for, ngettext_for, render
from bot.services.manage import CancellationPreview, SavedSession, SessionCancellation
from bot.services.session_form import (
    MAX_DESCRIPTION_LENGTH,
    MAX_KEY_LENGTH,
    MAX_LOCATION_LENGTH,
    SessionFormInput,
)
from bot.services.sessions import SessionView
from bot.session_rules import KINDS, MAX_TITLE_LENGTH

NEW_TITLE = N_("New session")
EDIT_TITLE = N_("Edit session")

# Form field (as named by bot.services.session_form) -> its input block.
FIELD_BLOCKS = {
    "key": BlockId.SESSION_KEY,
    "title": BlockId.SESSION_TITLE,
    "kind": BlockId.SESSION_KIND,
    "date": BlockId.SESSION_DATE,
    "start": BlockId.SESSION_START,
    "end": BlockId.SESSION_END,
    "end_date": BlockId.SESSION_END_DATE,
    "location": BlockId.SESSION_LOCATION,
    "online_url": BlockId.SESSION_URL,
    "capacity": BlockId.SESSION_CAPACITY,
    "price": BlockId.SESSION_PRICE,
    "options": BlockId.SESSION_OPTIONS,
    "audience": BlockId.SESSION_AUDIENCE,
    "description": BlockId.SESSION_DESCRIPTION,
}
FEEDBACK_OPTION = "feedback"
ANONYMOUS_OPTION = "anonymous"
MEMBERS_ONLY_OPTION = "members_only"


# --- the modal -----------------------------------------------------------------------------


def _text_element(
    action_id: str, initial: str | None, max_length: int, *, multiline: bool = False
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "max_length": max_length,
        "multiline": multiline,
    }
    if initial:
        element["initial_value"] = initial
    return element


def _number_element(action_id: str, initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "number_input",
        "action_id": action_id,
        "is_decimal_allowed": False,
        "min_value": "0",
    }
    if initial:
        element["initial_value"] = initial
    return element


def _date_element(action_id: str, initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker", "action_id": action_id}
    if initial:
        element["initial_date"] = initial
    return element


def _time_element(action_id: str, initial: str | None, zone: str) -> dict[str, Any]:
    # Slack shows the zone under the picker; the bot reads the time in it.
    element: dict[str, Any] = {"type": "timepicker", "action_id": action_id, "timezone": zone}
    if initial:
        element["initial_time"] = initial
    return element


def session_form_view(
    form: SessionFormInput,
    t: Translator,
    *,
    zone: str,
    currency: str,
    editing_key: str | None = None,
) -> dict[str, Any]:
    """The create/edit modal; *editing_key* is the edited session's (its key cannot change)."""
    _ = gettext_for(t)
    kinds = [bk.option(kind_label(kind, t), kind) for kind in KINDS]
    kind_element: dict[str, Any] = {
        "type": "static_select",
        "action_id": ActionId.SESSION_KIND_INPUT,
        "options": kinds,
    }
    if form.kind in KINDS:
        kind_element["initial_option"] = kinds[KINDS.index(form.kind)]
    options = [
        bk.option(t.gettext("Ask participants for feedback when it ends"), FEEDBACK_OPTION),
        bk.option(t.gettext("Feedback is anonymous"), ANONYMOUS_OPTION),
    ]
    options_element: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": ActionId.SESSION_OPTIONS_INPUT,
        "options": options,
    }
    chosen = [o for o, on in zip(options, (form.feedback, form.anonymous), strict=True) if on]
    if chosen:
        options_element["initial_options"] = chosen
    members_only = bk.option(
        t.gettext("Only for the season's members (included in the membership)"),
        MEMBERS_ONLY_OPTION,
    )
    audience_element: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": ActionId.SESSION_AUDIENCE_INPUT,
        "options": [members_only],
    }
    if form.members_only:
        audience_element["initial_options"] = [members_only]
    url_element: dict[str, Any] = {
        "type": "url_text_input",
        "action_id": ActionId.SESSION_URL_INPUT,
    }
    if form.online_url:
        url_element["initial_value"] = form.online_url

    blocks: list[bk.Block] = [bk.context(_("Times are in %(zone)s.", zone=t.zone_city(zone)))]
    if editing_key is None:
        key_element = _text_element(ActionId.SESSION_KEY_INPUT, form.key, MAX_KEY_LENGTH)
        key_element["placeholder"] = bk.plain("2027-06-10-symposium", 150)
        blocks.append(
            bk.input_block(
                BlockId.SESSION_KEY,
                t.gettext("Key"),
                key_element,
                hint=t.gettext(
                    "Used in commands such as /sdg show KEY. It cannot be changed later."
                ),
            )
        )
    else:
        blocks.append(bk.context(_("Key: `%(key)s`", key=editing_key)))
    blocks += [
        bk.input_block(
            BlockId.SESSION_TITLE,
            t.gettext("Title"),
            _text_element(ActionId.SESSION_TITLE_INPUT, form.title, MAX_TITLE_LENGTH),
        ),
        bk.input_block(BlockId.SESSION_KIND, t.gettext("Kind"), kind_element),
        bk.input_block(
            BlockId.SESSION_DATE,
            t.gettext("Date"),
            _date_element(ActionId.SESSION_DATE_INPUT, form.date),
        ),
        bk.input_block(
            BlockId.SESSION_START,
            t.gettext("Starts"),
            _time_element(ActionId.SESSION_START_INPUT, form.start, zone),
        ),
        bk.input_block(
            BlockId.SESSION_END,
            t.gettext("Ends"),
            _time_element(ActionId.SESSION_END_INPUT, form.end, zone),
        ),
        bk.input_block(
            BlockId.SESSION_END_DATE,
            t.gettext("End date"),
            _date_element(ActionId.SESSION_END_DATE_INPUT, form.end_date),
            optional=True,
            hint=t.gettext("Only for a session that ends on a later day."),
        ),
        bk.input_block(
            BlockId.SESSION_LOCATION,
            t.gettext("Place"),
            _text_element(ActionId.SESSION_LOCATION_INPUT, form.location, MAX_LOCATION_LENGTH),
            optional=True,
            hint=t.gettext(
                "A room and address, or “online” (or “Microsoft Teams”) for an online session."
            ),
        ),
        bk.input_block(
            BlockId.SESSION_URL,
            t.gettext("Online link"),
            url_element,
            optional=True,
            hint=t.gettext("A place, an online link or both."),
        ),
        bk.input_block(
            BlockId.SESSION_CAPACITY,
            t.gettext("Seats in the room"),
            _number_element(ActionId.SESSION_CAPACITY_INPUT, form.capacity),
            optional=True,
            hint=t.gettext("0 or empty: no limit. When it is full, members join a waiting list."),
        ),
        bk.input_block(
            BlockId.SESSION_PRICE,
            t.gettext("Price per participant (%(currency)s)", currency=currency),
            _number_element(ActionId.SESSION_PRICE_INPUT, form.price),
            optional=True,
            hint=t.gettext("Empty or 0: free."),
        ),
        bk.input_block(
            BlockId.SESSION_AUDIENCE, t.gettext("Who can register"), audience_element, optional=True
        ),
        bk.input_block(
            BlockId.SESSION_OPTIONS, t.gettext("Feedback"), options_element, optional=True
        ),
        bk.input_block(
            BlockId.SESSION_DESCRIPTION,
            t.gettext("Description"),
            _text_element(
                ActionId.SESSION_DESCRIPTION_INPUT,
                form.description,
                MAX_DESCRIPTION_LENGTH,
                multiline=True,
            ),
            optional=True,
            hint=t.gettext(
                "The agenda (times, titles, speakers) is kept in the programme file: "
                "sdgbot import PROGRAM.toml."
            ),
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CallbackId.SESSION_FORM,
        "private_metadata": editing_key or "",
        "title": bk.plain(
            t.gettext(NEW_TITLE if editing_key is None else EDIT_TITLE), bk.MAX_MODAL_TITLE
        ),
        "submit": bk.plain(t.gettext("Save"), 24),
        "close": bk.plain(t.gettext("Cancel"), 24),
        "blocks": blocks,
    }


def saving_text(t: Translator) -> str:
    return ":hourglass_flowing_sand: " + t.gettext("Saving…")


# --- answers to the facilitator ------------------------------------------------------------


def saved_text(saved: SavedSession, t: Translator) -> str:
    return render("manage_saved.md.j2", t, saved=saved, title=saved.view.title, key=saved.view.key)


def saved_reply(saved: SavedSession, t: Translator, *, currency: str) -> Reply:
    """The DM after saving: what happened, and the card as members see it."""
    text = saved_text(saved, t)
    card = session_card(saved.view, t, currency=currency)
    return Reply(text, bk.fit_message([bk.section(text), bk.divider(), *card]))


def cancel_confirmation_reply(preview: CancellationPreview, t: Translator) -> Reply:
    """The question before cancelling, with a danger button that asks once more."""
    _ = gettext_for(t)
    session = preview.session
    if preview.already_cancelled:
        return already_cancelled_reply(session.title, t)
    text = render(
        "manage_cancel_confirm.md.j2", t, p=preview, title=session.title, when=when_text(session, t)
    )
    confirm = {
        "title": bk.plain(t.gettext("Cancel the session?"), 100),
        "text": bk.plain(
            t.gettext("Everyone registered gets a message that it is cancelled."), 300
        ),
        "confirm": bk.plain(t.gettext("Yes, cancel it"), 30),
        "deny": bk.plain(t.gettext("No, keep it"), 30),
        "style": "danger",
    }
    button = bk.button(
        t.gettext("Cancel the session"),
        ActionId.CONFIRM_CANCEL_SESSION,
        session.key,
        style="danger",
        confirm=confirm,
    )
    fallback = _("Cancel %(title)s?", title=session.title)
    return Reply(
        fallback,
        [bk.section(text), bk.actions(button, block_id=BlockId.CANCEL_SESSION_ACTIONS)],
    )


def already_cancelled_reply(title: str, t: Translator) -> Reply:
    _ = gettext_for(t)
    text = ":information_source: " + _(
        "%(title)s was already cancelled. Nothing has changed.", title=title
    )
    return Reply(text, [bk.section(text)])


def cancelled_reply(outcome: SessionCancellation, t: Translator) -> Reply:
    if outcome.already:
        return already_cancelled_reply(outcome.title, t)
    _ = gettext_for(t)
    ngettext = ngettext_for(t)
    text = ":no_entry: " + _("%(title)s is cancelled.", title=outcome.title)
    if outcome.told:
        text += " " + ngettext(
            "%(num)d registered member gets a message about it.",
            "%(num)d registered members get a message about it.",
            outcome.told,
        )
    return Reply(text, [bk.section(text)])


def channel_mention(channel_id: str) -> Mrkdwn:
    return Mrkdwn(f"<#{channel_id}>")


def announced_reply(title: str, channel_id: str, t: Translator) -> Reply:
    _ = gettext_for(t)
    text = ":mega: " + _(
        "%(title)s is posted in %(channel)s.", title=title, channel=channel_mention(channel_id)
    )
    return Reply(text, [bk.section(text)])


def not_in_channel_reply(channel_id: str, t: Translator) -> Reply:
    _ = gettext_for(t)
    text = ":warning: " + _(
        "I cannot post in %(channel)s because I am not a member of it. Invite me "
        "(type /invite @sdgbot in the channel) and try again, or run the command in "
        "a channel I am in.",
        channel=channel_mention(channel_id),
    )
    return Reply(text, [bk.section(text)])


def announcement_message(
    view: SessionView, t: Translator, *, currency: str, registration_open: bool
) -> Reply:
    """The public card for a channel: the network's language and zone, no reader's status."""
    _ = gettext_for(t)
    text = _("%(title)s, %(date)s", title=view.title, date=t.date(view.starts))
    card = session_card(
        view, t, currency=currency, public=True, registration_open=registration_open
    )
    return Reply(text, card, public=True)
