"""Builders for privacy: the ``/sdg mydata`` file and the ``/sdg forget-me`` messages.

The data file is JSON: UTF-8, indented, keys in English (they name fields of
the database), values as stored, times ISO 8601 with the offset of the
member's time zone.  The explanatory notes in it are in the member's language.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.i18n import Translator
from bot.ids import ActionId, BlockId
from bot.rendering import blocks as bk
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for, render
from bot.services.erasure import ErasureOutcome, ErasurePreview
from bot.services.fees import Fee
from bot.services.personal_data import FacilitatorStatus, PersonalData
from bot.services.registration import SessionSummary

# --- the data file ---------------------------------------------------------------------


def _when(moment: datetime | None, t: Translator) -> str | None:
    return None if moment is None else t.local(moment).isoformat(timespec="seconds")


def _session(session: SessionSummary, t: Translator) -> dict[str, Any]:
    return {
        "key": session.key,
        "title": session.title,
        "starts_at": _when(session.starts, t),
        "ends_at": _when(session.ends, t),
    }


def _fee(fee: Fee | None) -> dict[str, Any] | None:
    if fee is None:
        return None
    return {
        "amount": fee.amount,
        "currency": fee.currency,
        "full_price": fee.full_price,
        "discount_for_colleague_from": fee.colleague_organisation,
    }


def personal_data_document(
    data: PersonalData, facilitator: FacilitatorStatus, t: Translator, generated_at: datetime
) -> dict[str, Any]:
    """The file's content as plain JSON values."""
    days = data.retain.days
    notes = {
        "about": t.gettext(
            "Everything sdgbot stores about you. Times are in your time zone, %(zone)s.",
            zone=t.timezone,
        ),
        "retention": t.gettext(
            "%(days)s days after a session ends, your registration and feedback for it are "
            "detached from you and kept only as anonymous counts, and the messages about it "
            "are deleted.",
            days=days,
        ),
        "anonymous_feedback": t.gettext(
            "In anonymous sessions only the fact that you answered is stored with your name. "
            "Your answers are stored without any link to you, so they cannot be shown here "
            "or erased."
        ),
        "erase": t.gettext("To erase your personal data, write /sdg forget-me."),
    }
    profile = data.profile
    return {
        "slack_user_id": data.slack_user_id,
        "generated_at": _when(generated_at, t),
        "time_zone_of_this_file": t.timezone,
        "notes": notes,
        "profile": None
        if profile is None
        else {
            "name": profile.name,
            "organisation": profile.organisation,
            "organisation_country": profile.organisation_country,
            "role": profile.role,
            "language": profile.language,
            "created_at": _when(profile.created_at, t),
            "slack_profile": {
                "real_name": profile.slack_real_name,
                "time_zone": profile.slack_time_zone,
                "locale": profile.slack_locale,
                "fetched_at": _when(profile.slack_profile_fetched_at, t),
            },
        },
        "calendar_link": None
        if data.calendar_link_created_at is None
        else {
            "created_at": _when(data.calendar_link_created_at, t),
            "note": t.gettext(
                "Your private calendar address (/sdg calendar). /sdg calendar reset replaces it."
            ),
        },
        "facilitator": {
            "listed_in_configuration": facilitator.listed,
            "user_group": facilitator.usergroup or None,
            "in_user_group": facilitator.in_usergroup,
        },
        "registrations": [
            {
                "session": _session(r.session, t),
                "status": r.status,
                "attendance": r.attendance,
                "organisation": r.organisation,
                "registered_at": _when(r.registered_at, t),
                "queued_at": _when(r.queued_at, t),
                "cancelled_at": _when(r.cancelled_at, t),
                "promoted_at": _when(r.promoted_at, t),
                "fee": _fee(r.fee),
                "detached_from_you_after": _when(r.erased_after, t),
            }
            for r in data.registrations
        ],
        "memberships": [
            {
                "season": m.season,
                "organisation": m.organisation,
                "enrolled_at": _when(m.enrolled_at, t),
                "left_at": _when(m.left_at, t),
            }
            for m in data.memberships
        ],
        "guests_you_brought": [
            {
                "session": _session(g.session, t),
                "name": g.name,
                "email": g.email,
                "role": g.role,
                "status": g.status,
                "added_at": _when(g.created_at, t),
            }
            for g in data.guests
        ],
        "messages": [
            {
                "kind": m.kind,
                "session": _session(m.session, t),
                "offset": m.offset or None,
                "due_at": _when(m.due_at, t),
                "state": m.state,
                "sent_at": _when(m.sent_at, t),
                "skip_reason": m.skip_reason,
            }
            for m in data.messages
        ],
        "feedback": [
            {
                "session": _session(f.session, t),
                "rating": f.rating,
                "most_valuable": f.most_valuable,
                "should_change": f.should_change,
                "sdgs": list(f.goals),
                "would_recommend": f.would_recommend,
                "role_when_answered": f.role,
                "organisation_when_answered": f.organisation,
            }
            for f in data.feedback
        ],
        "anonymous_feedback_given": [
            {"session": _session(session, t), "answers_linked_to_you": False}
            for session in data.anonymous_feedback
        ],
    }


