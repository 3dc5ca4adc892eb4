"""Feedback on a session: who may give it, the answers, and how they are stored.

Storage rules (see also README, "Feedback and anonymity"):

* ``FeedbackRespondent(session, member)`` records *who* answered, for every
  session.  The nudge and the "already answered" checks use it.
* ``FeedbackResponse`` holds the answers.  In a named session it carries the
  member and a snapshot of their role and organisation; a second submission
  replaces the first.
* In an anonymous session the response has no member, no role, no
  organisation and no timestamp: nothing in it points back to a person.  A
  second submission is refused, since we cannot tell which answer was theirs.
  Role and organisation are left out (not only hidden) because with few
  participants "the politician from Aarhus" is a name.
* Row ids and storage order could still pair a respondent row with a response
  row (both written in the same transaction).  So only the new answer is
  written, under a random id; on SQLite both tables (and the goals) are
  WITHOUT ROWID, stored in key order (random id; session and member), never
  in the order people answered.  After an anonymous submission commits, the
  unit of work scrubs the SQLite files (``Database.scrub_files``; after a modal
  submission the listener frame runs it right after the ack): freed space
  is zeroed (``secure_delete``), the pages are rewritten in key order
  (``VACUUM``: otherwise the position of a row inside its page still shows
  which came last) and the write-ahead log is emptied.  What PostgreSQL keeps
  is in the README.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import SCRUB_FILES_AFTER_COMMIT
from bot.errors import (
    AnonymousFeedbackGiven,
    FeedbackNotCollected,
    FeedbackNotOpenYet,
    FeedbackSessionCancelled,
    FieldCode,
    FormErrors,
    NoEndedSessionToRate,
    NotRegisteredForSession,
)
from bot.models import (
    FeedbackRespondent,
    FeedbackResponse,
    FeedbackSdg,
    Member,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.sdgs import GOALS
from bot.services.members import find_member
from bot.services.sessions import find_session
from bot.whole_numbers import whole_number

MAX_TEXT = 2000
RATINGS = range(1, 6)
_RANDOM_ID_LIMIT = 2**31 - 1  # fits the INTEGER column on both backends


@dataclass(frozen=True)
class FeedbackAnswers:
    rating: int
    most_valuable: str = ""
    should_change: str = ""
    goals: tuple[int, ...] = ()
    would_recommend: bool | None = None


@dataclass(frozen=True)
class FeedbackForm:
    """What the form needs: the session, and the earlier answer in a named session."""

    key: str
    title: str
    anonymous: bool
    previous: FeedbackAnswers | None = None


@dataclass(frozen=True)
class SubmitOutcome:
    key: str
    title: str
    anonymous: bool
    replaced: bool


def read_answers(
    rating: str | None,
    most_valuable: str | None,
    should_change: str | None,
    goals: list[str],
    would_recommend: str | None,
) -> FeedbackAnswers:
    """The form's raw values checked and typed; :class:`FormErrors` when wrong."""
    errors = FormErrors()
    rating_value = whole_number(rating, least=RATINGS.start, most=RATINGS.stop - 1) or 0
    if rating_value not in RATINGS:
        errors.add("rating", FieldCode.RATING_MISSING)
    texts = {"most_valuable": most_valuable or "", "should_change": should_change or ""}
    for name, text in texts.items():
        if len(text) > MAX_TEXT:
            errors.add(name, FieldCode.ANSWER_TOO_LONG)
    goal_numbers = [whole_number(g, least=1, most=len(GOALS)) for g in goals]
    goal_values = sorted({g for g in goal_numbers if g is not None})
    if len(goal_values) != len(set(goals)) or any(g not in GOALS for g in goal_values):
        errors.add("goals", FieldCode.GOAL_UNKNOWN)
    if would_recommend not in (None, "", "yes", "no"):
        errors.add("would_recommend", FieldCode.RECOMMEND_UNKNOWN)
    if errors:
        raise errors
    return FeedbackAnswers(
        rating=rating_value,
        most_valuable=texts["most_valuable"].strip(),
        should_change=texts["should_change"].strip(),
        goals=tuple(goal_values),
        would_recommend=None if not would_recommend else would_recommend == "yes",
    )


# --- who may give feedback ------------------------------------------------------------


def is_confirmed_participant(db: Session, session_id: int, member_id: int) -> bool:
    return bool(
        db.scalar(
            select(
                exists().where(
                    Registration.session_id == session_id,
                    Registration.member_id == member_id,
                    Registration.status == RegistrationStatus.CONFIRMED,
                )
            )
        )
    )


def has_answered(db: Session, session_id: int, member_id: int) -> bool:
    return db.get(FeedbackRespondent, (session_id, member_id)) is not None


