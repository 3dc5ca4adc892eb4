"""Builders for registration: confirmations, the waiting list, ``/sdg my``, the profile modal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_percent

from bot.i18n import Translator
from bot.ids import ActionId, BlockId, CallbackId
from bot.models import Attendance, RegistrationStatus
from bot.rendering import blocks as bk
from bot.rendering.cancellation import cancel_registration_button
from bot.rendering.labels import ROLE_LABELS
from bot.rendering.money import money
from bot.rendering.mrkdwn import Mrkdwn, clip, link
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for, render
from bot.services.fees import Fee
from bot.services.profiles import OTHER, OrganisationChoice, Profile
from bot.services.registration import (
    CancelOutcome,
    MyRegistration,
    PromotionNotice,
    RegistrationOutcome,
    SessionSummary,
)

_MAX_PLAIN_INPUT = 200


@dataclass(frozen=True)
class PendingRegistration:
    """The registration a profile modal completes on submit (its private_metadata)."""

    key: str
    attendance: str | None = None

    def to_metadata(self) -> str:
        return json.dumps({"register": self.key, "attendance": self.attendance})

    @classmethod
    def from_metadata(cls, metadata: str) -> PendingRegistration | None:
        try:
            data = json.loads(metadata or "{}")
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("register"), str):
            return None
        attendance = data.get("attendance")
        valid = attendance in (Attendance.ROOM, Attendance.ONLINE)
        return cls(data["register"], str(attendance) if valid else None)


# --- pieces ------------------------------------------------------------------------------


def fee_text(fee: Fee | None, t: Translator) -> Mrkdwn:
    _ = gettext_for(t)
    if fee is None:
        return Mrkdwn("")
    if fee.included:
        return _("Included in the network membership")
    if fee.amount == 0:
        return _("Free of charge")
    amount = money(fee.amount, fee.currency, t)
    if fee.colleague_organisation is None:
        return _("Fee: %(amount)s", amount=amount)
    return _(
        "Fee: %(amount)s (%(percent)s discount: a colleague from %(organisation)s "
        "is already registered)",
        amount=amount,
        percent=format_percent(fee.discount, locale=t.locale),
        organisation=fee.colleague_organisation,
    )


def when_text(session: SessionSummary, t: Translator) -> Mrkdwn:
    """Date and time in the reader's zone, naming the zone when it is not the session's."""
    _ = gettext_for(t)
    text = _(
        "%(date)s, %(start)s–%(end)s",
        date=t.date(session.starts),
        start=t.time(session.starts),
        end=t.time(session.ends),
    )
    own = t.local(session.starts).utcoffset()
    if own != t.local(session.starts, session.timezone).utcoffset():
        text = Mrkdwn(f"{text} ({t.zone_city()})")
    return text


def attendance_text(session: SessionSummary, attendance: str, t: Translator) -> Mrkdwn:
    _ = gettext_for(t)
    if attendance == Attendance.ONLINE:
        if session.online_url:
            text = _("Online: %(link)s", link=link(session.online_url, t.gettext("Join online")))
        else:
            text = _("Online")
        return Mrkdwn(":computer: " + text)
    return Mrkdwn(":round_pushpin: " + _("In the room: %(place)s", place=session.location))


# --- messages ----------------------------------------------------------------------------


def outcome_reply(outcome: RegistrationOutcome, t: Translator) -> Reply:
    """What a member sees right after registering (or registering again)."""
    _ = gettext_for(t)
    title = outcome.session.title
    text = render(
        "registration_outcome.md.j2",
        t,
        o=outcome,
        when=when_text(outcome.session, t),
        attendance=attendance_text(outcome.session, outcome.attendance, t),
        fee=fee_text(outcome.fee, t),
    )
    if outcome.confirmed:
        fallback = _("You are registered for %(title)s.", title=title)
    else:
        fallback = _(
            "You are number %(position)s on the waiting list for %(title)s.",
            position=outcome.waiting_position,
            title=title,
        )
    buttons = [cancel_registration_button(outcome.session.key, outcome.session.title, t)]
    if outcome.status != RegistrationStatus.CANCELLED:
        # Colleagues in Slack and guests without it (bot/rendering/guests.py).
        buttons.append(
            bk.button(
                t.gettext("Add colleagues or guests"), ActionId.OPEN_COMPANIONS, outcome.session.key
            )
        )
    blocks = [bk.section(text), bk.actions(*buttons, block_id=BlockId.REGISTRATION)]
    return Reply(fallback, blocks)


def attendance_choice_reply(key: str, title: str, t: Translator) -> Reply:
    _ = gettext_for(t)
    question = _(
        "*%(title)s* takes place both in the room and online. How will you take part?",
        title=title,
    )
    blocks = [
        bk.section(question),
        bk.actions(
            bk.button(t.gettext("In the room"), ActionId.REGISTER_IN_ROOM, key, style="primary"),
            bk.button(t.gettext("Online"), ActionId.REGISTER_ONLINE, key),
            block_id=BlockId.ATTENDANCE_CHOICE,
        ),
    ]
    return Reply(_("How will you take part in %(title)s?", title=title), blocks)


def cancel_reply(outcome: CancelOutcome, t: Translator) -> Reply:
    _ = gettext_for(t)
    title = outcome.session.title
    if outcome.already:
        text = ":information_source: " + _(
            "Your registration for %(title)s was already cancelled.", title=title
        )
    elif outcome.previous_status == RegistrationStatus.WAITING:
        text = ":white_check_mark: " + _(
            "You have left the waiting list for %(title)s.", title=title
        )
    else:
        text = ":white_check_mark: " + _(
            "Your registration for %(title)s is cancelled.", title=title
        )
    again = bk.button(t.gettext("Register again"), ActionId.REGISTER, outcome.session.key)
    return Reply(text, [bk.section(text), bk.actions(again, block_id=BlockId.REGISTRATION)])


def my_registrations_reply(items: list[MyRegistration], t: Translator) -> Reply:
    _ = gettext_for(t)
    heading = t.gettext("Your registrations")
    if not items:
        text = _(
            "You have no registrations for upcoming sessions. `/sdg list` shows what is coming."
        )
        return Reply(text, [bk.section(text)])
    out: list[bk.Block] = [bk.header(heading)]
    room = bk.MAX_MESSAGE_BLOCKS - 2  # header + a possible overflow note
    for item in items[:room]:
        line = render(
            "registration_item.md.j2",
            t,
            item=item,
            when=when_text(item.session, t),
            attendance=attendance_text(item.session, item.attendance, t),
        )
        accessory = (
            cancel_registration_button(item.session.key, item.session.title, t)
            if item.can_cancel
            else None
        )
        out.append(bk.section(line, accessory=accessory))
    if len(items) > room:
        out.append(bk.context(_("%(count)s more are not shown.", count=len(items) - room)))
    return Reply(heading, out)


def promotion_message(notice: PromotionNotice, t: Translator) -> tuple[str, list[bk.Block]]:
    """The DM a waiting member gets when a seat is theirs."""
    _ = gettext_for(t)
    text = render(
        "registration_promoted.md.j2",
        t,
        title=notice.session.title,
        when=when_text(notice.session, t),
        attendance=attendance_text(notice.session, notice.attendance, t),
        fee=fee_text(notice.fee, t),
    )
    fallback = _("You have a seat at %(title)s.", title=notice.session.title)
    blocks = [
        bk.section(text),
        bk.actions(
            cancel_registration_button(notice.session.key, notice.session.title, t),
            block_id=BlockId.REGISTRATION,
        ),
    ]
    return fallback, blocks


# --- the profile modal -------------------------------------------------------------------


def role_options(t: Translator) -> list[dict[str, Any]]:
    return [bk.option(t.gettext(label), value) for value, label in ROLE_LABELS.items()]


def organisation_option(choice: OrganisationChoice) -> dict[str, Any]:
    return bk.option(clip(choice.name, bk.MAX_OPTION_TEXT), choice.value)


def organisation_options(choices: list[OrganisationChoice], t: Translator) -> list[dict[str, Any]]:
    """Type-ahead answers: the matches, then always "Other"."""
    options = [organisation_option(choice) for choice in choices[:99]]
    options.append(bk.option(t.gettext("Other (write it below)"), OTHER))
    return options


def profile_modal(
    t: Translator,
    profile: Profile,
    *,
    pending: PendingRegistration | None = None,
    session_title: str = "",
    ask_attendance: bool = False,
) -> dict[str, Any]:
    """Name, organisation (type-ahead), role; and, when registering, in the room or online."""
    _ = gettext_for(t)
    blocks: list[bk.Block] = []
    if pending is not None:
        blocks.append(
            bk.section(
                _(
                    "To register for *%(title)s*, tell us who you are. We ask only once; "
                    "`/sdg profile` changes it later.",
                    title=session_title or pending.key,
                )
            )
        )
    name: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ActionId.PROFILE_NAME_INPUT,
        "max_length": _MAX_PLAIN_INPUT,
    }
    if profile.name_or_slack_name:
        name["initial_value"] = profile.name_or_slack_name[:_MAX_PLAIN_INPUT]
    blocks.append(bk.input_block(BlockId.PROFILE_NAME, t.gettext("Name"), name))

    organisation: dict[str, Any] = {
        "type": "external_select",
        "action_id": ActionId.ORGANISATION_SELECT,
        "min_query_length": 1,
        "placeholder": bk.plain(t.gettext("Type to search"), 150),
    }
    if profile.organisation is not None:
        organisation["initial_option"] = organisation_option(profile.organisation)
    blocks.append(
        bk.input_block(
            BlockId.PROFILE_ORGANISATION,
            t.gettext("Municipality or organisation"),
            organisation,
            hint=t.gettext(
                "All Danish and Norwegian municipalities are in the list. "
                "Not there? Choose “Other” and write it below."
            ),
        )
    )
    other: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ActionId.PROFILE_OTHER_INPUT,
        "max_length": _MAX_PLAIN_INPUT,
    }
    blocks.append(
        bk.input_block(
            BlockId.PROFILE_ORGANISATION_OTHER,
            t.gettext("Other organisation"),
            other,
            optional=True,
        )
    )
    role: dict[str, Any] = {
        "type": "static_select",
        "action_id": ActionId.PROFILE_ROLE_SELECT,
        "options": role_options(t),
        "placeholder": bk.plain(t.gettext("Choose"), 150),
    }
    if profile.role is not None and profile.role in ROLE_LABELS:
        role["initial_option"] = bk.option(t.gettext(ROLE_LABELS[profile.role]), profile.role)
    blocks.append(bk.input_block(BlockId.PROFILE_ROLE, t.gettext("Role"), role))

    if pending is not None and ask_attendance:
        blocks.append(
            bk.input_block(
                BlockId.ATTENDANCE,
                t.gettext("How will you take part?"),
                {
                    "type": "radio_buttons",
                    "action_id": ActionId.ATTENDANCE_CHOICE,
                    "options": [
                        bk.option(t.gettext("In the room"), Attendance.ROOM),
                        bk.option(t.gettext("Online"), Attendance.ONLINE),
                    ],
                },
            )
        )
    registering = pending is not None
    return {
        "type": "modal",
        "callback_id": CallbackId.PROFILE,
        "title": bk.plain(
            t.gettext("Registration") if registering else t.gettext("Your profile"),
            bk.MAX_MODAL_TITLE,
        ),
        "submit": bk.plain(t.gettext("Register") if registering else t.gettext("Save"), 24),
        "close": bk.plain(t.gettext("Close"), 24),
        "private_metadata": pending.to_metadata() if pending else "",
        "blocks": blocks,
    }
