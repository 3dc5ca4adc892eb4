"""The export's files: registrations and feedback as CSV files and one .xlsx workbook.

Headers and labels are in the facilitator's language; times are local to the
network's home time zone.  The file formats (BOM, separator, typed cells,
neutralised formulas) are :mod:`bot.rendering.spreadsheets`'.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.i18n import N_, Translator
from bot.rendering.labels import ATTENDANCE_LABELS, STATUS_LABELS, label, role_label
from bot.rendering.spreadsheet_cells import CellValue
from bot.rendering.spreadsheets import Table, csv_bytes, xlsx_bytes
from bot.services.exports import SessionExport

# The name of a participant whose personal data is erased (the row still counts and pays).
ERASED_PARTICIPANT = N_("(personal data erased)")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    title: str
    content: bytes


def registrations_table(export: SessionExport, t: Translator, zone: ZoneInfo) -> Table:
    header = [
        t.gettext("Name"),
        t.gettext("Organisation"),
        t.gettext("Role"),
        t.gettext("Attendance"),
        t.gettext("Status"),
        t.gettext("Registered"),
        t.gettext("Fee (%(currency)s)", currency=export.currency),
        t.gettext("Guest of"),
    ]
    # Labels looked up once per value, not once per row: an export has 100,000 rows.
    erased = t.gettext(ERASED_PARTICIPANT)
    roles: dict[str | None, str] = {}
    attendances: dict[str, str] = {}
    statuses: dict[str, str] = {}
    for row in export.registrations:
        if row.role not in roles:
            roles[row.role] = role_label(row.role, t) if row.role else ""
        if row.attendance not in attendances:
            attendances[row.attendance] = label(ATTENDANCE_LABELS, row.attendance, t)
        if row.status not in statuses:
            statuses[row.status] = label(STATUS_LABELS, row.status, t)
    rows: list[list[CellValue]] = [
        [
            row.name or erased,
            row.organisation,
            roles[row.role],
            attendances[row.attendance],
            statuses[row.status],
            row.registered_at.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0),
            row.fee,
            row.brought_by,
        ]
        for row in export.registrations
    ]
    return Table(t.gettext("Registrations"), header, rows)


def feedback_table(export: SessionExport, t: Translator) -> Table:
    named = not export.anonymous
    header = [
        t.gettext("Rating"),
        t.gettext("Most valuable"),
        t.gettext("Should change"),
        t.gettext("SDGs"),
        t.gettext("Would recommend"),
    ]
    if named:
        header = [t.gettext("Name"), t.gettext("Organisation"), t.gettext("Role"), *header]
    rows: list[list[CellValue]] = []
    for row in export.feedback:
        recommend = ""
        if row.would_recommend is not None:
            recommend = t.gettext("Yes") if row.would_recommend else t.gettext("No")
        answers: list[CellValue] = [
            row.rating,
            row.most_valuable,
            row.should_change,
            "; ".join(str(goal) for goal in row.goals),
            recommend,
        ]
        if named:
            answers = [
                row.name or "",
                row.organisation or "",
                role_label(row.role, t) if row.role else "",
                *answers,
            ]
        rows.append(answers)
    return Table(t.gettext("Feedback"), header, rows)


def registrations_csv(export: SessionExport, t: Translator, zone: ZoneInfo) -> ExportFile:
    return ExportFile(
        filename=f"{export.key}-registrations.csv",
        title=t.gettext("Registrations: %(key)s", key=export.key),
        content=csv_bytes(registrations_table(export, t, zone), t.language, str(t.locale)),
    )


def feedback_csv(export: SessionExport, t: Translator) -> ExportFile:
    return ExportFile(
        filename=f"{export.key}-feedback.csv",
        title=t.gettext("Feedback: %(key)s", key=export.key),
        content=csv_bytes(feedback_table(export, t), t.language, str(t.locale)),
    )


def export_workbook(export: SessionExport, t: Translator, zone: ZoneInfo) -> ExportFile:
    """Both tables in one workbook: a sheet each."""
    tables = [registrations_table(export, t, zone), feedback_table(export, t)]
    return ExportFile(
        filename=f"{export.key}-export.xlsx",
        title=t.gettext("Export: %(key)s", key=export.key),
        content=xlsx_bytes(tables),
    )


def export_files(export: SessionExport, t: Translator, zone: ZoneInfo) -> list[ExportFile]:
    """What `/sdg export` uploads: the workbook, then a CSV per table."""
    return [
        export_workbook(export, t, zone),
        registrations_csv(export, t, zone),
        feedback_csv(export, t),
    ]
