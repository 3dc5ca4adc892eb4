"""One label table per vocabulary: a role, kind or state reads the same on every surface."""

from __future__ import annotations

import pytest

from bot.i18n import Translator
from bot.models import Role
from bot.rendering import csv_files, labels, registration, sessions, summaries
from bot.services.profiles import ROLES


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_the_profile_form_and_the_summaries_name_roles_alike(language: str) -> None:
    t = Translator(language, "Europe/Copenhagen")
    offered = [option["text"]["text"] for option in registration.role_options(t)]
    assert offered == [labels.role_label(role, t) for role in ROLES]
    assert labels.role_label(Role.LEADER, t) == summaries.role_label(Role.LEADER, t)
    assert csv_files.role_label is labels.role_label
    assert labels.role_label("mayor", t) == "mayor"  # unknown values are shown as stored


def test_kinds_have_one_table() -> None:
    t = Translator("da", "Europe/Copenhagen")
    assert sessions.kind_label("network_meeting", t) == labels.kind_label("network_meeting", t)
    assert labels.kind_label("network_meeting", t) != "network_meeting"
