"""Colleagues and guests: the form, the colleague's DM, ``/sdg my`` and the guests' e-mails."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.i18n import Translator
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering import blocks as bk
from bot.rendering.labels import role_label
from bot.rendering.registration import attendance_text, role_options, when_text
from bot.rendering.reminders import starts_in
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for
from bot.services.change_notices import ChangeNotice
from bot.services.colleague_answers import AnswerNotice, ColleagueAnswer
from bot.services.colleagues import ColleaguesOutcome, InvitationNotice, OpenInvitation
from bot.services.guests import MAX_GUESTS, GuestsOutcome, MyGuest
from bot.services.registration import SessionSummary


def guest_block_id(base: str, row: int) -> str:
    return f"{base}.{row}"


def open_companions_button(key: str, t: Translator) -> bk.Block:
    return bk.button(t.gettext("Add colleagues or guests"), ActionId.OPEN_COMPANIONS, key)


def companion_blocks(t: Translator, *, guests: bool = True) -> list[bk.Block]:
    """The form part: colleagues in Slack (a multi-select) and MAX_GUESTS optional guest rows.

    The first registration's profile modal has the colleagues only (``guests=False``):
    it is long enough already, and the confirmation's button opens the whole part.
    """
    blocks: list[bk.Block] = [
        bk.input_block(
            BlockId.COMPANION_COLLEAGUES,
            t.gettext("Colleagues you bring"),
            {
                "type": "multi_users_select",
                "action_id": ActionId.COLLEAGUES_SELECT,
                "placeholder": bk.plain(t.gettext("Choose colleagues in Slack"), 150),
            },
            optional=True,
        ),
    ]
    for row in range(1, MAX_GUESTS + 1 if guests else 1):
        blocks.append(bk.divider())
        blocks.append(
            bk.input_block(
                guest_block_id(BlockId.GUEST_NAME, row),
                t.gettext("Guest %(number)s without Slack: name", number=row),
                {
                    "type": "plain_text_input",
                    "action_id": ActionId.GUEST_NAME_INPUT,
                    "max_length": 200,
                },
                optional=True,
            )
        )
        blocks.append(
            bk.input_block(
                guest_block_id(BlockId.GUEST_EMAIL, row),
                t.gettext("E-mail"),
                {"type": "email_text_input", "action_id": ActionId.GUEST_EMAIL_INPUT},
                optional=True,
            )
        )
        blocks.append(
            bk.input_block(
                guest_block_id(BlockId.GUEST_ROLE, row),
                t.gettext("Role"),
                {
                    "type": "static_select",
                    "action_id": ActionId.GUEST_ROLE_SELECT,
                    "options": role_options(t),
                    "placeholder": bk.plain(t.gettext("Choose"), 150),
                },
                optional=True,
            )
        )
    return blocks


def companions_modal(t: Translator, key: str, title: str) -> dict[str, Any]:
    """The form a registered member opens from the confirmation's button."""
    _ = gettext_for(t)
    blocks: list[bk.Block] = [
        bk.section(
            _(
                "Bring colleagues to *%(title)s*. Colleagues in Slack are asked to accept; "
                "their seats are held until they answer. Guests without Slack are registered "
                "at once for your organisation.",
                title=title,
            )
        ),
        *companion_blocks(t),
    ]
    return {
        "type": "modal",
        "callback_id": CallbackId.COMPANIONS,
        "title": bk.plain(t.gettext("Colleagues and guests"), bk.MAX_MODAL_TITLE),
        "submit": bk.plain(t.gettext("Add"), 24),
        "close": bk.plain(t.gettext("Close"), 24),
        "private_metadata": key,
        "blocks": blocks,
    }


def _deadline(moment: datetime, t: Translator) -> str:
    return t.gettext("%(date)s at %(time)s", date=t.date(moment), time=t.time(moment))


def companions_reply(
    colleagues: ColleaguesOutcome | None, guests: GuestsOutcome | None, t: Translator
) -> Reply:
    """What the member hears after the form: who was signed up, who was not, which guests."""
    _ = gettext_for(t)
    lines: list[str] = []
    either = colleagues or guests
    title = either.session.title if either is not None else ""
    if colleagues is not None:
        for signed in colleagues.signed_up:
            lines.append(
                ":envelope: "
                + _(
                    "<@%(member)s> is asked to accept the seat at %(title)s by %(deadline)s.",
                    member=signed.slack_user_id,
                    title=colleagues.session.title,
                    deadline=_deadline(colleagues.expires_at, t),
                )
            )
        for slack_user_id, reason in colleagues.refused:
            lines.append(":no_entry_sign: " + _(reason, member=slack_user_id))
    if guests is not None:
        for guest in guests.added:
            lines.append(
                ":bust_in_silhouette: "
                + _(
                    "%(name)s (%(email)s) is registered for %(title)s as your guest.",
                    name=guest.name,
                    email=guest.email,
                    title=guests.session.title,
                )
            )
    if not lines:
        lines.append(_("Nobody was added to %(title)s.", title=title))
    text = "\n".join(lines)
    return Reply(text, [bk.section(text)])


