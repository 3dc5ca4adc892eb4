"""Accept and Decline on a seat-offer DM (a waiting-list promotion to a priced session)."""

from __future__ import annotations

from bot.ids import ActionId
from bot.rendering.offers import declined_reply
from bot.rendering.registration import outcome_reply
from bot.rendering.reply import Reply
from bot.rendering.sessions import value_of
from bot.services import offers
from handlers.frame import Frame, Request


def accept_click(req: Request) -> Reply:
    with req.write() as db:
        outcome = offers.accept_offer(
            db,
            req.team,
            req.user_id,
            value_of(req.value),
            req.now,
            fees=req.settings.fees,
            offer_valid=req.settings.registration.offer_valid,
        )
    return outcome_reply(outcome, req.t)


def decline_click(req: Request) -> Reply:
    with req.write() as db:
        outcome = offers.decline_offer(db, req.team, req.user_id, value_of(req.value), req.now)
    return declined_reply(outcome, req.t)


def register(frame: Frame) -> None:
    frame.action(ActionId.ACCEPT_SEAT_OFFER, accept_click)
    frame.action(ActionId.DECLINE_SEAT_OFFER, decline_click)
