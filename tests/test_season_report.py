"""The season report and learning points: the PDF's content (read back with pypdf),
the learning-point buttons and modal over signed HTTP, refusals for members and
forged clicks, and summaries of a named season."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from bot.config import Settings
from bot.errors import CommentNotFound, LearningPointNotFound, SessionNotFound, UnknownSeason
from bot.i18n import Translator
from bot.ids import ActionId, BlockId, CallbackId
from bot.models import FeedbackResponse, LearningPoint, LearningPointSource
from bot.rendering.report_pdf import season_report_pdf
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from bot.services import erasure, learning_points
from bot.services.learning_points import CommentRef, PointRef
from bot.services.season_report import season_report
from tests.support.conversation import answer_of, text_of
from tests.support.report_world import (
    LAST_SEASON_TITLE,
    MEETING,
    MEETING_TITLE,
    NOW,
    SYMPOSIUM,
    SYMPOSIUM_TITLE,
    WEBINAR_TITLE,
    build_report_world,
)
from tests.support.signed_client import SignedSlackClient

FACILITATOR = "U0FAC"
REFUSAL = "Only the network's facilitators can do that."
CPH = Translator("da", "Europe/Copenhagen").zone


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, bot=dataclasses.replace(settings.bot, facilitators=(FACILITATOR,))
    )


@pytest.fixture(autouse=True)
def slack_users(standin: SlackStandIn) -> None:
    standin.add_user(FACILITATOR, locale="da-DK")
    for user_id in ("U01", "U02", "U06"):
        standin.add_user(user_id, locale="en-GB")


def _response_id(runtime: Runtime, key: str, field: str, text: str) -> int:
    with runtime.unit_of_work() as db:
        column = getattr(FeedbackResponse, field)
        from bot.services.sessions import find_session

        session = find_session(db, runtime.settings.home_team_id, key)
        return int(
            db.scalar(
                select(FeedbackResponse.id).where(
                    FeedbackResponse.session_id == session.id, column == text
                )
            )
            or 0
        )


def mark(runtime: Runtime, key: str, source: LearningPointSource, text: str) -> None:
    field = "most_valuable" if source is LearningPointSource.MOST_VALUABLE else "should_change"
    ref = CommentRef(key, _response_id(runtime, key, field, text), source)
    with runtime.unit_of_work(write=True) as db:
        learning_points.mark_comment(db, runtime.settings.home_team_id, ref, NOW)


def point_count(runtime: Runtime) -> int:
    with runtime.unit_of_work() as db:
        return int(db.scalar(select(func.count()).select_from(LearningPoint)) or 0)


def pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def squashed(text: str) -> str:
    """Extracted text with its line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())


# --- the report's content ---------------------------------------------------------------


