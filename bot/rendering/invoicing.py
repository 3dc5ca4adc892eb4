"""Invoice details forms and the answers of ``/sdg invoices``.

Two forms ask for the same fields: the one a member sees when they are the
first of their organisation to join the membership (the price again, and
joining happens on submit), and the one a facilitator opens for any
organisation (prefilled with what is stored).  Labels follow the
organisation's country: an EAN for a Danish one, an organisation number for
a Norwegian one.
"""

from __future__ import annotations

import json
from typing import Any

from bot.config import InvoicingSettings
from bot.i18n import Translator
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering import blocks as bk
from bot.rendering.csv_files import ExportFile
from bot.rendering.invoice_workbook import invoice_workbook
from bot.rendering.money import money
from bot.rendering.mrkdwn import escape
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for
from bot.rendering.ubl_invoice import ubl_filename, ubl_invoice_xml
from bot.services.invoice_details import MAX_REFERENCE, Details, scheme_for
from bot.services.invoicing import InvoiceBatch
from bot.services.membership import MembershipStatus

# Buttons "Add invoice details" under the answer: one per organisation, this many at most.
MAX_DETAIL_BUTTONS = 10


def _number_label(country: str, t: Translator) -> tuple[str, str]:
    """(label, hint) of the number field for an organisation of *country*."""
    scheme = scheme_for(country)
    if scheme == "gln":
        return (
            t.gettext("EAN number (13 digits)"),
            t.gettext("The EAN (GLN) your finance department receives e-invoices at."),
        )
    if scheme == "orgnr":
        return (
            t.gettext("Organisation number (9 digits)"),
            t.gettext("The organisation number your EHF invoices are addressed to."),
        )
    return (
        t.gettext("EAN number or organisation number"),
        t.gettext("13 digits for an EAN (GLN), 9 for a Norwegian organisation number."),
    )


def _fields(country: str, t: Translator, current: Details | None) -> list[bk.Block]:
    label, hint = _number_label(country, t)
    number: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ActionId.INVOICE_NUMBER_INPUT,
        "max_length": 20,
    }
    reference: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ActionId.INVOICE_REFERENCE_INPUT,
        "max_length": MAX_REFERENCE,
    }
    if current is not None:
        number["initial_value"] = current.number
        if current.reference:
            reference["initial_value"] = current.reference
    return [
        bk.input_block(BlockId.INVOICE_NUMBER, label, number, hint=hint),
        bk.input_block(
            BlockId.INVOICE_REFERENCE,
            t.gettext("Order reference"),
            reference,
            optional=True,
            hint=t.gettext(
                "If your organisation asks for one on its invoices "
                "(e.g. a person or an order number)."
            ),
        ),
    ]


def join_metadata(season_key: str, register: str) -> str:
    return json.dumps({"season": season_key, "register": register})


def read_join_metadata(text: str) -> tuple[str, str]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    season, register = data.get("season"), data.get("register")
    return (season if isinstance(season, str) else ""), (
        register if isinstance(register, str) else ""
    )


def join_details_modal(
    status: MembershipStatus, organisation: str, country: str, register: str, t: Translator
) -> dict[str, Any]:
    """The first member of an organisation joins: the price, and where to send the invoice."""
    _ = t.gettext
    price = money(status.price_now, status.currency, t)
    intro = "\n".join(
        [
            "*"
            + escape(
                _(
                    "Season %(season)s: you will be invoiced %(price)s.",
                    season=status.season.title,
                    price=price,
                )
            )
            + "*",
            escape(
                _(
                    "You are the first from %(organisation)s: where should the network send "
                    "%(organisation)s's invoice? We ask once; colleagues who join later are "
                    "not asked again.",
                    organisation=organisation,
                )
            ),
        ]
    )
    return {
        "type": "modal",
        "callback_id": CallbackId.JOIN_WITH_INVOICE_DETAILS,
        "private_metadata": join_metadata(status.season.key, register),
        "title": bk.plain(t.gettext("Join the membership"), bk.MAX_MODAL_TITLE),
        "submit": bk.plain(t.gettext("Yes, join"), 24),
        "close": bk.plain(t.gettext("Not now"), 24),
        "blocks": [bk.section(intro), *_fields(country, t, None)],
    }


