"""Privacy services on the real database: what mydata collects, what forget-me erases,
what retention removes, and that the summaries' numbers survive both."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.delivery.registry import planners
from bot.i18n import Translator
from bot.ids import ActionId
from bot.models import (
    Delivery,
    DeliveryKind,
    FeedbackRespondent,
    FeedbackResponse,
    Member,
    Organisation,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.rendering.privacy import (
    erased_reply,
    forget_me_reply,
    personal_data_document,
    personal_data_json,
)
from bot.runtime import Runtime
from bot.sandbox.slack_standin import validate_message_blocks
from bot.services import summaries
from bot.services.erasure import ErasureOutcome, ErasurePreview, erase_member, erasure_preview
from bot.services.personal_data import FacilitatorStatus, PersonalData, collect_personal_data
from bot.services.retention import expire_personal_data, plan_retention
from tests.support import factories as make
from tests.support.privacy_world import (
    ANNA,
    ANNA_ANONYMOUS,
    ANNA_NAME,
    ANNA_ORG,
    ANNA_SAYS,
    ANON,
    BO,
    BO_NAME,
    BO_SAYS,
    NEXT,
    NOW,
    OTHERS,
    PAST,
    WENCHE,
    build_privacy_world,
    member_id,
)

NOT_A_FACILITATOR = FacilitatorStatus(listed=False, usergroup="", in_usergroup=None)
RETAIN = timedelta(days=180)


def collect(runtime: Runtime, user_id: str) -> PersonalData:
    with runtime.unit_of_work() as db:
        return collect_personal_data(
            db,
            runtime.settings.home_team_id,
            user_id,
            fees=runtime.settings.fees,
            retain=RETAIN,
        )


def document(runtime: Runtime, user_id: str, t: Translator) -> dict[str, Any]:
    return personal_data_document(collect(runtime, user_id), NOT_A_FACILITATOR, t, NOW)


def numbers(runtime: Runtime, key: str) -> tuple[Any, ...]:
    """Everything a summary counts: it must not change when personal data goes."""
    with runtime.unit_of_work() as db:
        s = summaries.feedback_summary(db, runtime.settings.home_team_id, key)
        season = summaries.season_summary(
            db, runtime.settings.home_team_id, NOW, runtime.settings.bot.zone
        )
    row = next(r for r in season.rows if r.key == key)
    return (
        s.participants,
        s.responses,
        s.average,
        s.distribution,
        s.goals,
        s.recommend_answers,
        s.recommend_yes,
        s.by_role,
        s.by_organisation,
        sorted((c.most_valuable, c.should_change) for c in s.comments),
        (row.participants, row.responses, row.average, row.top_goals),
    )


def count(runtime: Runtime, model: Any, *where: Any) -> int:
    with runtime.unit_of_work() as db:
        return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def session_id(runtime: Runtime, key: str) -> int:
    with runtime.unit_of_work() as db:
        found = db.scalar(select(ProgrammeSession.id).where(ProgrammeSession.key == key))
        assert found is not None
        return found


# --- mydata ------------------------------------------------------------------------------


def test_the_data_file_holds_everything_about_the_member_and_nothing_about_anyone_else(
    runtime: Runtime,
) -> None:
    build_privacy_world(runtime)
    t = Translator("en", "America/New_York")
    doc = document(runtime, ANNA, t)

    assert doc["slack_user_id"] == ANNA
    assert doc["generated_at"] == "2027-05-03T04:00:00-04:00"
    profile = doc["profile"]
    assert (profile["name"], profile["organisation"], profile["role"]) == (
        ANNA_NAME,
        ANNA_ORG,
        "leader",
    )
    assert profile["language"] == "en"
    assert profile["slack_profile"] == {
        "real_name": "Anna H.",
        "time_zone": "America/New_York",
        "locale": "en-US",
        "fetched_at": "2027-05-03T04:00:00-04:00",
    }
    assert doc["facilitator"] == {
        "listed_in_configuration": False,
        "user_group": None,
        "in_user_group": None,
    }

    registrations = {r["session"]["key"]: r for r in doc["registrations"]}
    assert list(registrations) == [PAST, ANON, NEXT]
    upcoming = registrations[NEXT]
    assert upcoming["session"]["starts_at"] == "2027-05-20T04:00:00-04:00"
    assert (upcoming["status"], upcoming["attendance"]) == ("confirmed", "room")
    assert {r["organisation"] for r in registrations.values()} == {ANNA_ORG}
    assert upcoming["registered_at"] == "2027-04-03T04:00:00-04:00"
    assert upcoming["fee"] == {
        "amount": 10000,
        "currency": "DKK",
        "full_price": 10000,
        "discount_for_colleague_from": None,
    }
    assert upcoming["detached_from_you_after"] == "2027-11-16T05:00:00-05:00"

    kinds = sorted((m["kind"], m["session"]["key"]) for m in doc["messages"])
    assert kinds == sorted(
        [("reminder", NEXT)] * 3
        + [(kind, key) for kind in ("feedback_nudge", "feedback_prompt") for key in (PAST, ANON)]
    )
    assert {m["state"] for m in doc["messages"]} == {"pending"}

    (named,) = doc["feedback"]
    assert named["session"]["key"] == PAST
    assert (named["rating"], named["most_valuable"], named["sdgs"]) == (5, ANNA_SAYS, [11, 13])
    assert named["organisation_when_answered"] == ANNA_ORG
    assert [a["session"]["key"] for a in doc["anonymous_feedback_given"]] == [ANON]
    assert "cannot be shown here" in doc["notes"]["anonymous_feedback"]
    assert "180 days after a session ends" in doc["notes"]["retention"]

    text = json.dumps(doc, ensure_ascii=False)
    for someone_else in (BO, BO_NAME, BO_SAYS, "Mere tid", WENCHE, "Wenche", *OTHERS):
        assert someone_else not in text
    # Anna's anonymous answer is stored without a link to her: it cannot be in her file.
    assert ANNA_ANONYMOUS not in text


def test_the_file_is_indented_utf8_json_with_notes_in_the_members_language(
    runtime: Runtime,
) -> None:
    build_privacy_world(runtime)
    data = collect(runtime, ANNA)
    content = personal_data_json(data, NOT_A_FACILITATOR, Translator("da", "Europe/Oslo"), NOW)
    text = content.decode("utf-8")
    assert "Holm Rådgivning & Co" in text  # as stored: neither escaped nor \u-encoded
    assert '\n  "profile": {' in text
    doc = json.loads(text)
    assert doc["notes"]["erase"] == "Skriv /sdg glem-mig for at slette dine personoplysninger."
    assert doc["generated_at"] == "2027-05-03T10:00:00+02:00"


def test_someone_never_seen_has_nothing_stored(runtime: Runtime) -> None:
    build_privacy_world(runtime)
    data = collect(runtime, "U0NOBODY")
    assert not data.anything
    doc = personal_data_document(data, NOT_A_FACILITATOR, Translator("en", "UTC"), NOW)
    assert doc["profile"] is None
    assert doc["registrations"] == doc["messages"] == doc["feedback"] == []


# --- forget-me ---------------------------------------------------------------------------


def test_erasure_cancels_what_is_ahead_detaches_the_past_and_keeps_the_numbers(
    runtime: Runtime,
) -> None:
    world = build_privacy_world(runtime)
    team = runtime.settings.home_team_id
    before = {key: numbers(runtime, key) for key in (PAST, ANON)}
    anna = member_id(runtime, ANNA)
    with runtime.unit_of_work() as db:
        preview = erasure_preview(db, team, ANNA, NOW)
    assert preview.stored and preview.upcoming == (f"Session {NEXT}",)
    assert (preview.past, preview.feedback) == (2, 1)

    with runtime.unit_of_work(write=True) as db:
        outcome = erase_member(db, team, ANNA, NOW)
    assert outcome.erased
    assert outcome.cancelled == (f"Session {NEXT}",)
    assert [p.slack_user_id for p in outcome.promoted] == [WENCHE]
    assert (outcome.past, outcome.feedback) == (2, 1)
    assert outcome.messages == 7

    assert member_id(runtime, ANNA) is None
    assert count(runtime, Registration, Registration.member_id == anna) == 0
    # Ahead: the seat went to the waiting list (offered: the session has a price),
    # Anna's row is gone, the offer is queued.
    with runtime.unit_of_work() as db:
        ahead = db.execute(
            select(Member.slack_user_id, Registration.status)
            .outerjoin(Member, Member.id == Registration.member_id)
            .where(Registration.session_id == world.next_id)
        ).all()
        promoted = db.scalars(
            select(Delivery.recipient).where(Delivery.kind == DeliveryKind.SEAT_OFFER)
        ).all()
    assert [tuple(row) for row in ahead] == [(WENCHE, RegistrationStatus.OFFERED)]
    assert promoted == [WENCHE]
    # Behind: rows kept, pointing at no one.
    assert count(runtime, Registration, Registration.member_id.is_(None)) == 2
    assert count(runtime, Registration, Registration.session_id == world.past_id) == 5
    assert count(runtime, FeedbackResponse, FeedbackResponse.session_id == world.past_id) == 2
    assert count(runtime, FeedbackRespondent, FeedbackRespondent.member_id == anna) == 0
    assert count(runtime, Delivery, Delivery.recipient == ANNA) == 0
    # Her own "Other" organisation went; Aarhus Kommune stays.
    assert count(runtime, Organisation, Organisation.name == ANNA_ORG) == 0
    assert count(runtime, Organisation, Organisation.name == "Aarhus Kommune") == 1
    # Her detached rows were invoiced to it, so they have no organisation now (SET NULL);
    # everyone else's keep Aarhus Kommune.
    assert count(runtime, Registration, Registration.organisation_id.is_(None)) == 2

    assert {key: numbers(runtime, key) for key in (PAST, ANON)} == before
    with runtime.unit_of_work() as db:
        comments = summaries.feedback_summary(db, team, PAST).comments
    assert {(c.most_valuable, c.name) for c in comments} == {(ANNA_SAYS, None), (BO_SAYS, BO_NAME)}
    assert not collect(runtime, ANNA).anything
    assert collect(runtime, BO).profile is not None

    # Again: nothing is stored, nothing changes.
    with runtime.unit_of_work(write=True) as db:
        again = erase_member(db, team, ANNA, NOW)
    assert not again.erased
    assert count(runtime, Registration) == 5 + 2 + 1
    assert {key: numbers(runtime, key) for key in (PAST, ANON)} == before


def test_an_organisation_a_colleague_also_uses_is_kept(runtime: Runtime) -> None:
    team = runtime.settings.home_team_id
    with runtime.unit_of_work(write=True) as db:
        shared = make.add_organisation(db, "Fælles Sekretariat")
        shared.is_municipality = False
        make.add_member(db, "U0ONE", now=NOW, organisation=shared)
        make.add_member(db, "U0TWO", now=NOW, organisation=shared)
    with runtime.unit_of_work(write=True) as db:
        assert erase_member(db, team, "U0ONE", NOW).erased
    assert count(runtime, Organisation, Organisation.name == "Fælles Sekretariat") == 1
    with runtime.unit_of_work(write=True) as db:
        assert erase_member(db, team, "U0TWO", NOW).erased
    assert count(runtime, Organisation, Organisation.name == "Fælles Sekretariat") == 0


# --- retention ---------------------------------------------------------------------------


def personal_rows(runtime: Runtime, session: int) -> tuple[int, int, int, int]:
    return (
        count(
            runtime,
            Registration,
            Registration.session_id == session,
            Registration.member_id.is_not(None),
        ),
        count(
            runtime,
            FeedbackResponse,
            FeedbackResponse.session_id == session,
            FeedbackResponse.member_id.is_not(None),
        ),
        count(runtime, FeedbackRespondent, FeedbackRespondent.session_id == session),
        count(runtime, Delivery, Delivery.session_id == session),
    )


def expire(runtime: Runtime, moment: Any) -> int:
    with runtime.unit_of_work(write=True) as db:
        return expire_personal_data(db, RETAIN, moment).changed


def test_retention_keeps_everything_until_the_cutoff_then_only_the_aggregates(
    runtime: Runtime,
) -> None:
    world = build_privacy_world(runtime)
    before = {key: numbers(runtime, key) for key in (PAST, ANON)}
    with runtime.unit_of_work() as db:
        past_ends = db.get(ProgrammeSession, world.past_id).ends_at  # type: ignore[union-attr]
        anon_ends = db.get(ProgrammeSession, world.anon_id).ends_at  # type: ignore[union-attr]
        next_ends = db.get(ProgrammeSession, world.next_id).ends_at  # type: ignore[union-attr]
    assert personal_rows(runtime, world.past_id) == (5, 2, 2, 10)

    assert expire(runtime, past_ends + RETAIN - timedelta(minutes=1)) == 0
    assert personal_rows(runtime, world.past_id) == (5, 2, 2, 10)

    # PAST is due, ANON (a week younger) is not.
    assert expire(runtime, past_ends + RETAIN + timedelta(minutes=1)) == 5 + 2 + 2 + 10
    assert personal_rows(runtime, world.past_id) == (0, 0, 0, 0)
    assert personal_rows(runtime, world.anon_id) == (2, 0, 2, 4)
    assert count(runtime, Registration, Registration.session_id == world.past_id) == 5
    # Detached rows keep the organisation they are invoiced to.
    assert count(runtime, Registration, Registration.organisation_id.is_(None)) == 0
    assert {key: numbers(runtime, key) for key in (PAST, ANON)} == before

    # Members who took part only in PAST joined recently: they stay for now.
    later = anon_ends + RETAIN + timedelta(minutes=1)
    expire(runtime, later)
    assert personal_rows(runtime, world.anon_id) == (0, 0, 0, 0)
    assert count(runtime, Member) == 6
    assert expire(runtime, later) == 0  # nothing left to do at that time

    # When NEXT has gone the same way, only someone who used the bot lately stays.
    end = next_ends + RETAIN + timedelta(minutes=1)
    with runtime.unit_of_work(write=True) as db:
        bo = db.scalar(select(Member).where(Member.slack_user_id == BO))
        assert bo is not None
        bo.slack_profile_fetched_at = end - timedelta(days=1)
    assert expire(runtime, end) == 2 + 3 + 5  # NEXT: 2 registrations, 3 reminders; 5 members
    with runtime.unit_of_work() as db:
        assert db.scalars(select(Member.slack_user_id)).all() == [BO]
    assert count(runtime, Organisation, Organisation.name == ANNA_ORG) == 0
    assert count(runtime, Registration) == 9  # 5 + 2 + 2, none of them pointing at anyone
    # Anna's three went with her "Other" organisation; the six of Aarhus Kommune stay.
    assert count(runtime, Registration, Registration.organisation_id.is_(None)) == 3
    assert count(runtime, Registration, Registration.member_id.is_not(None)) == 0
    assert {key: numbers(runtime, key) for key in (PAST, ANON)} == before
    assert expire(runtime, end) == 0


def test_retention_is_a_planner_and_honours_the_configured_period(runtime: Runtime) -> None:
    world = build_privacy_world(runtime)
    assert plan_retention in planners()
    settings = dataclasses.replace(
        runtime.settings,
        privacy=dataclasses.replace(
            runtime.settings.privacy, retain_personal_data=timedelta(days=10)
        ),
    )
    with runtime.unit_of_work(write=True) as db:
        changed = plan_retention(db, settings, NOW)  # PAST ended 13 days ago, ANON 6
    assert changed == 5 + 2 + 2 + 10
    assert personal_rows(runtime, world.past_id) == (0, 0, 0, 0)
    assert personal_rows(runtime, world.anon_id) == (2, 0, 2, 4)


# --- the messages (pure) -----------------------------------------------------------------


def test_the_question_escapes_titles_and_says_what_stays() -> None:
    preview = ErasurePreview(stored=True, upcoming=("Data & <mål>",), past=1, feedback=3)
    reply = forget_me_reply(preview, ANNA, Translator("nb", "Europe/Oslo"))
    text = reply.blocks[0]["text"]["text"]
    assert "• Data &amp; &lt;mål&gt;" in text
    assert "Du deltok på én samling: den blir bare stående som et anonymt tall." in text
    assert "De 3 tilbakemeldingene dine blir stående i oppsummeringene" in text
    erase = reply.blocks[1]["elements"][0]
    assert (erase["action_id"], erase["value"], erase["style"]) == (
        ActionId.FORGET_ME_CONFIRM,
        ANNA,
        "danger",
    )
    assert erase["confirm"]["title"]["text"] == "Slette dataene dine?"
    assert validate_message_blocks(reply.blocks) == []


def test_the_answer_when_nothing_was_stored() -> None:
    reply = erased_reply(ErasureOutcome(erased=False), Translator("en", "UTC"))
    assert reply.text == "Nothing is stored about you, so there was nothing to erase."
