"""The export's CSV files: headers and labels in the facilitator's language.

UTF-8 with a byte order mark, because Excel reads a CSV without one in the
machine's legacy code page and turns "Aabenraa Kommune, Rådhuset" into
mojibake.  Times are local to the network's home time zone.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.i18n import N_, Translator
from bot.rendering.labels import ATTENDANCE_LABELS, STATUS_LABELS, label, role_label
from bot.services.exports import SessionExport

# The name of a participant whose personal data is erased (the row still counts and pays).
ERASED_PARTICIPANT = N_("(personal data erased)")


@dataclass(frozen=True)
class CsvFile:
    filename: str
    title: str
    content: bytes


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def registrations_csv(export: SessionExport, t: Translator, zone: ZoneInfo) -> CsvFile:
    header = [
        t.gettext("Name"),
        t.gettext("Organisation"),
        t.gettext("Role"),
        t.gettext("Attendance"),
        t.gettext("Status"),
        t.gettext("Registered"),
        t.gettext("Fee (%(currency)s)", currency=export.currency),
    ]
    rows = [header] + [
        [
            row.name or t.gettext(ERASED_PARTICIPANT),
            row.organisation,
            role_label(row.role, t) if row.role else "",
            label(ATTENDANCE_LABELS, row.attendance, t),
            label(STATUS_LABELS, row.status, t),
            row.registered_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "" if row.fee is None else str(row.fee),
        ]
        for row in export.registrations
    ]
    return CsvFile(
        filename=f"{export.key}-registrations.csv",
        title=t.gettext("Registrations: %(key)s", key=export.key),
        content=_csv(rows),
    )


def feedback_csv(export: SessionExport, t: Translator) -> CsvFile:
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
    rows = [header]
    for row in export.feedback:
        recommend = ""
        if row.would_recommend is not None:
            recommend = t.gettext("Yes") if row.would_recommend else t.gettext("No")
        answers = [
            str(row.rating),
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
    return CsvFile(
        filename=f"{export.key}-feedback.csv",
        title=t.gettext("Feedback: %(key)s", key=export.key),
        content=_csv(rows),
    )