def test_the_report_holds_the_figures_sessions_learning_points_and_charts(
    runtime: Runtime,
) -> None:
    build_report_world(runtime)
    team = runtime.settings.home_team_id
    # Marked in this order, not the comments' order: the report keeps it.
    mark(runtime, SYMPOSIUM, LearningPointSource.SHOULD_CHANGE, "Kortere oplæg, mere gruppearbejde")
    mark(runtime, SYMPOSIUM, LearningPointSource.MOST_VALUABLE, "Casen fra Sønderborg")
    with runtime.unit_of_work(write=True) as db:
        learning_points.add_own(db, team, SYMPOSIUM, "Lokale data gør målene håndgribelige", NOW)
    mark(runtime, MEETING, LearningPointSource.MOST_VALUABLE, "Økonomiperspektivet")

    t = Translator("da", "Europe/Copenhagen")
    with runtime.unit_of_work() as db:
        report = season_report(db, team, None, NOW, t.zone)
    pdf = season_report_pdf(report, t)
    reader, raw = pdf_text(pdf)
    text = squashed(raw)

    assert pdf.startswith(b"%PDF-")
    for title in (SYMPOSIUM_TITLE, MEETING_TITLE, WEBINAR_TITLE):
        assert title in text, title
    assert "Sæsonrapport 2026-2027" in text
    # Cover: 3 sessions held, 12 people, 3 municipalities, 10 of 13 answered, 39 / 10.
    cover = squashed(reader.pages[0].extract_text())
    for figure, label in (
        ("3", "Afholdte arrangementer"),
        ("12", "Deltagere"),
        ("3", "Kommuner"),
        ("77 %", "Svarprocent"),
        ("3,9", "Gennemsnitlig bedømmelse"),
    ):
        assert f"{figure} {label}" in cover, (figure, label, cover)
    # The symposium: its learning points in the order marked, then the other comments.
    points = [
        "Kortere oplæg, mere gruppearbejde",
        "Casen fra Sønderborg",
        "Lokale data gør målene håndgribelige",
    ]
    at = [text.index(p) for p in points]
    assert at == sorted(at)
    symposium = text[text.index(SYMPOSIUM_TITLE, text.index("Læringspunkter") - 400) :]
    assert symposium.index("Læringspunkter") < symposium.index("Dialogen på tværs af kommuner")
    assert text.count("Casen fra Sønderborg") == 1  # marked: not repeated among the comments
    assert "Politiker: 5 svar, gennemsnit 4,2" in text  # n >= 5 only
    assert "Leder:" not in text and "Herning Kommune: 1" not in text
    # The anonymous meeting's comments are there, nobody's name is.
    assert "Hemmelig indsigt fra Aarhus" in text and "Længere pauser" in text
    assert "Navn U" not in text
    # The closing page compares with 2025-2026.
    last = squashed(reader.pages[-1].extract_text())
    assert "Sammenlignet med 2025-2026" in last
    assert "Deltagere 2 12 +10" in last
    # Charts: three embedded images on the charts page; DejaVu embedded for æøå.
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 3
    assert all(image.image.width > 500 for image in images)
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVuSans" in font for font in fonts), fonts


def test_a_named_season_and_an_unknown_one(runtime: Runtime) -> None:
    build_report_world(runtime)
    team = runtime.settings.home_team_id
    t = Translator("en", "Europe/Copenhagen")
    with runtime.unit_of_work() as db:
        report = season_report(db, team, "2025-2026", NOW, t.zone)
        assert [s.title for s in report.sessions] == [LAST_SEASON_TITLE]
        assert report.previous is None
        assert (report.figures.participants, report.figures.average) == (2, 3.5)
        with pytest.raises(UnknownSeason) as unknown:
            season_report(db, team, "1999-2000", NOW, t.zone)
    assert unknown.value.known == ("2025-2026", "2026-2027")
    _reader, text = pdf_text(season_report_pdf(report, t))
    assert LAST_SEASON_TITLE in squashed(text)
    assert "Compared with" not in text


# --- learning points: the service's checks ----------------------------------------------


def test_a_reference_to_another_session_or_team_marks_nothing(runtime: Runtime) -> None:
    build_report_world(runtime)
    team = runtime.settings.home_team_id
    symposium_answer = _response_id(runtime, SYMPOSIUM, "most_valuable", "Netværket")
    with runtime.unit_of_work(write=True) as db:
        # The meeting's key with the symposium's answer: not one of the meeting's comments.
        with pytest.raises(CommentNotFound):
            learning_points.mark_comment(
                db,
                team,
                CommentRef(MEETING, symposium_answer, LearningPointSource.MOST_VALUABLE),
                NOW,
            )
        with pytest.raises(SessionNotFound):
            learning_points.mark_comment(
                db,
                "T0OTHER",
                CommentRef(SYMPOSIUM, symposium_answer, LearningPointSource.MOST_VALUABLE),
                NOW,
            )
        with pytest.raises(CommentNotFound):  # that answer has no "should change"
            learning_points.mark_comment(
                db,
                team,
                CommentRef(SYMPOSIUM, symposium_answer, LearningPointSource.SHOULD_CHANGE),
                NOW,
            )
    assert point_count(runtime) == 0
    for forged in ("", "x", "KEY|1", "KEY|-1|v", "KEY|²|v", "KEY|99999999999|v", "KEY|1|z"):
        assert CommentRef.parse(forged) is None, forged
    assert PointRef.parse("KEY|x") is None and PointRef.parse("KEY|0") is None


