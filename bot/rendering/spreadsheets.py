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
from typing import TYPE_CHECKING

from babel.numbers import get_decimal_symbol

from bot.rendering.spreadsheet_cells import (
    FORMULA_TRIGGERS,
    CellValue,
    csv_delimiter,
    neutralised,
    safe_cell,
)

if TYPE_CHECKING:
    from re import Pattern

    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

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
    # The two kinds nearly every cell is, first: an export has 100,000 rows.
    kind = type(value)
    if kind is str:
        return neutralised(value)  # type: ignore[arg-type]
    if kind is int:
        return str(value)
    value = safe_cell(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(" ", "minutes")  # 2026-12-07 10:30, faster than strftime
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
    # Text that no spreadsheet could take for a formula is written as it is
    # without a call per cell: an export has 100,000 rows of eight cells.
    for row in table.rows:
        writer.writerow(
            [
                value
                if type(value) is str and not value.startswith(FORMULA_TRIGGERS)
                else _csv_text(value, decimal_mark)
                for value in row
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_value(value: CellValue, illegal: Pattern[str]) -> CellValue:
    value = safe_cell(value)
    if isinstance(value, str):
        # Control characters other than tab and newline make the file unreadable.
        return illegal.sub("", value)
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
    """One workbook, a sheet per table: a bold, frozen header row and fitted column widths.

    Written in openpyxl's write-only mode: rows stream to the file instead of
    being kept as cells (an export of 100,000 rows in seconds, not minutes).
    Column widths therefore come first, from the rows' values.
    """
    # openpyxl, and the numpy and lxml it loads when they are installed, come
    # with the first workbook: about 40 MB an idle `sdgbot serve` never needs
    # (bench/footprint.py).
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.name, taken))
        rows = [[_xlsx_value(value, ILLEGAL_CHARACTERS_RE) for value in row] for row in table.rows]
        widths = [_display_width(title) for title in table.header]
        for values in rows:
            widths = [
                max(width, _display_width(value))
                for width, value in zip(widths, values + [None] * len(widths), strict=False)
            ]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(
                _MAX_COLUMN_WIDTH, width + 2
            )
        sheet.freeze_panes = "A2"
        header = [_xlsx_value(title, ILLEGAL_CHARACTERS_RE) for title in table.header]
        sheet.append([_header_cell(WriteOnlyCell(sheet, value=title), bold) for title in header])
        for values in rows:
            sheet.append([_typed_cell(sheet, value, WriteOnlyCell) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(cell: WriteOnlyCell, bold: Font) -> WriteOnlyCell:
    cell.font = bold
    return cell


def _typed_cell(
    sheet: WriteOnlyWorksheet, value: CellValue, make_cell: type[WriteOnlyCell]
) -> CellValue | WriteOnlyCell:
    """A moment or a date as a cell with its format; anything else as it is."""
    if isinstance(value, datetime):
        cell = make_cell(sheet, value=value)
        cell.number_format = _DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = make_cell(sheet, value=value)
        cell.number_format = _DATE_FORMAT
        return cell
    return value