def _latest_ended_session(
    db: Session, team_id: str, member_id: int, now: datetime
) -> ProgrammeSession | None:
    return db.scalar(
        select(ProgrammeSession)
        .join(Registration, Registration.session_id == ProgrammeSession.id)
        .where(
            ProgrammeSession.team_id == team_id,
            ProgrammeSession.ends_at <= now,
            ProgrammeSession.cancelled_at.is_(None),
            ProgrammeSession.feedback.is_(True),
            Registration.member_id == member_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(ProgrammeSession.ends_at.desc(), ProgrammeSession.key)
        .limit(1)
    )


def _check_open(
    db: Session, session: ProgrammeSession, member: Member | None, now: datetime
) -> Member:
    """Raise the member's reason not to answer this session, else return the member."""
    title = session.title
    if session.cancelled_at is not None:
        raise FeedbackSessionCancelled(title=title)
    if not session.feedback:
        raise FeedbackNotCollected(title=title)
    if member is None or not is_confirmed_participant(db, session.id, member.id):
        raise NotRegisteredForSession(title=title)
    if session.ends_at > now:
        raise FeedbackNotOpenYet(title=title)
    return member


def open_feedback(
    db: Session, team_id: str, slack_user_id: str, key: str | None, now: datetime
) -> FeedbackForm:
    """The form for *key* (default: the latest ended session the member took part in)."""
    member = find_member(db, team_id, slack_user_id)
    if key:
        session = find_session(db, team_id, key)
    else:
        found = _latest_ended_session(db, team_id, member.id, now) if member else None
        if found is None:
            raise NoEndedSessionToRate()
        session = found
    member = _check_open(db, session, member, now)
    previous: FeedbackAnswers | None = None
    if session.anonymous:
        if has_answered(db, session.id, member.id):
            raise AnonymousFeedbackGiven(title=session.title)
    else:
        stored = _named_response(db, session.id, member.id)
        if stored is not None:
            previous = _answers_of(stored)
    return FeedbackForm(session.key, session.title, session.anonymous, previous)


# --- storing answers ------------------------------------------------------------------


def _named_response(db: Session, session_id: int, member_id: int) -> FeedbackResponse | None:
    return db.scalar(
        select(FeedbackResponse).where(
            FeedbackResponse.session_id == session_id, FeedbackResponse.member_id == member_id
        )
    )


def _answers_of(response: FeedbackResponse) -> FeedbackAnswers:
    return FeedbackAnswers(
        rating=response.rating,
        most_valuable=response.most_valuable,
        should_change=response.should_change,
        goals=tuple(sorted(s.goal for s in response.sdgs)),
        would_recommend=response.would_recommend,
    )


def lock_session(db: Session, session_id: int) -> None:
    """Serialise submissions per session on PostgreSQL (SQLite: BEGIN IMMEDIATE does it)."""
    db.execute(
        select(ProgrammeSession.id).where(ProgrammeSession.id == session_id).with_for_update()
    )


def random_response_id() -> int:
    return secrets.randbelow(_RANDOM_ID_LIMIT) + 1


def _add_with_random_id(db: Session, response: FeedbackResponse) -> None:
    """Insert *response* under a random id, so ids say nothing about who answered when."""
    while True:
        response.id = random_response_id()
        try:
            with db.begin_nested():
                db.add(response)
                db.flush()
            return
        except IntegrityError:
            # The id was taken (about n in two billion): the savepoint is gone, draw again.
            if response in db:
                db.expunge(response)


def _fill(response: FeedbackResponse, answers: FeedbackAnswers) -> None:
    response.rating = answers.rating
    response.most_valuable = answers.most_valuable
    response.should_change = answers.should_change
    response.would_recommend = answers.would_recommend
    response.sdgs = [FeedbackSdg(goal=goal) for goal in answers.goals]


def submit_feedback(
    db: Session,
    team_id: str,
    slack_user_id: str,
    key: str,
    answers: FeedbackAnswers,
    now: datetime,
) -> SubmitOutcome:
    """Store the member's answers; every rule of :func:`open_feedback` is checked again."""
    session = find_session(db, team_id, key)
    lock_session(db, session.id)
    member = _check_open(db, session, find_member(db, team_id, slack_user_id), now)
    answered = has_answered(db, session.id, member.id)
    if session.anonymous:
        if answered:
            raise AnonymousFeedbackGiven(title=session.title)
        db.add(FeedbackRespondent(session_id=session.id, member_id=member.id))
        _store_anonymous(db, team_id, session.id, answers)
        return SubmitOutcome(session.key, session.title, anonymous=True, replaced=False)

    stored = _named_response(db, session.id, member.id)
    replaced = stored is not None
    if stored is None:
        stored = FeedbackResponse(team_id=team_id, session_id=session.id, member_id=member.id)
    _fill(stored, answers)
    # A snapshot, so a later change of organisation does not rewrite history.
    stored.role = member.role
    stored.organisation_name = member.organisation.name if member.organisation else None
    if not replaced:
        _add_with_random_id(db, stored)
    if not answered:
        db.add(FeedbackRespondent(session_id=session.id, member_id=member.id))
    db.flush()
    return SubmitOutcome(session.key, session.title, anonymous=False, replaced=replaced)


def _store_anonymous(db: Session, team_id: str, session_id: int, answers: FeedbackAnswers) -> None:
    """Add *answers* alone, under a random id, and have the files scrubbed after commit."""
    response = FeedbackResponse(team_id=team_id, session_id=session_id, member_id=None)
    _fill(response, answers)
    _add_with_random_id(db, response)
    db.info[SCRUB_FILES_AFTER_COMMIT] = True
