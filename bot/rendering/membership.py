"""``/sdg membership`` and the membership offered with a members-only session."""

from __future__ import annotations

import json

from babel.dates import format_date
from babel.numbers import format_percent

from bot.i18n import Translator
from bot.ids import ActionId, BlockId
from bot.rendering import blocks as bk
from bot.rendering.money import money
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for
from bot.services.membership import MembershipChange, MembershipStatus


def membership_value(season_key: str, register: str = "", member: str = "") -> str:
    """A button's value: the season, a session to register for after joining, and (on a
    facilitator's buttons) the member it is about."""
    return json.dumps({"season": season_key, "register": register, "member": member})


def read_membership_value(value: str) -> tuple[str, str, str]:
    """(season, session to register for, member) from a button's value; "" where absent."""
    try:
        data = json.loads(value or "{}")
    except ValueError:
        return "", "", ""
    if not isinstance(data, dict):
        return "", "", ""
    fields = (data.get("season"), data.get("register"), data.get("member"))
    season, register, member = (v if isinstance(v, str) else "" for v in fields)
    return season, register, member


def _price_line(status: MembershipStatus, t: Translator) -> str:
    _ = gettext_for(t)
    price = money(status.price_now, status.currency, t)
    if status.price_now < status.full_price:
        return _(
            "%(price)s (%(percent)s off the full %(full)s: a colleague from %(organisation)s "
            "is enrolled already)",
            price=price,
            percent=format_percent(status.discount, locale=t.locale),
            full=money(status.full_price, status.currency, t),
            organisation=status.organisation,
        )
    return price


def _join_button(status: MembershipStatus, t: Translator, register: str = "") -> bk.Block:
    _ = gettext_for(t)
    price = money(status.price_now, status.currency, t)
    confirm = {
        "title": bk.plain(t.gettext("Join the membership?"), 100),
        "text": bk.plain(
            _(
                "Season %(season)s: you will be invoiced %(price)s.",
                season=status.season.title,
                price=price,
            ),
            300,
        ),
        "confirm": bk.plain(t.gettext("Yes, join"), 30),
        "deny": bk.plain(t.gettext("Not now"), 30),
    }
    label = t.gettext("Join and register") if register else t.gettext("Join")
    return bk.button(
        label,
        ActionId.JOIN_MEMBERSHIP,
        membership_value(status.season.key, register),
        style="primary",
        confirm=confirm,
    )


def _leave_button(status: MembershipStatus, t: Translator) -> bk.Block:
    confirm = {
        "title": bk.plain(t.gettext("Leave the membership?"), 100),
        "text": bk.plain(
            t.gettext("Your registrations for the season's network meetings are cancelled."),
            300,
        ),
        "confirm": bk.plain(t.gettext("Yes, leave"), 30),
        "deny": bk.plain(t.gettext("No, stay"), 30),
    }
    return bk.button(
        t.gettext("Leave"),
        ActionId.LEAVE_MEMBERSHIP,
        membership_value(status.season.key),
        style="danger",
        confirm=confirm,
    )


