"""The seat-offer DM: a seat at a priced session, held for the member's answer."""

from __future__ import annotations

from bot.i18n import Translator
from bot.ids import ActionId, BlockId
from bot.rendering import blocks as bk
from bot.rendering.money import money
from bot.rendering.registration import attendance_text, when_text
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for
from bot.services.offers import SeatOffer
from bot.services.registration import CancelOutcome


def seat_offer_message(offer: SeatOffer, t: Translator) -> tuple[str, list[bk.Block]]:
    _ = gettext_for(t)
    title = offer.session.title
    price = money(offer.price.amount, offer.price.currency, t)
    deadline = _(
        "%(date)s at %(time)s", date=t.date(offer.expires_at), time=t.time(offer.expires_at)
    )
    lines = [
        ":ticket: *"
        + _("A seat has become free at %(title)s, and it is offered to you.", title=title)
        + "*",
        ":date: " + when_text(offer.session, t),
        attendance_text(offer.session, offer.attendance, t),
        ":receipt: " + _("Price: %(price)s", price=price),
        _(
            "Accept by %(deadline)s to take it; if you do not answer, it goes to the next "
            "on the waiting list.",
            deadline=deadline,
        ),
    ]
    text = "\n".join(lines)
    confirm = {
        "title": bk.plain(t.gettext("Take the seat?"), 100),
        "text": bk.plain(_("You will be invoiced %(price)s.", price=price), 300),
        "confirm": bk.plain(t.gettext("Yes, take it"), 30),
        "deny": bk.plain(t.gettext("Not yet"), 30),
    }
    key = offer.session.key
    blocks = [
        bk.section(text),
        bk.actions(
            bk.button(
                t.gettext("Accept"),
                ActionId.ACCEPT_SEAT_OFFER,
                key,
                style="primary",
                confirm=confirm,
            ),
            bk.button(t.gettext("Decline"), ActionId.DECLINE_SEAT_OFFER, key),
            block_id=BlockId.SEAT_OFFER_ACTIONS,
        ),
    ]
    fallback = _(
        "A seat at %(title)s is offered to you until %(deadline)s.", title=title, deadline=deadline
    )
    return fallback, blocks


def offer_lapsed_message(key: str, title: str, t: Translator) -> tuple[str, list[bk.Block]]:
    _ = gettext_for(t)
    text = ":hourglass: " + _(
        "You did not answer in time, so the seat at %(title)s has gone to the next on the "
        "waiting list. You can register again; you join the end of the waiting list.",
        title=title,
    )
    again = bk.button(t.gettext("Register again"), ActionId.REGISTER, key)
    return text, [bk.section(text), bk.actions(again, block_id=BlockId.SEAT_OFFER_ACTIONS)]


def declined_reply(outcome: CancelOutcome, t: Translator) -> Reply:
    _ = gettext_for(t)
    if outcome.already:
        text = ":information_source: " + _(
            "The seat at %(title)s is no longer held for you.", title=outcome.session.title
        )
    else:
        text = ":white_check_mark: " + _(
            "You have declined the seat at %(title)s; it goes to the next on the waiting list.",
            title=outcome.session.title,
        )
    return Reply(text, [bk.section(text)])