def personal_data_json(
    data: PersonalData, facilitator: FacilitatorStatus, t: Translator, generated_at: datetime
) -> bytes:
    document = personal_data_document(data, facilitator, t, generated_at)
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def personal_data_filename(generated_at: datetime, t: Translator) -> str:
    return f"sdgbot-my-data-{t.local(generated_at).date().isoformat()}.json"


def personal_data_title(t: Translator) -> str:
    return t.gettext("Your data in sdgbot")


def mydata_sent_reply(t: Translator) -> Reply:
    _ = gettext_for(t)
    text = ":page_facing_up: " + _(
        "I have sent you everything sdgbot stores about you, as a file in our direct messages."
    )
    return Reply(text, [bk.section(text)])


# --- forget-me -------------------------------------------------------------------------


def _confirm_dialog(t: Translator) -> dict[str, Any]:
    return {
        "title": bk.plain(t.gettext("Erase your data?"), 100),
        "text": bk.plain(t.gettext("This cannot be undone."), 300),
        "confirm": bk.plain(t.gettext("Erase"), 30),
        "deny": bk.plain(t.gettext("Keep my data"), 30),
        "style": "danger",
    }


def forget_me_reply(preview: ErasurePreview, slack_user_id: str, t: Translator) -> Reply:
    """The private question; the button carries the id of the member it was made for."""
    text = render("privacy_forget_me.md.j2", t, p=preview)
    buttons = bk.actions(
        bk.button(
            t.gettext("Erase my data"),
            ActionId.FORGET_ME_CONFIRM,
            slack_user_id,
            style="danger",
            confirm=_confirm_dialog(t),
        ),
        bk.button(t.gettext("Keep my data"), ActionId.FORGET_ME_KEEP, slack_user_id),
        block_id=BlockId.FORGET_ME_ACTIONS,
    )
    return Reply(t.gettext("Erase your personal data?"), [bk.section(text), buttons])


def erased_reply(outcome: ErasureOutcome, t: Translator) -> Reply:
    text = render("privacy_erased.md.j2", t, o=outcome)
    if outcome.erased:
        fallback = t.gettext("Your personal data has been erased.")
    else:
        fallback = t.gettext("Nothing is stored about you, so there was nothing to erase.")
    return Reply(fallback, [bk.section(text)])


def kept_reply(t: Translator) -> Reply:
    _ = gettext_for(t)
    text = ":ok_hand: " + _("Nothing was erased.")
    return Reply(text, [bk.section(text)])


def not_your_button_reply(t: Translator) -> Reply:
    _ = gettext_for(t)
    text = ":warning: " + _(
        "This button was made for someone else, so nothing was erased. "
        "To erase your own data, write /sdg forget-me."
    )
    return Reply(text, [bk.section(text)])
