"""The invoice list as plain text for the terminal (``sdgbot fees SEASON``)."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import BABEL_LOCALES
from bot.rendering.money import format_amount
from bot.services.fees import InvoiceList

_PARTICIPANT_WIDTH = 28
_KEY_WIDTH = 28


def invoice_table(invoices: InvoiceList, language: str = "da") -> str:
    """One block per organisation: its memberships and participants per session, then
    its total; amounts in the network language's number format (``10.000`` in da)."""
    locale = BABEL_LOCALES.get(language, language)

    def amount_text(amount: int) -> str:
        return format_amount(amount, locale)

    lines: list[str] = []
    if invoices.starts is not None and invoices.ends is not None:
        last_day = (invoices.ends - timedelta(days=1)).date()
        lines.append(
            f"Fees for season {invoices.label} "
            f"({invoices.starts.date():%d %b %Y} – {last_day:%d %b %Y}), in {invoices.currency}"
        )
    else:
        lines.append(f"Fees for {invoices.label}, in {invoices.currency}")
    if not invoices.organisations:
        lines.append("")
        lines.append("No confirmed participants.")
        return "\n".join(lines)
    width = _KEY_WIDTH + _PARTICIPANT_WIDTH + 20
    for invoice in invoices.organisations:
        name = invoice.organisation or "(no organisation)"
        if invoice.country:
            name = f"{name} ({invoice.country})"
        lines.append("")
        lines.append(f"{name:<{width}}{amount_text(invoice.total):>12}")
        for line in invoice.lines:
            participant = (line.participant or "(data erased)")[:_PARTICIPANT_WIDTH]
            note = "  membership" if line.kind == "membership" else ""
            note += "  discounted" if line.discounted else ""
            lines.append(
                f"  {line.session_key[:_KEY_WIDTH]:<{_KEY_WIDTH}}"
                f"{participant:<{_PARTICIPANT_WIDTH}}{line.attendance:<8}"
                f"{amount_text(line.amount):>10}{note}"
            )
    lines.append("")
    lines.append(f"{'Total':<{width}}{amount_text(invoices.total):>12} {invoices.currency}")
    return "\n".join(lines)
