"""One label table per vocabulary: what a stored value is called in the member's language.

Forms, cards, summaries and exports all name roles, kinds, attendance and
registration states through these tables, so a value reads the same
everywhere.  An unknown value is shown as it is stored.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import N_, Translator
from bot.models import Attendance, RegistrationStatus, Role

ROLE_LABELS: Mapping[str, str] = {
    Role.POLITICIAN: N_("Politician"),
    Role.LEADER: N_("Leader / strategist"),
    Role.PRACTITIONER: N_("Practitioner"),
    Role.OTHER: N_("Other"),
}

KIND_LABELS: Mapping[str, str] = {
    "symposium": N_("Symposium"),
    "network_meeting": N_("Network meeting"),
    "webinar": N_("Webinar"),
    "reflection": N_("Reflection meeting"),
}

ATTENDANCE_LABELS: Mapping[str, str] = {
    Attendance.ROOM: N_("In the room"),
    Attendance.ONLINE: N_("Online"),
}

STATUS_LABELS: Mapping[str, str] = {
    RegistrationStatus.CONFIRMED: N_("Confirmed"),
    RegistrationStatus.WAITING: N_("Waiting list"),
    RegistrationStatus.CANCELLED: N_("Registration cancelled"),
}


def label(labels: Mapping[str, str], value: str | None, t: Translator) -> str:
    """*value*'s label in the reader's language; "" for None, the value itself if unknown."""
    if value is None:
        return ""
    return t.gettext(labels[value]) if value in labels else value


def role_label(role: str, t: Translator) -> str:
    return label(ROLE_LABELS, role, t)


def kind_label(kind: str, t: Translator) -> str:
    return label(KIND_LABELS, kind, t)