def colleague_invitation_message(notice: InvitationNotice, t: Translator) -> Reply:
    """The DM to a colleague who was signed up: Accept or Decline before the deadline."""
    _ = gettext_for(t)
    title = notice.session.title
    deadline = _deadline(notice.expires_at, t)
    if notice.organisation:
        who = _(
            "%(name)s (%(organisation)s) has signed you up for %(title)s.",
            name=notice.inviter,
            organisation=notice.organisation,
            title=title,
        )
    else:
        who = _("%(name)s has signed you up for %(title)s.", name=notice.inviter, title=title)
    lines = [
        ":handshake: *" + who + "*",
        ":date: " + when_text(notice.session, t),
        attendance_text(notice.session, notice.attendance, t),
        _(
            "Your seat is held until %(deadline)s. Accept to take it; if you decline or do "
            "not answer, it goes to the next in line.",
            deadline=deadline,
        ),
    ]
    text = "\n".join(lines)
    key = notice.session.key
    blocks = [
        bk.section(text),
        bk.actions(
            bk.button(
                t.gettext("Accept"), ActionId.ACCEPT_COLLEAGUE_INVITATION, key, style="primary"
            ),
            bk.button(t.gettext("Decline"), ActionId.DECLINE_COLLEAGUE_INVITATION, key),
            block_id=BlockId.COLLEAGUE_INVITATION_ACTIONS,
        ),
    ]
    return Reply(who, blocks)


def colleague_answer_message(notice: AnswerNotice, t: Translator) -> Reply:
    """The DM to the member who signed a colleague up: how the sign-up ended."""
    _ = gettext_for(t)
    title = notice.session.title
    colleague = notice.colleague
    if notice.answer is ColleagueAnswer.ACCEPTED:
        text = ":white_check_mark: " + _(
            "<@%(colleague)s> accepted your sign-up and is registered for %(title)s.",
            colleague=colleague,
            title=title,
        )
    elif notice.answer is ColleagueAnswer.DECLINED:
        text = ":wave: " + _(
            "<@%(colleague)s> declined your sign-up for %(title)s; the seat held for them "
            "is given up.",
            colleague=colleague,
            title=title,
        )
    else:
        text = ":hourglass: " + _(
            "<@%(colleague)s> did not answer your sign-up for %(title)s in time; the seat "
            "held for them is given up. You can sign them up again while seats are left.",
            colleague=colleague,
            title=title,
        )
    lines = [text, ":date: " + when_text(notice.session, t)]
    return Reply(text, [bk.section("\n".join(lines))])


def invitation_declined_reply(title: str, t: Translator) -> Reply:
    _ = gettext_for(t)
    text = ":ok_hand: " + _(
        "You declined; the seat at %(title)s goes to the next in line.", title=title
    )
    return Reply(text, [bk.section(text)], replace_original=True)


