"""``/sdg invoices [SEASON]`` and ``/sdg invoices details ORGANISATION`` (facilitators).

Both are facilitator words: the frame runs the follow-up only after its
fresh facilitator check.  The first numbers the season's invoices and
uploads the invoice basis and the e-invoices to the facilitator's DM; the
second opens the invoice details form of one organisation.
"""

from __future__ import annotations

from bot.commands import CommandName
from bot.errors import MissingArgument
from bot.rendering.invoicing import (
    facilitator_details_modal,
    invoice_files,
    invoices_sent_reply,
    invoices_working_reply,
)
from bot.rendering.reply import Reply
from bot.services import invoice_details, invoicing
from handlers.feedback_reports import dm_channel
from handlers.frame import CommandAnswer, FollowUp, Request

DETAILS_WORDS = frozenset({"details", "detaljer"})


def invoices_to_dm(req: Request, season_key: str) -> Reply:
    settings = req.settings
    with req.write() as db:
        batch = invoicing.season_batch(
            db,
            req.team,
            season_key or None,
            req.now,
            settings.bot.zone,
            settings.fees,
            settings.invoicing,
        )
    files = invoice_files(batch, settings.invoicing, req.t)
    req.web.files_upload_v2(
        channel=dm_channel(req),
        file_uploads=[{"file": f.content, "filename": f.filename, "title": f.title} for f in files],
    )
    return invoices_sent_reply(batch, req.t)


def open_details_form(req: Request, organisation_id: int | None, name: str = "") -> None:
    """The invoice details form of one organisation (by id, or by name)."""
    with req.db() as db:
        if organisation_id is not None:
            organisation = invoice_details.organisation_by_id(db, req.team, organisation_id)
        else:
            organisation = invoice_details.find_organisation(db, req.team, name)
        current = invoice_details.details_of(db, req.team, organisation.id)
        view = facilitator_details_modal(
            organisation.id, organisation.name, organisation.country, current, req.t
        )
    req.web.views_open(trigger_id=req.surface.trigger_id, view=view)


def answer_invoices(req: Request, argument: str) -> FollowUp:
    words = argument.split()
    if words and words[0].casefold() in DETAILS_WORDS:
        name = " ".join(words[1:])

        def details(lazy: Request) -> None:
            if not name:
                raise MissingArgument(usage="/sdg invoices details ORGANISATION")
            open_details_form(lazy, None, name)

        return FollowUp(run=details)
    season_key = words[0] if words else ""
    return FollowUp(
        run=lambda lazy: invoices_to_dm(lazy, season_key), ack=invoices_working_reply(req.t)
    )


ANSWERS: dict[CommandName, CommandAnswer] = {CommandName.INVOICES: answer_invoices}
