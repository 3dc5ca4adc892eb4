"""The one rule for cells in files a spreadsheet opens (CSV and .xlsx).

Excel, LibreOffice and Numbers run a text cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula (and a leading tab or carriage return hides one),
so a feedback comment ``=HYPERLINK(...)`` or an organisation typed as
``+45 Consulting`` would become live in the facilitator's spreadsheet.  As
OWASP's CSV-injection advice says, such text gets a leading apostrophe; the
reader still sees what the member wrote.  Numbers and dates are never text,
so a negative amount stays a number.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

# What a spreadsheet cell may hold: text, a number, a date or a moment (local,
# naive: spreadsheets know no time zones), or nothing.
CellValue = str | int | float | Decimal | date | datetime | None


def neutralised(text: str) -> str:
    """*text* as a spreadsheet shows it, never as a formula it runs."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def safe_cell(value: CellValue) -> CellValue:
    """Text neutralised; numbers, dates, local moments and empty cells as they are."""
    if isinstance(value, str):
        return neutralised(value)
    if isinstance(value, bool):
        raise TypeError("a yes/no cell is written as words in the reader's language")
    if isinstance(value, datetime) and value.tzinfo is not None:
        raise ValueError("spreadsheet moments are local and naive")
    return value


def csv_delimiter(language: str) -> str:
    """What the reader's Excel splits a CSV on: ``;`` where the decimal mark is a comma."""
    return "," if language == "en" else ";"