def test_marking_twice_is_one_point_and_it_outlives_the_authors_erasure(runtime: Runtime) -> None:
    build_report_world(runtime)
    team = runtime.settings.home_team_id
    for _ in range(2):
        mark(runtime, SYMPOSIUM, LearningPointSource.MOST_VALUABLE, "Dialogen på tværs af kommuner")
    assert point_count(runtime) == 1
    with runtime.unit_of_work(write=True) as db:
        erasure.erase_member(db, team, "U01", NOW)
    with runtime.unit_of_work() as db:
        (point,) = learning_points.for_session(db, team, SYMPOSIUM)
        assert point.text == "Dialogen på tværs af kommuner"
        assert not hasattr(db.get(LearningPoint, point.id), "member_id")
        answer = db.scalar(
            select(FeedbackResponse).where(
                FeedbackResponse.most_valuable == "Dialogen på tværs af kommuner"
            )
        )
        assert answer is not None and answer.member_id is None
    # Unmarked, it is gone; unmarking again says so.
    with runtime.unit_of_work(write=True) as db:
        learning_points.unmark(db, team, PointRef(SYMPOSIUM, point.id))
    with runtime.unit_of_work(write=True) as db, pytest.raises(LearningPointNotFound):
        learning_points.unmark(db, team, PointRef(SYMPOSIUM, point.id))
    assert point_count(runtime) == 0


# --- over signed HTTP -------------------------------------------------------------------