def details_metadata(organisation_id: int) -> str:
    return json.dumps({"organisation": organisation_id})


def read_details_metadata(text: str) -> int | None:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return None
    value = data.get("organisation") if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def facilitator_details_modal(
    organisation_id: int,
    organisation: str,
    country: str,
    current: Details | None,
    t: Translator,
) -> dict[str, Any]:
    """A facilitator sets or corrects one organisation's invoice details."""
    return {
        "type": "modal",
        "callback_id": CallbackId.INVOICE_DETAILS,
        "private_metadata": details_metadata(organisation_id),
        "title": bk.plain(t.gettext("Invoice details"), bk.MAX_MODAL_TITLE),
        "submit": bk.plain(t.gettext("Save"), 24),
        "close": bk.plain(t.gettext("Cancel"), 24),
        "blocks": [
            bk.section("*" + escape(organisation) + "*" + (f" ({country})" if country else "")),
            *_fields(country, t, current),
        ],
    }


def details_saved_text(details: Details, t: Translator) -> str:
    _ = t.gettext
    kind = t.gettext("EAN") if details.scheme == "gln" else t.gettext("Org. no.")
    text = _(
        "Invoice details of %(organisation)s saved: %(kind)s %(number)s.",
        organisation=details.organisation,
        kind=kind,
        number=details.number,
    )
    if details.reference:
        text += " " + _("Reference: %(reference)s", reference=details.reference)
    return ":white_check_mark: " + escape(text)


def invoice_files(
    batch: InvoiceBatch, invoicing: InvoicingSettings, t: Translator
) -> list[ExportFile]:
    """The workbook, then one UBL invoice per organisation that gets one."""
    files = [invoice_workbook(batch, t)]
    for bill in batch.invoiced:
        files.append(
            ExportFile(
                filename=ubl_filename(bill),
                title=t.gettext(
                    "Invoice %(number)s: %(organisation)s",
                    number=bill.number,
                    organisation=bill.organisation,
                ),
                content=ubl_invoice_xml(bill, batch, invoicing, t),
            )
        )
    return files


def invoices_working_reply(t: Translator) -> Reply:
    text = ":hourglass_flowing_sand: " + t.gettext("Making the invoices…")
    return Reply(text, [bk.section(text)])


def invoices_sent_reply(batch: InvoiceBatch, t: Translator) -> Reply:
    """What went to the DM, and which organisations still lack invoice details."""
    _ = gettext_for(t)
    invoiced = len(batch.invoiced)
    lines = [
        ":inbox_tray: "
        + t.ngettext(
            "Invoices %(season)s are in your DM: the invoice basis (.xlsx) and %(num)d e-invoice.",
            "Invoices %(season)s are in your DM: the invoice basis (.xlsx) and %(num)d e-invoices.",
            invoiced,
            season=batch.season_key,
        ),
        _("Total: %(total)s", total=money(batch.total, batch.currency, t)),
    ]
    missing = batch.missing
    blocks: list[bk.Block] = []
    if not batch.bills:
        lines.append(_("Nobody has anything to pay this season yet."))
    if missing:
        names = ", ".join(bill.organisation or t.gettext("No organisation") for bill in missing)
        lines.append(
            ":warning: "
            + t.ngettext(
                "Missing invoice details (no e-invoice): %(names)s",
                "Missing invoice details (no e-invoices): %(names)s",
                len(missing),
                names=escape(names),
            )
        )
    blocks.append(bk.section("\n".join(lines)))
    buttons = [
        bk.button(
            t.gettext("Add details: %(organisation)s", organisation=bill.organisation),
            ActionId.EDIT_INVOICE_DETAILS,
            str(bill.organisation_id),
        )
        for bill in missing
        if bill.organisation_id is not None
    ][:MAX_DETAIL_BUTTONS]
    if buttons:
        blocks.append(bk.actions(*buttons, block_id=BlockId.INVOICE_ACTIONS))
    if missing:
        blocks.append(
            bk.context(_("Then run /sdg invoices again: every invoice keeps its number."))
        )
    return Reply(lines[0], blocks)