def my_companions_blocks(
    guests: list[MyGuest], invitations: list[OpenInvitation], t: Translator
) -> list[bk.Block]:
    """``/sdg my``: the member's own guests and unanswered colleague sign-ups, with Cancel."""
    _ = gettext_for(t)
    if not guests and not invitations:
        return []
    out: list[bk.Block] = [bk.header(t.gettext("Your guests and colleagues"))]
    for guest in guests:
        line = _(
            "*%(name)s* (%(role)s, %(email)s): your guest at %(title)s, %(when)s",
            name=guest.name,
            role=role_label(guest.role, t),
            email=guest.email,
            title=guest.session.title,
            when=when_text(guest.session, t),
        )
        accessory = (
            bk.button(t.gettext("Cancel guest"), ActionId.CANCEL_GUEST, str(guest.id))
            if guest.can_cancel
            else None
        )
        out.append(bk.section(line, accessory=accessory))
    for invitation in invitations:
        line = _(
            "<@%(member)s> has not answered yet for %(title)s (seat held until %(deadline)s)",
            member=invitation.slack_user_id,
            title=invitation.session.title,
            deadline=_deadline(invitation.expires_at, t),
        )
        out.append(
            bk.section(
                line,
                accessory=bk.button(
                    t.gettext("Withdraw"),
                    ActionId.WITHDRAW_COLLEAGUE_INVITATION,
                    str(invitation.id),
                ),
            )
        )
    return out[: bk.MAX_MESSAGE_BLOCKS // 2]


def guest_cancelled_reply(guest: MyGuest, t: Translator) -> Reply:
    _ = gettext_for(t)
    text = ":wastebasket: " + _(
        "%(name)s is no longer registered for %(title)s.",
        name=guest.name,
        title=guest.session.title,
    )
    return Reply(text, [bk.section(text)])


def invitation_withdrawn_reply(session: SessionSummary, t: Translator) -> Reply:
    _ = gettext_for(t)
    text = ":wastebasket: " + _(
        "The sign-up is withdrawn; the seat at %(title)s goes to the next in line.",
        title=session.title,
    )
    return Reply(text, [bk.section(text)])


# --- e-mails to guests (plain text, in the language of the member who brought them) -----


def guest_calendar_email(
    session: SessionSummary, guest_name: str, brought_by: str, t: Translator
) -> tuple[str, str]:
    """(subject, body) of the e-mail that carries the session's .ics."""
    subject = t.gettext("Registered: %(title)s", title=session.title)
    place = _place(session)
    body = "\n\n".join(
        [
            t.gettext("Dear %(name)s,", name=guest_name),
            t.gettext(
                "%(member)s has registered you for %(title)s, %(date)s at %(time)s (%(place)s).",
                member=brought_by,
                title=session.title,
                date=t.date(session.starts, session.timezone),
                time=t.time(session.starts, session.timezone),
                place=place or session.title,
            ),
            t.gettext(
                "The attached calendar file puts it in your calendar. If you cannot come, "
                "please tell %(member)s, so that someone else can have your seat.",
                member=brought_by,
            ),
        ]
    )
    return subject, body + "\n"


def guest_reminder_email(
    session: SessionSummary, guest_name: str, t: Translator, *, now: datetime
) -> tuple[str, str]:
    subject = t.gettext(
        "Reminder: %(title)s starts %(when)s",
        title=session.title,
        when=starts_in(session.starts, now, t),
    )
    place = _place(session)
    body = "\n\n".join(
        [
            t.gettext("Dear %(name)s,", name=guest_name),
            t.gettext(
                "%(title)s starts %(date)s at %(time)s (%(place)s).",
                title=session.title,
                date=t.date(session.starts, session.timezone),
                time=t.time(session.starts, session.timezone),
                place=place or session.title,
            ),
        ]
    )
    return subject, body + "\n"


def _place(session: SessionSummary) -> str:
    return (session.online_url if session.is_online_only else session.location) or ""


def guest_change_email(notice: ChangeNotice, guest_name: str, t: Translator) -> tuple[str, str]:
    """(subject, body) of the e-mail to a guest when the session's time, place or link changed."""
    session, before = notice.session, notice.before
    date, time = t.date(session.starts, session.timezone), t.time(session.starts, session.timezone)
    subject = t.gettext("Changed: %(title)s", title=session.title)
    paragraphs = [t.gettext("Dear %(name)s,", name=guest_name)]
    if notice.moved:
        paragraphs.append(
            t.gettext(
                "%(title)s has moved to %(date)s at %(time)s (it was %(old_date)s at "
                "%(old_time)s).",
                title=session.title,
                date=date,
                time=time,
                old_date=t.date(before.starts, session.timezone),
                old_time=t.time(before.starts, session.timezone),
            )
        )
    if notice.place_changed and session.location:
        paragraphs.append(
            t.gettext(
                "It now takes place at %(place)s (it was %(old_place)s).",
                place=session.location,
                old_place=before.location or "-",
            )
        )
    if notice.link_changed and session.online_url:
        paragraphs.append(t.gettext("The online link is now %(link)s", link=session.online_url))
    paragraphs.append(
        t.gettext(
            "The attached calendar file updates the entry in your calendar. %(title)s: "
            "%(date)s at %(time)s (%(place)s).",
            title=session.title,
            date=date,
            time=time,
            place=_place(session) or session.title,
        )
    )
    return subject, "\n\n".join(paragraphs) + "\n"


def guest_cancelled_email(
    session: SessionSummary, guest_name: str, t: Translator
) -> tuple[str, str]:
    """(subject, body) of the e-mail to a guest when the session is cancelled."""
    subject = t.gettext("Cancelled: %(title)s", title=session.title)
    body = "\n\n".join(
        [
            t.gettext("Dear %(name)s,", name=guest_name),
            t.gettext(
                "We are sorry: %(title)s on %(date)s at %(time)s has been cancelled.",
                title=session.title,
                date=t.date(session.starts, session.timezone),
                time=t.time(session.starts, session.timezone),
            ),
            t.gettext("The attached calendar file marks it as cancelled in your calendar."),
        ]
    )
    return subject, body + "\n"
