"""The "Add details" buttons under ``/sdg invoices`` (facilitators; checked fresh by the frame)."""

from __future__ import annotations

from bot.errors import UnreadableRequest
from bot.ids import ActionId
from handlers.commands.invoices import open_details_form
from handlers.frame import Frame, Request


def edit_details_click(req: Request) -> None:
    if not req.value.isdigit():
        raise UnreadableRequest()
    open_details_form(req, int(req.value))


def register(frame: Frame) -> None:
    frame.action(ActionId.EDIT_INVOICE_DETAILS, edit_details_click, facilitator=True)
