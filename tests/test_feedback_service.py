"""Feedback at service level on the real database: planner and builders, the
rules of who may answer, storage (replace vs refuse), anonymity, summaries
and exports with exact numbers, and the facilitator directory."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, inspect, select, text

from bot.delivery.feedback import build_feedback_nudge, build_feedback_prompt, plan_feedback
from bot.delivery.outcomes import SkipReason
from bot.delivery.registry import (
    HoldDelivery,
    OutgoingMessage,
    SkipDelivery,
    message_builders,
    planners,
)
from bot.errors import (
    AnonymousFeedbackGiven,
    FeedbackNotCollected,
    FeedbackNotOpenYet,
    FeedbackSessionCancelled,
    FormErrors,
    NoEndedSessionToRate,
    NotRegisteredForSession,
)
from bot.i18n import Translator
from bot.ids import ActionId
from bot.models import (
    Base,
    Delivery,
    DeliveryKind,
    DeliveryState,
    FeedbackRespondent,
    FeedbackResponse,
    FeedbackSdg,
    Member,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    Role,
)
from bot.rendering.csv_files import feedback_csv, registrations_csv
from bot.rendering.feedback import feedback_form_view
from bot.rendering.summaries import summary_reply
from bot.runtime import Runtime
from bot.seasons import default_season_at
from bot.services import exports, feedback, summaries
from bot.services.facilitators import FacilitatorDirectory
from bot.services.feedback import FeedbackAnswers, read_answers
from tests.support.conversation import buttons_of, text_of
from tests.support.feedback_world import (
    ENDED,
    KEY,
    NOW,
    add_feedback_session,
    add_participant,
    build_world,
    known_world,
)

CPH = ZoneInfo("Europe/Copenhagen")


def answers(rating: int = 4, *goals: int, **more: Any) -> FeedbackAnswers:
    return FeedbackAnswers(rating=rating, goals=tuple(goals), **more)


def submit(runtime: Runtime, user_id: str, given: FeedbackAnswers, key: str = KEY) -> Any:
    with runtime.unit_of_work(write=True) as db:
        return feedback.submit_feedback(db, runtime.settings.home_team_id, user_id, key, given, NOW)


def deliveries(runtime: Runtime) -> list[tuple[str, str, datetime]]:
    with runtime.unit_of_work() as db:
        rows = db.execute(
            select(Delivery.kind, Delivery.recipient, Delivery.due_at).order_by(
                Delivery.recipient, Delivery.kind
            )
        )
        return [(kind, recipient, due) for kind, recipient, due in rows]


# --- planner and builders ---------------------------------------------------------------


def test_the_planner_and_builders_are_registered() -> None:
    builders = message_builders()
    assert builders[DeliveryKind.FEEDBACK_PROMPT] is build_feedback_prompt
    assert builders[DeliveryKind.FEEDBACK_NUDGE] is build_feedback_nudge
    assert plan_feedback in planners()


def test_each_confirmed_participant_gets_one_prompt_and_one_nudge(runtime: Runtime) -> None:
    build_world(runtime)
    with runtime.unit_of_work(write=True) as db:
        created = plan_feedback(db, runtime.settings, NOW)
    assert created == 4
    nudge = ENDED + timedelta(days=3)
    assert deliveries(runtime) == [
        (DeliveryKind.FEEDBACK_NUDGE, "U0ANNA", nudge),
        (DeliveryKind.FEEDBACK_PROMPT, "U0ANNA", ENDED),
        (DeliveryKind.FEEDBACK_NUDGE, "U0BO", nudge),
        (DeliveryKind.FEEDBACK_PROMPT, "U0BO", ENDED),
    ]
    with runtime.unit_of_work(write=True) as db:
        assert plan_feedback(db, runtime.settings, NOW + timedelta(minutes=1)) == 0
    assert len(deliveries(runtime)) == 4


def test_the_prompt_waits_for_the_prompt_delay(runtime: Runtime) -> None:
    delayed = dataclasses.replace(
        runtime.settings,
        feedback=dataclasses.replace(runtime.settings.feedback, prompt_delay=timedelta(days=1)),
    )
    build_world(runtime)
    with runtime.unit_of_work(write=True) as db:
        assert plan_feedback(db, delayed, NOW) == 0  # ended 20 hours ago
        assert plan_feedback(db, delayed, ENDED + timedelta(days=1)) == 4
    assert {due for _kind, _who, due in deliveries(runtime)} == {
        ENDED + timedelta(days=1),
        ENDED + timedelta(days=4),
    }


@pytest.mark.parametrize(
    "change",
    ["no feedback", "cancelled", "not ended", "ended long ago"],
)
def test_no_prompts_for_sessions_that_should_not_have_them(runtime: Runtime, change: str) -> None:
    with runtime.unit_of_work(write=True) as db:
        ends = {"not ended": NOW + timedelta(hours=1), "ended long ago": NOW - timedelta(days=31)}
        session = add_feedback_session(
            db, feedback=change != "no feedback", ends=ends.get(change, ENDED)
        )
        if change == "cancelled":
            session.cancelled_at = NOW - timedelta(days=2)
        add_participant(db, session, "U0ANNA")
        assert plan_feedback(db, runtime.settings, NOW) == 0


def _delivery(runtime: Runtime, kind: str, user_id: str) -> Delivery:
    with runtime.unit_of_work() as db:
        row = db.scalar(
            select(Delivery).where(Delivery.kind == kind, Delivery.recipient == user_id)
        )
        assert row is not None
        return row


def _build(runtime: Runtime, kind: str, user_id: str, now: datetime) -> Any:
    builder = message_builders()[kind]
    with runtime.unit_of_work() as db:
        return builder(db, _delivery(runtime, kind, user_id), runtime.settings, now)


def _mark_prompt_sent(runtime: Runtime, user_id: str, at: datetime) -> None:
    with runtime.unit_of_work(write=True) as db:
        row = db.scalar(
            select(Delivery).where(
                Delivery.kind == DeliveryKind.FEEDBACK_PROMPT, Delivery.recipient == user_id
            )
        )
        assert row is not None
        row.state, row.sent_at = DeliveryState.SENT, at


def test_the_prompt_has_the_feedback_button_in_the_members_language(runtime: Runtime) -> None:
    build_world(runtime)  # U0BO reads Danish
    with runtime.unit_of_work(write=True) as db:
        plan_feedback(db, runtime.settings, NOW)
    message = _build(runtime, DeliveryKind.FEEDBACK_PROMPT, "U0BO", NOW)
    assert isinstance(message, OutgoingMessage)
    button = buttons_of({"blocks": message.blocks})[ActionId.OPEN_FEEDBACK]
    assert button["value"] == KEY
    assert button["text"]["text"] == "Giv din evaluering"
    shown = text_of({"text": message.text, "blocks": message.blocks})
    assert "Tak fordi du deltog i Refleksionsmøde om verdensmål &amp; &lt;data&gt;" in shown


def test_prompt_and_nudge_are_skipped_once_answered(runtime: Runtime) -> None:
    build_world(runtime)
    with runtime.unit_of_work(write=True) as db:
        plan_feedback(db, runtime.settings, NOW)
    submit(runtime, "U0ANNA", answers(5))
    later = NOW + timedelta(days=4)
    for kind in (DeliveryKind.FEEDBACK_PROMPT, DeliveryKind.FEEDBACK_NUDGE):
        assert _build(runtime, kind, "U0ANNA", later) == SkipDelivery(SkipReason.ALREADY_ANSWERED)


def test_the_nudge_comes_nudge_after_the_prompt_however_late_that_was(runtime: Runtime) -> None:
    build_world(runtime)
    with runtime.unit_of_work(write=True) as db:
        plan_feedback(db, runtime.settings, NOW)
    due = ENDED + timedelta(days=3)
    # The prompt has not gone out (the bot was down): the nudge waits.
    held = _build(runtime, DeliveryKind.FEEDBACK_NUDGE, "U0ANNA", due)
    assert held == HoldDelivery(due + timedelta(days=3), held.reason)
    late_prompt = due - timedelta(hours=1)
    _mark_prompt_sent(runtime, "U0ANNA", late_prompt)
    held = _build(runtime, DeliveryKind.FEEDBACK_NUDGE, "U0ANNA", due)
    assert isinstance(held, HoldDelivery) and held.until == late_prompt + timedelta(days=3)
    nudge = _build(runtime, DeliveryKind.FEEDBACK_NUDGE, "U0ANNA", held.until)
    assert isinstance(nudge, OutgoingMessage)
    assert ActionId.OPEN_FEEDBACK in buttons_of({"blocks": nudge.blocks})
    assert "last reminder" in nudge.text


def test_cancelled_sessions_and_registrations_skip_the_rows(runtime: Runtime) -> None:
    world = build_world(runtime)
    with runtime.unit_of_work(write=True) as db:
        plan_feedback(db, runtime.settings, NOW)
        registration = db.scalar(
            select(Registration).where(Registration.member_id == member_id(db, "U0BO"))
        )
        assert registration is not None
        registration.status = RegistrationStatus.CANCELLED
    assert _build(runtime, DeliveryKind.FEEDBACK_PROMPT, "U0BO", NOW) == SkipDelivery(
        "not a confirmed participant"
    )
    with runtime.unit_of_work(write=True) as db:
        session = db.get(ProgrammeSession, world.session_id)
        assert session is not None
        session.cancelled_at = NOW
    assert _build(runtime, DeliveryKind.FEEDBACK_PROMPT, "U0ANNA", NOW) == SkipDelivery(
        "session cancelled"
    )


def member_id(db: Any, slack_user_id: str) -> int:
    found = db.scalar(select(Member.id).where(Member.slack_user_id == slack_user_id))
    assert found is not None
    return int(found)


# --- who may answer ---------------------------------------------------------------------


def open_form(runtime: Runtime, user_id: str, key: str | None = KEY) -> feedback.FeedbackForm:
    with runtime.unit_of_work() as db:
        return feedback.open_feedback(db, runtime.settings.home_team_id, user_id, key, NOW)


def test_without_a_key_the_latest_ended_session_is_chosen(runtime: Runtime) -> None:
    build_world(runtime)
    with runtime.unit_of_work(write=True) as db:
        older = add_feedback_session(db, key="2027-04-01-webinar", ends=NOW - timedelta(days=30))
        add_participant(db, older, "U0ANNA")
        upcoming = add_feedback_session(
            db, key="2027-06-01-symposium", ends=NOW + timedelta(days=30)
        )
        add_participant(db, upcoming, "U0ANNA")
    assert open_form(runtime, "U0ANNA", None).key == KEY
    with pytest.raises(NoEndedSessionToRate):
        open_form(runtime, "U0STRANGER", None)


@pytest.mark.parametrize(
    ("user_id", "error"),
    [
        ("U0WAIT", NotRegisteredForSession),
        ("U0GONE", NotRegisteredForSession),
        ("U0NOBODY", NotRegisteredForSession),
    ],
)
def test_only_confirmed_participants_may_answer(
    runtime: Runtime, user_id: str, error: type[Exception]
) -> None:
    build_world(runtime)
    with pytest.raises(error):
        open_form(runtime, user_id)
    with pytest.raises(error):
        submit(runtime, user_id, answers(3))
    with runtime.unit_of_work() as db:
        assert db.scalar(select(func.count()).select_from(FeedbackResponse)) == 0


def test_sessions_not_ended_cancelled_or_without_feedback_refuse(runtime: Runtime) -> None:
    with runtime.unit_of_work(write=True) as db:
        upcoming = add_feedback_session(db, key="upcoming", ends=NOW + timedelta(hours=3))
        silent = add_feedback_session(db, key="silent", feedback=False)
        cancelled = add_feedback_session(db, key="cancelled")
        cancelled.cancelled_at = NOW - timedelta(days=3)
        for session in (upcoming, silent, cancelled):
            add_participant(db, session, "U0ANNA")
    for key, error in (
        ("upcoming", FeedbackNotOpenYet),
        ("silent", FeedbackNotCollected),
        ("cancelled", FeedbackSessionCancelled),
    ):
        with pytest.raises(error):
            open_form(runtime, "U0ANNA", key)
        with pytest.raises(error):
            submit(runtime, "U0ANNA", answers(3), key)


# --- the form's answers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ((None, "", "", [], None), {"rating"}),
        (("6", "", "", [], None), {"rating"}),
        (("4", "x" * 2001, "", ["18"], "maybe"), {"most_valuable", "goals", "would_recommend"}),
    ],
)
def test_wrong_answers_name_their_fields(raw: tuple[Any, ...], errors: set[str]) -> None:
    with pytest.raises(FormErrors) as caught:
        read_answers(*raw)
    assert set(caught.value.errors) == errors


def test_answers_are_typed_and_trimmed() -> None:
    assert read_answers("5", "  The panel\n", "", ["13", "3"], "no") == FeedbackAnswers(
        5, "The panel", "", (3, 13), False
    )


def test_the_form_has_at_most_five_inputs_and_a_short_title() -> None:
    t = Translator("nb", "Europe/Oslo")
    view = feedback_form_view(feedback.FeedbackForm(KEY, "Tittel", anonymous=False), t)
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(inputs) == 5
    assert len(view["title"]["text"]) <= 24
    goals = next(b for b in inputs if b["block_id"] == "feedback.goals")["element"]["options"]
    assert [o["text"]["text"] for o in goals[:2]] == ["1. Utrydde fattigdom", "2. Utrydde sult"]
    assert len(goals) == 17


# --- storage ----------------------------------------------------------------------------


def test_a_second_named_submission_replaces_the_first(runtime: Runtime) -> None:
    build_world(runtime)
    first = submit(runtime, "U0ANNA", answers(2, 1, 13, most_valuable="Panel"))
    assert not first.replaced
    second = submit(runtime, "U0ANNA", answers(5, 13, 11, would_recommend=True))
    assert second.replaced and not second.anonymous
    with runtime.unit_of_work() as db:
        rows = list(db.scalars(select(FeedbackResponse)))
        assert len(rows) == 1
        assert (rows[0].rating, rows[0].most_valuable, rows[0].would_recommend) == (5, "", True)
        assert sorted(s.goal for s in rows[0].sdgs) == [11, 13]
        assert rows[0].member_id == member_id(db, "U0ANNA")
        assert (rows[0].role, rows[0].organisation_name) == (Role.PRACTITIONER, "Aarhus Kommune")
        assert db.scalar(select(func.count()).select_from(FeedbackRespondent)) == 1
    form = open_form(runtime, "U0ANNA")
    assert form.previous == FeedbackAnswers(5, "", "", (11, 13), True)


def test_a_second_anonymous_submission_is_refused_and_changes_nothing(runtime: Runtime) -> None:
    build_world(runtime, anonymous=True)
    outcome = submit(runtime, "U0ANNA", answers(4, 5, most_valuable="Godt"))
    assert outcome.anonymous and not outcome.replaced
    with pytest.raises(AnonymousFeedbackGiven):
        open_form(runtime, "U0ANNA")
    with pytest.raises(AnonymousFeedbackGiven):
        submit(runtime, "U0ANNA", answers(1))
    with runtime.unit_of_work() as db:
        rows = list(db.scalars(select(FeedbackResponse)))
        assert [(r.rating, r.most_valuable) for r in rows] == [(4, "Godt")]


def test_an_anonymous_answer_holds_nothing_that_points_to_its_member(runtime: Runtime) -> None:
    world = build_world(runtime, anonymous=True, participants=tuple(f"U0P{i}" for i in range(6)))
    for index, user_id in enumerate(world.participants):
        submit(runtime, user_id, answers(index % 5 + 1, 13, most_valuable=f"answer {index}"))
    with runtime.unit_of_work() as db:
        rows = list(db.scalars(select(FeedbackResponse)))
        assert len(rows) == 6
        assert all(
            r.member_id is None and r.role is None and r.organisation_name is None for r in rows
        )
        assert db.scalar(select(func.count()).select_from(FeedbackRespondent)) == 6

    # The schema: answers and goals have no time and no member; who-answered has no answer.
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    for name in ("feedback_responses", "feedback_sdgs"):
        columns = tables[name].columns
        assert not [
            c.name for c in columns if "time" in str(c.type).lower() or c.name.endswith("_at")
        ]
    respondents = tables["feedback_respondents"]
    assert {c.name for c in respondents.columns} == {"session_id", "member_id"}
    assert {fk.column.table.name for fk in respondents.foreign_keys} == {
        "programme_sessions",
        "members",
    }
    assert "feedback_responses" not in {
        fk.column.table.name
        for t in tables.values()
        for fk in t.foreign_keys
        if t.name != "feedback_sdgs"
    }


def test_an_anonymous_submission_writes_only_its_own_answer_under_a_random_id(
    runtime: Runtime,
) -> None:
    world = build_world(runtime, anonymous=True, participants=tuple(f"U0P{i}" for i in range(10)))
    kept: dict[int, str] = {}
    for index, user_id in enumerate(world.participants):
        submit(runtime, user_id, answers(3, most_valuable=f"answer {index}"))
        with runtime.unit_of_work() as db:
            rows = {
                row.id: row.most_valuable
                for row in db.execute(select(FeedbackResponse.id, FeedbackResponse.most_valuable))
            }
            stored = list(db.execute(text("SELECT id FROM feedback_responses")).scalars())
        # Earlier answers are left as they were (no copies of them are written).
        assert {i: rows[i] for i in kept} == kept
        (new_id,) = set(rows) - set(kept)
        kept[new_id] = f"answer {index}"
        if runtime.database.is_sqlite:
            # Stored in key order, whatever the order of answering.
            assert stored == sorted(stored)
    # Ten ids drawn in increasing order would be a 1 in 3.6 million draw.
    assert list(kept) != sorted(kept)


def test_a_random_id_that_is_taken_is_drawn_again(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_world(runtime)
    submit(runtime, "U0ANNA", answers(4))
    with runtime.unit_of_work() as db:
        taken = db.scalar(select(FeedbackResponse.id))
    draws: Iterator[int] = iter([taken, 4242])  # type: ignore[list-item]
    monkeypatch.setattr(feedback, "random_response_id", lambda: next(draws))
    submit(runtime, "U0BO", answers(2, 7))
    with runtime.unit_of_work() as db:
        assert sorted(db.scalars(select(FeedbackResponse.id))) == sorted([taken, 4242])
        assert list(
            db.scalars(select(FeedbackSdg.goal).where(FeedbackSdg.response_id == 4242))
        ) == [7]


# --- summaries --------------------------------------------------------------------------


def summary_of(runtime: Runtime) -> summaries.FeedbackSummary:
    with runtime.unit_of_work() as db:
        return summaries.feedback_summary(db, runtime.settings.home_team_id, KEY)


def test_the_summary_of_a_known_data_set(runtime: Runtime) -> None:
    known_world(runtime)
    s = summary_of(runtime)
    assert (s.participants, s.responses) == (12, 8)
    assert s.response_rate == pytest.approx(8 / 12)
    assert s.average == pytest.approx(32 / 8)
    assert s.distribution == {1: 0, 2: 1, 3: 1, 4: 3, 5: 3}
    assert s.goals == [(13, 4), (11, 2), (17, 2), (3, 1)]
    assert (s.recommend_yes, s.recommend_answers) == (5, 6)
    assert s.recommend_share == pytest.approx(5 / 6)
    # Only groups of five or more: the politicians, and Aarhus.
    assert s.by_role == [summaries.Group(Role.POLITICIAN, 5, pytest.approx(22 / 5))]  # type: ignore[arg-type]
    assert s.by_organisation == [summaries.Group("Aarhus Kommune", 5, pytest.approx(22 / 5))]  # type: ignore[arg-type]
    assert s.comments == [
        summaries.Comment("Dialogen", "", "Name U1", "Aarhus Kommune"),
        summaries.Comment("", "Kortere oplæg", "Name U2", "Aarhus Kommune"),
        summaries.Comment("Øvelserne", "", "Name U5", "Aarhus Kommune"),
        summaries.Comment("", "Mere tid", "Name U7", "Odense Kommune"),
    ]
    shown = text_of(summary_reply(s, Translator("da", "Europe/Copenhagen")).__dict__)
    assert "8 af 12 deltagere (67\xa0%)" in shown
    assert "4,0 af 5" in shown
    assert "83\xa0% (5 af 6, der svarede)" in shown
    assert "13. Klimaindsats: 4" in shown
    assert "Politiker: 5 svar, gennemsnit 4,4" in shown
    assert "Praktiker" not in shown  # a group of two is not shown


def test_an_anonymous_summary_has_no_names_and_no_breakdown(runtime: Runtime) -> None:
    known_world(runtime, anonymous=True)
    s = summary_of(runtime)
    assert (s.responses, s.average, s.distribution[5]) == (8, 4.0, 3)
    assert s.by_role == [] and s.by_organisation == []
    assert sorted((c.most_valuable, c.should_change) for c in s.comments) == sorted(
        [("Dialogen", ""), ("", "Kortere oplæg"), ("Øvelserne", ""), ("", "Mere tid")]
    )
    assert all(c.name is None and c.organisation is None for c in s.comments)
    shown = text_of(summary_reply(s, Translator("en", "UTC")).__dict__)
    assert "Name U" not in shown and "Aarhus" not in shown


def test_summaries_are_counted_by_the_database(runtime: Runtime) -> None:
    """No response is loaded as an object, and the statements do not grow with the answers."""
    known_world(runtime)
    loaded: list[object] = []
    statements: list[str] = []

    def on_load(target: object, _context: object) -> None:
        loaded.append(target)

    def on_execute(*args: Any) -> None:
        statements.append(args[2])

    event.listen(FeedbackResponse, "load", on_load)
    event.listen(runtime.database.engine, "before_cursor_execute", on_execute)
    try:
        summary_of(runtime)
        first = len(statements)
        with runtime.unit_of_work(write=True) as db:
            session = add_feedback_session(db, key="bigger")
            for index in range(30):
                add_participant(db, session, f"U0X{index}")
        for index in range(30):
            submit(runtime, f"U0X{index}", answers(index % 5 + 1, index % 17 + 1), key="bigger")
        statements.clear()
        loaded.clear()
        with runtime.unit_of_work() as db:
            summaries.feedback_summary(db, runtime.settings.home_team_id, "bigger")
        assert len(statements) == first
        assert loaded == []
    finally:
        event.remove(FeedbackResponse, "load", on_load)
        event.remove(runtime.database.engine, "before_cursor_execute", on_execute)


@pytest.mark.parametrize(
    ("moment", "first_year"),
    [
        ("2027-05-03T08:00:00+00:00", 2026),
        ("2027-07-31T21:59:00+00:00", 2026),  # 23:59 on 31 July in Copenhagen
        ("2027-07-31T22:00:00+00:00", 2027),  # midnight, 1 August in Copenhagen
        ("2026-12-31T12:00:00+00:00", 2026),
    ],
)
def test_a_season_runs_from_august_to_july(moment: str, first_year: int) -> None:
    season = default_season_at(datetime.fromisoformat(moment), CPH)
    assert season.starts == datetime(first_year, 8, 1, tzinfo=CPH)
    assert season.ends == datetime(first_year + 1, 8, 1, tzinfo=CPH)
    assert season.key == f"{first_year}-{first_year + 1}"


def test_the_season_compares_its_sessions(runtime: Runtime) -> None:
    known_world(runtime)
    with runtime.unit_of_work(write=True) as db:
        autumn = add_feedback_session(
            db, key="2026-10-01-webinar", ends=datetime(2026, 10, 1, 12, tzinfo=UTC)
        )
        for user_id in ("U1", "U2", "U3", "U4"):
            add_participant(db, autumn, user_id)
        last_season = add_feedback_session(
            db, key="2026-06-01-old", ends=datetime(2026, 6, 1, 12, tzinfo=UTC)
        )
        add_participant(db, last_season, "U1")
        add_feedback_session(
            db, key="2027-06-10-symposium", ends=datetime(2027, 6, 10, 15, tzinfo=UTC)
        )
    for user_id, rating in (("U1", 3), ("U2", 4)):
        submit(runtime, user_id, answers(rating, 12, 6, 3), key="2026-10-01-webinar")
    with runtime.unit_of_work() as db:
        season = summaries.season_summary(db, runtime.settings.home_team_id, NOW, CPH)
    assert [(r.key, r.participants, r.responses, r.average) for r in season.rows] == [
        ("2026-10-01-webinar", 4, 2, 3.5),
        (KEY, 12, 8, 4.0),
    ]
    assert season.rows[0].top_goals == [(3, 2), (6, 2), (12, 2)]
    assert season.rows[1].top_goals == [(13, 4), (11, 2), (17, 2)]
    assert season.upcoming == 1


# --- exports ----------------------------------------------------------------------------


def test_the_export_holds_registrations_with_fees_and_named_answers(runtime: Runtime) -> None:
    known_world(runtime)
    with runtime.unit_of_work() as db:
        export = exports.session_export(
            db, runtime.settings.home_team_id, KEY, runtime.settings.fees
        )
    assert len(export.registrations) == 13
    fees = {row.name: row.fee for row in export.registrations}
    # Aarhus: first full price, the next four at 25 % off; the waiting list pays nothing.
    assert fees["Name U1"] == 10000 and fees["Name U2"] == 7500
    assert fees["Member U13"] is None
    t = Translator("da", "Europe/Copenhagen")
    registrations = registrations_csv(export, t, CPH).content
    assert registrations.startswith(b"\xef\xbb\xbf")
    lines = registrations.decode("utf-8-sig").splitlines()
    assert lines[0] == "Navn;Organisation;Rolle;Deltagelse;Status;Tilmeldt;Gebyr (DKK);Gæst af"
    assert "Name U1;Aarhus Kommune;Politiker;Fysisk;Bekræftet;2027-04-22 12:00;10000;" in lines
    answers_csv = feedback_csv(export, t).content.decode("utf-8-sig").splitlines()
    assert (
        answers_csv[0]
        == "Navn;Organisation;Rolle;Bedømmelse;Mest værdifuldt;Bør ændres;Verdensmål;Vil anbefale"
    )
    assert "Name U5;Aarhus Kommune;Politiker;4;Øvelserne;;11;Nej" in answers_csv
    assert 'Name U1;Aarhus Kommune;Politiker;5;Dialogen;;"11; 13";Ja' in answers_csv


def test_an_anonymous_export_has_no_names(runtime: Runtime) -> None:
    known_world(runtime, anonymous=True)
    with runtime.unit_of_work() as db:
        export = exports.session_export(
            db, runtime.settings.home_team_id, KEY, runtime.settings.fees
        )
    content = feedback_csv(export, Translator("en", "UTC")).content.decode("utf-8-sig")
    lines = content.splitlines()
    assert lines[0] == "Rating,Most valuable,Should change,SDGs,Would recommend"
    assert len(lines) == 9
    assert "Name U" not in content and "Aarhus" not in content and "Politician" not in content


# --- facilitators -----------------------------------------------------------------------


def test_listed_facilitators_need_no_slack_call() -> None:
    directory = FacilitatorDirectory(["UFAC"])

    def never(_group: str) -> list[str]:
        raise AssertionError("no user group is configured")

    assert directory.confirm("UFAC", NOW, never)
    assert not directory.confirm("UMEMBER", NOW, never)
    assert not directory.may_be("UMEMBER", NOW)


def test_the_user_group_is_asked_every_time_and_the_cache_only_refuses() -> None:
    directory = FacilitatorDirectory([], "S0GROUP", ttl=timedelta(minutes=10))
    group = ["UGROUP"]
    asked: list[str] = []

    def fetch(usergroup: str) -> list[str]:
        asked.append(usergroup)
        return list(group)

    assert directory.may_be("UMEMBER", NOW)  # nothing known yet: let the follow-up decide
    assert directory.confirm("UGROUP", NOW, fetch)
    assert not directory.may_be("UMEMBER", NOW)  # known outsider, fresh answer
    group.clear()  # removed from the group in Slack a second later
    assert not directory.confirm("UGROUP", NOW + timedelta(seconds=1), fetch)
    assert asked == ["S0GROUP", "S0GROUP"]
    assert directory.may_be("UMEMBER", NOW + timedelta(minutes=11))  # stale: ask again


def test_runtime_gate_uses_the_directory(runtime: Runtime) -> None:
    settings = dataclasses.replace(
        runtime.settings,
        bot=dataclasses.replace(
            runtime.settings.bot, facilitators=("UFAC",), facilitator_usergroup="S0GROUP"
        ),
    )
    gated = dataclasses.replace(runtime, settings=settings)
    assert gated.facilitators.listed("UFAC") and not gated.facilitators.listed("UGROUP")
    assert gated.may_be_facilitator("UGROUP")
    assert not runtime.may_be_facilitator("UGROUP")  # no group configured there
    assert inspect(FeedbackResponse).columns["member_id"].nullable
