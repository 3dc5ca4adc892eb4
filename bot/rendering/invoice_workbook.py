"""The invoice basis: an .xlsx workbook a facilitator (or the bookkeeper) opens.

Sheet one has a row per organisation (EAN or organisation number, reference,
invoice number, participants, amounts without VAT, VAT and total) and a total
row; an organisation without invoice details is marked, and gets no
e-invoice.  Sheet two has a row per invoice line.  Amounts are numbers,
dates Excel dates, and every text cell is neutralised
(:mod:`bot.rendering.spreadsheet_cells`), so an organisation or a name that
starts with ``=`` stays text.
"""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import Translator
from bot.rendering.csv_files import ERASED_PARTICIPANT, ExportFile
from bot.rendering.spreadsheet_cells import CellValue
from bot.rendering.spreadsheets import Table, xlsx_bytes
from bot.services.invoice_details import GLN
from bot.services.invoicing import Bill, InvoiceBatch


def _number_label(bill: Bill, t: Translator) -> str:
    if bill.details is None:
        return ""
    kind = t.gettext("EAN") if bill.details.scheme == GLN else t.gettext("Org. no.")
    return f"{kind} {bill.details.number}"


def _note(bill: Bill, t: Translator) -> str:
    if bill.missing_details:
        return t.gettext("Invoice details missing: no e-invoice")
    if not bill.organisation:
        return t.gettext("No organisation")
    return ""


def organisations_table(batch: InvoiceBatch, t: Translator) -> Table:
    currency = batch.currency
    header = [
        t.gettext("Organisation"),
        t.gettext("Country"),
        t.gettext("EAN / org. no."),
        t.gettext("Reference"),
        t.gettext("Invoice number"),
        t.gettext("Invoice date"),
        t.gettext("Due date"),
        t.gettext("Participants"),
        t.gettext("Excl. VAT (%(currency)s)", currency=currency),
        t.gettext("VAT (%(currency)s)", currency=currency),
        t.gettext("Total (%(currency)s)", currency=currency),
        t.gettext("Note"),
    ]
    rows: list[list[CellValue]] = [
        [
            bill.organisation or t.gettext("No organisation"),
            bill.country,
            _number_label(bill, t),
            bill.details.reference if bill.details else "",
            bill.number or "",
            bill.issued_on,
            bill.due_on,
            bill.participants,
            bill.net,
            bill.vat,
            bill.total,
            _note(bill, t),
        ]
        for bill in batch.bills
    ]
    net = sum((bill.net for bill in batch.bills), Decimal(0))
    vat = sum((bill.vat for bill in batch.bills), Decimal(0))
    participants = sum(bill.participants for bill in batch.bills)
    rows.append(
        [t.gettext("Total"), "", "", "", "", None, None, participants, net, vat, net + vat, ""]
    )
    return Table(t.gettext("Invoices"), header, rows)


def lines_table(batch: InvoiceBatch, t: Translator) -> Table:
    header = [
        t.gettext("Organisation"),
        t.gettext("Invoice number"),
        t.gettext("Participant"),
        t.gettext("Membership or session"),
        t.gettext("Date"),
        t.gettext("Further participant (discount)"),
        t.gettext("Amount (%(currency)s)", currency=batch.currency),
        t.gettext("Excl. VAT (%(currency)s)", currency=batch.currency),
    ]
    rows: list[list[CellValue]] = []
    for bill in batch.bills:
        for bill_line in bill.lines:
            line = bill_line.line
            what = (
                t.gettext("Network membership %(season)s", season=batch.season_title)
                if line.kind == "membership"
                else line.session_title
            )
            rows.append(
                [
                    bill.organisation or t.gettext("No organisation"),
                    bill.number or "",
                    line.participant or t.gettext(ERASED_PARTICIPANT),
                    what,
                    line.starts.astimezone(t.zone).date(),
                    t.gettext("yes") if line.discounted else t.gettext("no"),
                    line.amount,
                    bill_line.net,
                ]
            )
    return Table(t.gettext("Lines"), header, rows)


def invoice_workbook(batch: InvoiceBatch, t: Translator) -> ExportFile:
    return ExportFile(
        filename=f"invoices-{batch.season_key}.xlsx",
        title=t.gettext("Invoice basis %(season)s", season=batch.season_key),
        content=xlsx_bytes([organisations_table(batch, t), lines_table(batch, t)]),
    )