def membership_reply(
    status: MembershipStatus, t: Translator, *, note: str = "", member: str = ""
) -> Reply:
    """The member's enrolment, how many from their organisation, what joining costs now.

    With *member* (a Slack user id) it is a facilitator looking at that member:
    Enrol / Remove work at any time of the season.
    """
    _ = gettext_for(t)
    heading = _("Network membership %(season)s", season=status.season.title)
    if member:
        return _member_reply(status, t, member, heading, note)
    lines: list[str] = []
    if note:
        lines.append(note)
    if status.enrolled:
        lines.append(":white_check_mark: *" + _("You are enrolled in the membership.") + "*")
        lines.append(":receipt: " + _("Your price: %(price)s", price=_price_line(status, t)))
    else:
        lines.append(_("You are not enrolled in the membership this season."))
        lines.append(
            ":receipt: " + _("Joining costs you now: %(price)s", price=_price_line(status, t))
        )
    if status.organisation:
        lines.append(
            ":busts_in_silhouette: "
            + t.ngettext(
                "%(num)d participant from %(organisation)s is enrolled.",
                "%(num)d participants from %(organisation)s are enrolled.",
                status.enrolled_from_organisation,
                organisation=status.organisation,
            )
        )
    lines.append(
        _(
            "The membership covers the season's network meetings (%(first)s to %(last)s). "
            "The first participant from an organisation pays %(full)s, each further one "
            "%(percent)s less.",
            first=format_date(status.season.first_day, "long", locale=t.locale),
            last=format_date(status.season.last_day, "long", locale=t.locale),
            full=money(status.full_price, status.currency, t),
            percent=format_percent(status.discount, locale=t.locale),
        )
    )
    elements: list[bk.Block] = []
    if not status.enrolled:
        elements.append(_join_button(status, t))
    elif status.may_leave:
        elements.append(_leave_button(status, t))
    blocks: list[bk.Block] = [bk.header(heading), bk.section("\n".join(lines))]
    if status.enrolled and not status.may_leave:
        blocks.append(
            bk.context(
                _("The season's first network meeting has started: ask a facilitator to change it.")
            )
        )
    if elements:
        blocks.append(bk.actions(*elements, block_id=BlockId.MEMBERSHIP_ACTIONS))
    return Reply(heading, blocks)


def _member_reply(
    status: MembershipStatus, t: Translator, member: str, heading: str, note: str
) -> Reply:
    _ = gettext_for(t)
    lines = [note] if note else []
    if status.enrolled:
        lines.append(":white_check_mark: " + _("<@%(member)s> is enrolled.", member=member))
        lines.append(":receipt: " + _("Price: %(price)s", price=_price_line(status, t)))
        button = bk.button(
            t.gettext("Remove from the membership"),
            ActionId.REMOVE_MEMBER,
            membership_value(status.season.key, member=member),
            style="danger",
        )
    else:
        lines.append(_("<@%(member)s> is not enrolled.", member=member))
        lines.append(
            ":receipt: " + _("Joining costs you now: %(price)s", price=_price_line(status, t))
        )
        button = bk.button(
            t.gettext("Enrol"),
            ActionId.ENROL_MEMBER,
            membership_value(status.season.key, member=member),
            style="primary",
        )
    return Reply(
        heading,
        [
            bk.header(heading),
            bk.section("\n".join(lines)),
            bk.actions(button, block_id=BlockId.MEMBERSHIP_ACTIONS),
        ],
    )


def membership_changed_reply(
    change: MembershipChange, t: Translator, *, left: bool, member: str = ""
) -> Reply:
    _ = gettext_for(t)
    status = change.status
    if left:
        note = ":information_source: " + (
            _("You had already left the membership.")
            if change.already
            else _("You have left the membership of %(season)s.", season=status.season.title)
        )
        if change.cancelled_sessions:
            note += "\n" + _("Cancelled: %(titles)s", titles=", ".join(change.cancelled_sessions))
    else:
        note = ":tada: " + (
            _("You were already enrolled.")
            if change.already
            else _(
                "Welcome! You are enrolled in the membership of %(season)s.",
                season=status.season.title,
            )
        )
    if member:  # a facilitator's change: the answer says where the member stands now
        note = ""
    return membership_reply(status, t, note=note, member=member)


def members_only_reply(title: str, status: MembershipStatus, key: str, t: Translator) -> Reply:
    """Registering for a members-only session as a non-member: the membership, offered."""
    _ = gettext_for(t)
    text = "\n".join(
        [
            ":lock: *"
            + _("%(title)s is for the members of the network this season.", title=title)
            + "*",
            _(
                "The membership of %(season)s covers all the season's network meetings. "
                "Joining costs you %(price)s.",
                season=status.season.title,
                price=_price_line(status, t),
            ),
        ]
    )
    blocks = [
        bk.section(text),
        bk.actions(_join_button(status, t, register=key), block_id=BlockId.MEMBERSHIP_ACTIONS),
    ]
    return Reply(_("%(title)s is for the members of the network this season.", title=title), blocks)