def comment_buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Section text -> its accessory button, for the comments and the learning points."""
    return {
        block["text"]["text"]: block["accessory"]
        for block in message.get("blocks") or []
        if block.get("type") == "section" and block.get("accessory", {}).get("type") == "button"
    }


def buttons_for(message: dict[str, Any], words: str) -> list[dict[str, Any]]:
    return [b for text, b in comment_buttons(message).items() if words in text]


def button_for(message: dict[str, Any], words: str) -> dict[str, Any]:
    (found,) = buttons_for(message, words)
    return found


def test_a_facilitator_marks_and_unmarks_comments_in_the_summary(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    build_report_world(runtime)
    summary = answer_of(slack.command(f"summary {MEETING}", user_id=FACILITATOR), standin)
    assert "Læringspunkter" in text_of(summary)
    button = button_for(summary, "Økonomiperspektivet")
    assert button["action_id"] == ActionId.MARK_LEARNING_POINT
    assert "Økonomiperspektivet" not in button["value"]  # a reference, not the text

    pressed = slack.block_action(ActionId.MARK_LEARNING_POINT, button["value"], user_id=FACILITATOR)
    redrawn = answer_of(pressed, standin)
    assert redrawn["replace_original"] is True
    # Listed under the learning points, and starred among the comments: both unmark it.
    listed, starred = buttons_for(redrawn, "Økonomiperspektivet")
    assert listed["action_id"] == starred["action_id"] == ActionId.UNMARK_LEARNING_POINT
    unmark = starred
    with runtime.unit_of_work() as db:
        texts = [p.text for p in learning_points.for_session(db, "T0001", MEETING)]
    assert texts == ["Økonomiperspektivet"]

    # Pressed again from the old summary: still one point.
    again = slack.block_action(ActionId.MARK_LEARNING_POINT, button["value"], user_id=FACILITATOR)
    answer_of(again, standin)
    assert point_count(runtime) == 1

    pressed = slack.block_action(
        ActionId.UNMARK_LEARNING_POINT, unmark["value"], user_id=FACILITATOR
    )
    after = answer_of(pressed, standin)
    assert button_for(after, "Økonomiperspektivet")["action_id"] == ActionId.MARK_LEARNING_POINT
    assert point_count(runtime) == 0
    assert standin.violations == []


def test_a_facilitator_adds_a_learning_point_in_the_modal(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    build_report_world(runtime)
    slack.block_action(ActionId.ADD_LEARNING_POINT, SYMPOSIUM, user_id=FACILITATOR)
    (opened,) = standin.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == CallbackId.LEARNING_POINT
    assert view["private_metadata"] == SYMPOSIUM

    def values(text: str) -> dict[str, Any]:
        return {
            BlockId.LEARNING_POINT_TEXT: {
                ActionId.LEARNING_POINT_INPUT: {"type": "plain_text_input", "value": text}
            }
        }

    empty = slack.view_submission(
        CallbackId.LEARNING_POINT, values("  "), user_id=FACILITATOR, private_metadata=SYMPOSIUM
    )
    assert empty.json["response_action"] == "errors"
    saved = slack.view_submission(
        CallbackId.LEARNING_POINT,
        values("Tværgående samarbejde kræver fælles data"),
        user_id=FACILITATOR,
        private_metadata=SYMPOSIUM,
        view_id="VLP",
    )
    assert saved.json["response_action"] == "update"
    (updated,) = standin.wait_for("views.update")
    assert "Tværgående samarbejde kræver fælles data" in text_of(
        {"blocks": updated.args["view"]["blocks"]}
    )
    with runtime.unit_of_work() as db:
        (point,) = learning_points.for_session(db, "T0001", SYMPOSIUM)
    assert point.source is LearningPointSource.FACILITATOR
    assert standin.violations == []


def test_members_are_refused_on_the_command_the_buttons_and_a_forged_modal(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    build_report_world(runtime)
    answer = _response_id(runtime, SYMPOSIUM, "most_valuable", "Netværket")
    for text in ("report", "rapport 2025-2026"):
        refused = answer_of(slack.command(text, user_id="U01"), standin)
        assert REFUSAL in text_of(refused) and refused["response_type"] == "ephemeral"
    forged = CommentRef(SYMPOSIUM, answer, LearningPointSource.MOST_VALUABLE).encode()
    for action_id, value in (
        (ActionId.MARK_LEARNING_POINT, forged),
        (ActionId.UNMARK_LEARNING_POINT, f"{SYMPOSIUM}|1"),
        (ActionId.ADD_LEARNING_POINT, SYMPOSIUM),
    ):
        pressed = slack.block_action(action_id, value, user_id="U01")
        shown = answer_of(pressed, standin)
        assert REFUSAL in text_of(shown), action_id
        assert shown.get("replace_original") is False
    submitted = slack.view_submission(
        CallbackId.LEARNING_POINT,
        {
            BlockId.LEARNING_POINT_TEXT: {
                ActionId.LEARNING_POINT_INPUT: {"type": "plain_text_input", "value": "Planted"}
            }
        },
        user_id="U01",
        private_metadata=SYMPOSIUM,
    )
    assert REFUSAL in text_of({"blocks": submitted.json["view"]["blocks"]})
    assert point_count(runtime) == 0
    assert standin.uploads() == []
    assert standin.calls_to("views.open") == []


def test_the_report_command_uploads_the_pdf_to_the_facilitators_dm(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    build_report_world(runtime)
    mark(runtime, MEETING, LearningPointSource.SHOULD_CHANGE, "Længere pauser")
    slack.command("rapport", user_id=FACILITATOR)
    standin.wait_for("files.completeUploadExternal")
    ((title, pdf, complete),) = standin.uploads()
    assert complete["channel_id"] == "D" + FACILITATOR
    assert title == "Sæsonrapport 2026-2027"
    _reader, text = pdf_text(pdf)
    assert MEETING_TITLE in squashed(text) and "Længere pauser" in text
    done = standin.wait_for(
        "response_url", predicate=lambda call: "ligger i din DM" in text_of(call.args)
    )
    assert "Sæsonrapporten 2026-2027 ligger i din DM." in text_of(done[-1].args)
    said = [text_of(call.args) for call in standin.calls_to("response_url")]
    assert any("rapporten kommer i din DM" in text for text in said)  # the ack, first

    standin.clear()
    unknown = slack.command("report 1999-2000", user_id=FACILITATOR)
    answer = standin.wait_for(
        "response_url",
        predicate=lambda call: (
            call.args.get("_url_id") == unknown.response_url.rsplit("/", 1)[-1]
            and "1999-2000" in text_of(call.args)
        ),
    )
    shown = text_of(answer[-1].args)
    assert "Der er ingen sæson 1999-2000" in shown and "2025-2026, 2026-2027" in shown
    assert standin.uploads() == []


def test_the_summary_of_a_named_season(
    runtime: Runtime, slack: SignedSlackClient, standin: SlackStandIn
) -> None:
    build_report_world(runtime)
    last = answer_of(slack.command("summary season 2025-2026", user_id=FACILITATOR), standin)
    shown = text_of(last)
    assert "2025–2026" in shown and LAST_SEASON_TITLE in shown
    assert SYMPOSIUM_TITLE not in shown
    current = answer_of(slack.command("summary season", user_id=FACILITATOR), standin)
    assert SYMPOSIUM_TITLE in text_of(current) and LAST_SEASON_TITLE not in text_of(current)
    unknown = answer_of(slack.command("summary season 2030-2031", user_id=FACILITATOR), standin)
    assert unknown["response_type"] == "ephemeral"
    assert "2025-2026, 2026-2027" in text_of(unknown)


def test_a_summary_with_many_comments_and_points_stays_within_slacks_limits() -> None:
    from datetime import UTC, datetime

    from bot.rendering.summaries import summary_reply
    from bot.services.learning_points import LearningPointView
    from bot.services.summaries import Comment, FeedbackSummary

    comments = [Comment(f"Godt {n}", f"Ændr {n}", response_id=n + 1) for n in range(80)]
    summary = FeedbackSummary(
        key="k",
        title="Mange svar",
        starts=datetime(2027, 1, 1, tzinfo=UTC),
        anonymous=True,
        participants=90,
        responses=80,
        average=4.0,
        distribution={1: 0, 2: 0, 3: 0, 4: 80, 5: 0},
        goals=[],
        recommend_answers=0,
        recommend_yes=0,
        by_role=[],
        by_organisation=[],
        comments=comments,
    )
    points = [
        LearningPointView(n + 1, LearningPointSource.FACILITATOR, f"Punkt {n}") for n in range(40)
    ]
    t = Translator("da", "Europe/Copenhagen")
    for shown in ([], points):
        blocks = summary_reply(summary, t, shown).blocks
        assert len(blocks) <= 50
        assert blocks[-1]["elements"][0]["action_id"] == ActionId.EXPORT_FEEDBACK
        assert "Flere kommentarer" in text_of({"blocks": blocks})
    assert "25 læringspunkter mere" in text_of({"blocks": blocks})


def test_a_programme_season_by_its_key(runtime: Runtime) -> None:
    from datetime import date

    from bot.models import ProgrammeSeason

    build_report_world(runtime)
    team = runtime.settings.home_team_id
    with runtime.unit_of_work(write=True) as db:
        db.add(
            ProgrammeSeason(
                team_id=team,
                key="2026-efteraar",
                title="SDG Leadership efterår 2026",
                first_day=date(2026, 8, 1),
                last_day=date(2026, 12, 31),
                created_at=NOW,
                updated_at=NOW,
            )
        )
    t = Translator("da", "Europe/Copenhagen")
    with runtime.unit_of_work() as db:
        report = season_report(db, team, "2026-efteraar", NOW, t.zone)
    assert [s.title for s in report.sessions] == [SYMPOSIUM_TITLE]
    _reader, text = pdf_text(season_report_pdf(report, t))
    assert "SDG Leadership efterår 2026" in squashed(text)  # names the network on the cover
