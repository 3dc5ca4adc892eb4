"""``sdgbot import`` tells registrants what ``/sdg edit`` would: a moved session, a new
place or link, one DM per confirmed and waiting member through the real delivery
worker; the same file again tells nobody.  And the command line says how many."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.delivery.scheduler import run_due_work
from bot.delivery.slack_sender import make_delivery_client
from bot.models import Delivery, DeliveryKind, ProgrammeSession, Registration, RegistrationStatus
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from bot.services import manage
from tests.conftest import ImportText
from tests.support import factories as make
from tests.support.conversation import text_of

NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)  # the conftest clock
KEY = "2027-06-10-middelfart"
PROGRAMME = f"""
[[session]]
key = "{KEY}"
title = "Netværksmøde i Middelfart"
kind = "network_meeting"
starts = 2027-06-10T13:30:00
ends = 2027-06-10T15:30:00
location = "Middelfart Rådhus"
capacity = 2

[[session]]
key = "2027-05-01-webinar"
title = "Webinar"
kind = "webinar"
starts = 2027-05-01T10:00:00
ends = 2027-05-01T11:00:00
location = "online"
online_url = "https://teams.example.org/meet/1"
feedback = false
"""
MOVED = PROGRAMME.replace("T13:30:00", "T14:30:00").replace("T15:30:00", "T16:30:00")
PEOPLE = [
    ("U0ANNA", "da", "Europe/Copenhagen", RegistrationStatus.CONFIRMED),
    ("U0BO", "nb", "Europe/Oslo", RegistrationStatus.CONFIRMED),
    ("U0WAIT", "en", "America/New_York", RegistrationStatus.WAITING),
    ("U0GONE", "en", "Europe/Copenhagen", RegistrationStatus.CANCELLED),
]


def register_people(runtime: Runtime, key: str = KEY) -> None:
    """Two confirmed members, one waiting and one who cancelled, on *key*; and on the
    webinar, which ended two days ago, one confirmed member."""
    with runtime.unit_of_work(write=True) as db:
        session = db.scalar(select(ProgrammeSession).where(ProgrammeSession.key == key))
        webinar = db.scalar(select(ProgrammeSession).where(ProgrammeSession.kind == "webinar"))
        assert session is not None
        for user_id, language, zone, status in PEOPLE:
            member = make.add_member(db, user_id, now=NOW, language=language, tz=zone)
            make.add_registration(
                db, session, member, registered_at=NOW - timedelta(days=1), status=status
            )
            if webinar is not None and user_id == "U0ANNA":
                make.add_registration(db, webinar, member, registered_at=NOW - timedelta(days=9))


def change_rows(runtime: Runtime) -> list[Delivery]:
    with runtime.unit_of_work() as db:
        return list(
            db.scalars(
                select(Delivery)
                .where(Delivery.kind == DeliveryKind.SESSION_CHANGED)
                .order_by(Delivery.id)
            )
        )


def dm_texts(standin: SlackStandIn) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {}
    for call in standin.calls_to("chat.postMessage"):
        texts.setdefault(call.args["channel"], []).append(text_of(call.args))
    return texts


def test_an_import_that_moves_a_session_tells_each_registrant_once(
    runtime: Runtime, standin: SlackStandIn, import_programme_text: ImportText
) -> None:
    import_programme_text(PROGRAMME)
    register_people(runtime)
    for user_id, *_ in PEOPLE:
        standin.add_user(user_id, locale="en-GB")
    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, NOW)  # plans the confirmed members' reminders
    assert standin.calls_to("chat.postMessage") == []

    # The webinar ended two days ago: a new link for it is nobody's news.
    moved = import_programme_text(MOVED.replace("meet/1", "meet/2"))
    assert (moved.updated, moved.rescheduled) == ([KEY, "2027-05-01-webinar"], [KEY])
    assert moved.told == {KEY: 3}
    report = run_due_work(runtime, client, NOW)
    assert report.sent == 3
    texts = dm_texts(standin)
    assert sorted(texts) == ["U0ANNA", "U0BO", "U0WAIT"]
    assert all(len(sent) == 1 for sent in texts.values())
    assert "Nyt tidspunkt: torsdag den 10. juni 2027 kl. 14.30–16.30" in texts["U0ANNA"][0]
    assert "Før: ~torsdag den 10. juni 2027 kl. 13.30–15.30~" in texts["U0ANNA"][0]
    assert "Nytt tidspunkt" in texts["U0BO"][0]
    waiting = texts["U0WAIT"][0]
    assert "New time: Thursday, 10 June 2027, 08:30–10:30 (New York)" in waiting
    assert "You are still on the waiting list." in waiting

    # The same file again: nothing changes, nobody is told, nothing more is sent.
    standin.clear()
    again = import_programme_text(MOVED.replace("meet/1", "meet/2"))
    assert (again.updated, again.told) == ([], {})
    assert run_due_work(runtime, client, NOW).sent == 0
    assert standin.calls_to("chat.postMessage") == []
    assert len(change_rows(runtime)) == 3


def test_an_import_and_an_edit_share_one_notice_path(
    runtime: Runtime, import_programme_text: ImportText
) -> None:
    """A new place from the file, then its old place again from ``/sdg edit`` before the
    DM went out: the first notice is taken back and the last says nothing, as after two
    edits."""
    import_programme_text(PROGRAMME)
    register_people(runtime)
    nyborg = PROGRAMME.replace("Middelfart Rådhus", "Nyborg Strand")
    assert import_programme_text(nyborg).told == {KEY: 3}
    rows = change_rows(runtime)
    assert rows[0].details is not None
    assert rows[0].details["changed"] == ["place"]
    assert rows[0].details["old"]["location"] == "Middelfart Rådhus"
    # A new title alone is no news.
    retitled = import_programme_text(nyborg.replace("Netværksmøde i", "Møde i"))
    assert retitled.updated == [KEY] and retitled.told == {}

    team = runtime.settings.home_team_id
    with runtime.unit_of_work() as db:
        draft = manage.editable_session(db, team, KEY)
    with runtime.unit_of_work(write=True) as db:
        back = manage.update_session(
            db, team, dataclasses.replace(draft, location="Middelfart Rådhus"), NOW
        )
    assert back.told == 3
    assert [r.state for r in change_rows(runtime)] == ["skipped"] * 3 + ["pending"] * 3
    report = run_due_work(runtime, make_delivery_client(runtime.settings), NOW)
    assert (report.sent, report.skipped) == (0, 3)
    assert {r.skip_reason for r in change_rows(runtime)[3:]} == {"the change was undone"}


def test_an_import_tells_nobody_about_a_cancelled_session(
    runtime: Runtime, import_programme_text: ImportText
) -> None:
    import_programme_text(PROGRAMME)
    register_people(runtime)
    with runtime.unit_of_work(write=True) as db:
        manage.cancel_session(db, runtime.settings.home_team_id, KEY, NOW)
    assert import_programme_text(MOVED).told == {}
    assert change_rows(runtime) == []


# --- the command line -------------------------------------------------------------------


def run_import(path: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", str(config), "import", str(path)],
        env={**os.environ, "SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_line_says_how_many_registrants_will_be_told(
    runtime: Runtime, import_programme_text: ImportText, database_url: str, tmp_path: Path
) -> None:
    # The command line runs on the real clock: the session lies years ahead of it.
    year = datetime.now(UTC).year + 5
    original = PROGRAMME.replace("2027-06-10", f"{year}-06-10")
    import_programme_text(original)
    register_people(runtime, KEY.replace("2027", str(year)))
    config = tmp_path / "config.toml"
    config.write_text(
        f'[slack]\nteam_id = "{make.TEAM_ID}"\n[database]\nurl = "{database_url}"\n',
        encoding="utf-8",
    )
    moved = tmp_path / "moved.toml"
    moved.write_text(MOVED.replace("2027-06-10", f"{year}-06-10"), encoding="utf-8")

    first = run_import(moved, config)
    assert first.returncode == 0, first.stderr
    assert "0 created, 1 updated, 1 unchanged" in first.stdout
    assert f"~ {year}-06-10-middelfart (moved; 3 registrant(s) will be told)" in first.stdout
    assert "3 registrant(s) will be told of a changed time, place or link" in first.stdout
    second = run_import(moved, config)
    assert second.returncode == 0, second.stderr
    assert "0 created, 0 updated, 2 unchanged" in second.stdout
    assert "0 registrant(s) will be told of a changed time, place or link" in second.stdout
    assert len(change_rows(runtime)) == 3


def test_an_import_that_raises_capacity_moves_the_waiting_list_up(
    runtime: Runtime, import_programme_text: ImportText
) -> None:
    """The same rule as /sdg edit: new seats go to the waiting list, first come first."""
    import_programme_text(PROGRAMME)
    register_people(runtime)
    import_programme_text(PROGRAMME.replace("capacity = 2", "capacity = 3"))
    with runtime.unit_of_work() as db:
        session = db.scalar(select(ProgrammeSession).where(ProgrammeSession.key == KEY))
        assert session is not None and session.capacity == 3
        statuses = {
            r.member.slack_user_id: r.status
            for r in db.scalars(select(Registration).where(Registration.session_id == session.id))
            if r.member is not None
        }
        promotions = db.scalars(
            select(Delivery).where(Delivery.kind == DeliveryKind.PROMOTION)
        ).all()
    assert statuses["U0WAIT"] == RegistrationStatus.CONFIRMED
    assert [p.recipient for p in promotions] == ["U0WAIT"]
