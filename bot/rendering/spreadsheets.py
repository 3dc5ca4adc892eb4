"""Tables as the files a facilitator opens: a CSV per table and one .xlsx workbook.

Both come from the same :class:`Table`, so the two never disagree.  CSV files
are UTF-8 with a byte order mark (Excel reads a CSV without one in the
machine's legacy code page and turns "Rådhuset" into mojibake) and are
separated by ``;`` for Danish and Norwegian readers, ``,`` for English ones.
The workbook has one sheet per table with typed cells: moments and dates are
Excel dates, amounts and ratings are numbers.  Every text cell goes through
:mod:`bot.rendering.spreadsheet_cells` on both paths.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import get_decimal_symbol
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.rendering.spreadsheet_cells import CellValue, csv_delimiter, safe_cell

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_DATE_FORMAT = "yyyy-mm-dd"
_MAX_COLUMN_WIDTH = 60
# Excel's own limits on a sheet's name.
_SHEET_NAME_LENGTH = 31
_SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Table:
    """One table of an export: a sheet in the workbook, a CSV file of its own."""

    name: str  # the sheet's name, in the reader's language
    header: Sequence[str]
    rows: Sequence[Sequence[CellValue]]


def _csv_text(value: CellValue, decimal_mark: str) -> str:
    value = safe_cell(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return str(value).replace(".", decimal_mark)
    return str(value)


def csv_bytes(table: Table, language: str, locale: str) -> bytes:
    """*table* as a CSV the reader's Excel splits into columns."""
    decimal_mark = get_decimal_symbol(locale)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=csv_delimiter(language), lineterminator="\r\n")
    writer.writerow([_csv_text(title, decimal_mark) for title in table.header])
    for row in table.rows:
        writer.writerow([_csv_text(value, decimal_mark) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_value(value: CellValue) -> CellValue:
    value = safe_cell(value)
    if isinstance(value, str):
        # Control characters other than tab and newline make the file unreadable.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        raise ValueError("spreadsheet moments are local and naive")
    return value


def _sheet_name(name: str, taken: set[str]) -> str:
    base = name.translate(_SHEET_NAME_FORBIDDEN).strip()[:_SHEET_NAME_LENGTH] or "Sheet"
    candidate, n = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = base[: _SHEET_NAME_LENGTH - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def _display_width(value: CellValue) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """One workbook, a sheet per table: a bold, frozen header row and fitted column widths."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.name, taken))
        sheet.append([_xlsx_value(title) for title in table.header])
        for cell in sheet[1]:
            cell.font = bold
        widths = [_display_width(title) for title in table.header]
        for row in table.rows:
            values = [_xlsx_value(value) for value in row]
            sheet.append(values)
            for cell, value in zip(sheet[sheet.max_row], values, strict=False):
                if isinstance(value, datetime):
                    cell.number_format = _DATETIME_FORMAT
                elif isinstance(value, date):
                    cell.number_format = _DATE_FORMAT
            widths = [
                max(width, _display_width(value))
                for width, value in zip(widths, values + [None] * len(widths), strict=False)
            ]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(
                _MAX_COLUMN_WIDTH, width + 2
            )
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
