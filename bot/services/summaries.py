"""Feedback summaries for facilitators, computed by the database.

Every number is an SQL aggregate (count, avg, group by); only the comments,
which are shown one by one, are read as rows.  Breakdowns by role and by
organisation show only groups of at least :data:`MIN_GROUP` responses, so no
small group's answers can be singled out.  Anonymous responses carry no role
or organisation (see ``bot/services/feedback.py``), so an anonymous session
has no breakdown at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.errors import SessionNotHeldYet
from bot.models import (
    FeedbackResponse,
    FeedbackSdg,
    Member,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.services.season_lookup import SeasonSpan, find_season
from bot.services.sessions import find_session

MIN_GROUP = 5
MAX_COMMENTS = 200
TOP_GOALS = 3


@dataclass(frozen=True)
class Group:
    """One breakdown row: a role or an organisation with n >= MIN_GROUP responses."""

    name: str
    responses: int
    average: float


@dataclass(frozen=True)
class Comment:
    most_valuable: str
    should_change: str
    name: str | None = None  # None in anonymous sessions
    organisation: str | None = None
    # For "Mark as learning point"; random, says nothing about who.
    response_id: int = field(default=0, compare=False)


@dataclass(frozen=True)
class FeedbackSummary:
    key: str
    title: str
    starts: datetime
    anonymous: bool
    participants: int
    responses: int
    average: float | None
    distribution: dict[int, int]  # rating 1..5 -> responses
    goals: list[tuple[int, int]]  # (goal, times named), most named first
    recommend_answers: int
    recommend_yes: int
    by_role: list[Group]
    by_organisation: list[Group]
    comments: list[Comment]
    more_comments: int = 0

    @property
    def response_rate(self) -> float | None:
        return self.responses / self.participants if self.participants else None

    @property
    def recommend_share(self) -> float | None:
        return self.recommend_yes / self.recommend_answers if self.recommend_answers else None


@dataclass(frozen=True)
class SeasonRow:
    key: str
    title: str
    starts: datetime
    anonymous: bool
    participants: int
    responses: int
    average: float | None
    top_goals: list[tuple[int, int]]

    @property
    def response_rate(self) -> float | None:
        return self.responses / self.participants if self.participants else None


@dataclass(frozen=True)
class SeasonSummary:
    key: str
    starts: datetime
    ends: datetime
    rows: list[SeasonRow]
    upcoming: int


def _as_float(value: object) -> float | None:
    # PostgreSQL's avg() is NUMERIC (Decimal); SQLite's a float.
    return None if value is None else float(value)  # type: ignore[arg-type]


def participant_count(db: Session, session_id: int) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
        or 0
    )


def _groups(db: Session, session_id: int, column: InstrumentedAttribute[str | None]) -> list[Group]:
    rows = db.execute(
        select(column, func.count(), func.avg(FeedbackResponse.rating))
        .where(FeedbackResponse.session_id == session_id, column.is_not(None))
        .group_by(column)
        .having(func.count() >= MIN_GROUP)
        .order_by(func.count().desc(), column)
    )
    return [Group(str(name), int(n), float(avg)) for name, n, avg in rows]


def _comments(db: Session, session: ProgrammeSession) -> tuple[list[Comment], int]:
    has_text = (FeedbackResponse.most_valuable != "") | (FeedbackResponse.should_change != "")
    where = (FeedbackResponse.session_id == session.id, has_text)
    total = int(db.scalar(select(func.count()).select_from(FeedbackResponse).where(*where)) or 0)
    if session.anonymous:
        # Random ids (see feedback.py): this order says nothing about who wrote what.
        anonymous = db.execute(
            select(
                FeedbackResponse.most_valuable, FeedbackResponse.should_change, FeedbackResponse.id
            )
            .where(*where)
            .order_by(FeedbackResponse.id)
            .limit(MAX_COMMENTS)
        )
        comments = [
            Comment(valuable, change, response_id=response_id)
            for valuable, change, response_id in anonymous
        ]
    else:
        name = func.coalesce(func.nullif(Member.name, ""), Member.slack_real_name)
        named = db.execute(
            select(
                FeedbackResponse.most_valuable,
                FeedbackResponse.should_change,
                name,
                FeedbackResponse.organisation_name,
                FeedbackResponse.id,
            )
            .outerjoin(Member, Member.id == FeedbackResponse.member_id)
            .where(*where)
            .order_by(name, FeedbackResponse.id)
            .limit(MAX_COMMENTS)
        )
        comments = [
            Comment(valuable, change, who or None, organisation, response_id)
            for valuable, change, who, organisation, response_id in named
        ]
    return comments, total - len(comments)


def feedback_summary(db: Session, team_id: str, key: str) -> FeedbackSummary:
    session = find_session(db, team_id, key)
    of_session = FeedbackResponse.session_id == session.id
    responses, average, recommend_answers, recommend_yes = db.execute(
        select(
            func.count(),
            func.avg(FeedbackResponse.rating),
            func.count(FeedbackResponse.would_recommend),
            func.coalesce(
                func.sum(case((FeedbackResponse.would_recommend.is_(True), 1), else_=0)), 0
            ),
        ).where(of_session)
    ).one()
    distribution = {rating: 0 for rating in range(1, 6)}
    for rating, n in db.execute(
        select(FeedbackResponse.rating, func.count())
        .where(of_session)
        .group_by(FeedbackResponse.rating)
    ):
        distribution[int(rating)] = int(n)
    times_named = func.count().label("times_named")
    goals = [
        (int(goal), int(n))
        for goal, n in db.execute(
            select(FeedbackSdg.goal, times_named)
            .join(FeedbackResponse, FeedbackResponse.id == FeedbackSdg.response_id)
            .where(of_session)
            .group_by(FeedbackSdg.goal)
            .order_by(times_named.desc(), FeedbackSdg.goal)
        )
    ]
    comments, more = _comments(db, session)
    return FeedbackSummary(
        key=session.key,
        title=session.title,
        starts=session.starts_at,
        anonymous=session.anonymous,
        participants=participant_count(db, session.id),
        responses=int(responses),
        average=_as_float(average),
        distribution=distribution,
        goals=goals,
        recommend_answers=int(recommend_answers),
        recommend_yes=int(recommend_yes),
        by_role=[] if session.anonymous else _groups(db, session.id, FeedbackResponse.role),
        by_organisation=[]
        if session.anonymous
        else _groups(db, session.id, FeedbackResponse.organisation_name),
        comments=comments,
        more_comments=more,
    )


# --- the season -----------------------------------------------------------------------


def season_summary(
    db: Session, team_id: str, now: datetime, zone: ZoneInfo, season: SeasonSpan | None = None
) -> SeasonSummary:
    """Every ended, not cancelled feedback session of *season* (default: now's), side by side."""
    if season is None:
        season = find_season(db, team_id, None, now, zone)
    starts, ends = season.starts, season.ends
    in_season = (
        ProgrammeSession.team_id == team_id,
        ProgrammeSession.starts_at >= starts,
        ProgrammeSession.starts_at < ends,
        ProgrammeSession.cancelled_at.is_(None),
        ProgrammeSession.feedback.is_(True),
    )
    sessions = list(
        db.execute(
            select(
                ProgrammeSession.id,
                ProgrammeSession.key,
                ProgrammeSession.title,
                ProgrammeSession.starts_at,
                ProgrammeSession.anonymous,
            )
            .where(*in_season, ProgrammeSession.ends_at <= now)
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
        )
    )
    upcoming = int(
        db.scalar(
            select(func.count())
            .select_from(ProgrammeSession)
            .where(*in_season, ProgrammeSession.ends_at > now)
        )
        or 0
    )
    ids = [row.id for row in sessions]
    participants: dict[int, int] = dict(
        db.execute(  # type: ignore[arg-type]
            select(Registration.session_id, func.count())
            .where(
                Registration.session_id.in_(ids),
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .group_by(Registration.session_id)
        ).all()
    )
    answered = {
        session_id: (int(n), _as_float(avg))
        for session_id, n, avg in db.execute(
            select(FeedbackResponse.session_id, func.count(), func.avg(FeedbackResponse.rating))
            .where(FeedbackResponse.session_id.in_(ids))
            .group_by(FeedbackResponse.session_id)
        )
    }
    top: dict[int, list[tuple[int, int]]] = {}
    for session_id, goal, n in db.execute(_top_goals(ids)):
        top.setdefault(session_id, []).append((int(goal), int(n)))
    rows = [
        SeasonRow(
            key=row.key,
            title=row.title,
            starts=row.starts_at,
            anonymous=row.anonymous,
            participants=int(participants.get(row.id, 0)),
            responses=answered.get(row.id, (0, None))[0],
            average=answered.get(row.id, (0, None))[1],
            top_goals=top.get(row.id, []),
        )
        for row in sessions
    ]
    return SeasonSummary(key=season.key, starts=starts, ends=ends, rows=rows, upcoming=upcoming)


def _top_goals(session_ids: list[int]) -> Select[tuple[int, int, int]]:
    """(session, goal, times named) for each session's TOP_GOALS most named goals."""
    times_named = func.count()
    ranked = (
        select(
            FeedbackResponse.session_id.label("session_id"),
            FeedbackSdg.goal.label("goal"),
            times_named.label("times_named"),
            func.row_number()
            .over(
                partition_by=FeedbackResponse.session_id,
                order_by=(times_named.desc(), FeedbackSdg.goal),
            )
            .label("place"),
        )
        .join(FeedbackResponse, FeedbackResponse.id == FeedbackSdg.response_id)
        .where(FeedbackResponse.session_id.in_(session_ids))
        .group_by(FeedbackResponse.session_id, FeedbackSdg.goal)
        .subquery()
    )
    return (
        select(ranked.c.session_id, ranked.c.goal, ranked.c.times_named)
        .where(ranked.c.place <= TOP_GOALS)
        .order_by(ranked.c.session_id, ranked.c.place)
    )


def ended_feedback_sessions(
    db: Session, team_id: str, now: datetime, limit: int = 100
) -> list[tuple[str, str, datetime]]:
    """(key, title, starts) of sessions with feedback that have ended, latest first."""
    rows = db.execute(
        select(ProgrammeSession.key, ProgrammeSession.title, ProgrammeSession.starts_at)
        .where(
            ProgrammeSession.team_id == team_id,
            ProgrammeSession.feedback.is_(True),
            ProgrammeSession.cancelled_at.is_(None),
            ProgrammeSession.ends_at <= now,
        )
        .order_by(ProgrammeSession.ends_at.desc(), ProgrammeSession.key)
        .limit(limit)
    )
    return [(key, title, starts) for key, title, starts in rows]


def require_taken_place(db: Session, team_id: str, key: str, now: datetime) -> None:
    """A summary is of a session that has begun; one still ahead has no feedback yet."""
    session = find_session(db, team_id, key)
    if session.starts_at > now:
        raise SessionNotHeldYet(session.title)
