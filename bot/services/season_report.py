"""The season report's content: figures, every session, learning points and comments.

Everything here is read with SQL aggregates or per-session summaries (see
:mod:`bot.services.summaries`); the PDF is drawn by
:mod:`bot.rendering.report_pdf`.  Comments are never attributed: the report
is shown in a room, so it carries texts only, and breakdowns by role or
organisation only for groups of at least ``MIN_GROUP`` answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from bot.models import (
    FeedbackResponse,
    FeedbackSdg,
    LearningPointSource,
    Organisation,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    Workspace,
)
from bot.services import learning_points, summaries
from bot.services.learning_points import LearningPointView, fingerprint
from bot.services.season_lookup import SeasonSpan, find_season, previous_season
from bot.services.summaries import Group

TOP_ORGANISATIONS = 15


@dataclass(frozen=True)
class ReportComment:
    source: LearningPointSource
    text: str


@dataclass(frozen=True)
class ReportSession:
    key: str
    title: str
    kind: str
    starts: datetime
    timezone: str
    location: str
    online: bool
    anonymous: bool
    feedback: bool
    registered: int
    responses: int
    average: float | None
    recommend_share: float | None
    goals: dict[int, int]  # goal -> times named
    learning_points: list[LearningPointView]
    comments: list[ReportComment]  # the comments not marked as learning points
    more_comments: int
    by_role: list[Group]
    by_organisation: list[Group]


@dataclass(frozen=True)
class SeasonFigures:
    sessions_held: int
    participants: int  # distinct people confirmed for a session held
    municipalities: int
    registrations: int  # confirmed places in sessions held that asked for feedback
    responses: int
    average: float | None

    @property
    def response_rate(self) -> float | None:
        return self.responses / self.registrations if self.registrations else None


@dataclass(frozen=True)
class SeasonReport:
    network: str
    season: SeasonSpan
    made_at: datetime
    figures: SeasonFigures
    sessions: list[ReportSession]
    per_municipality: list[tuple[str, int]]  # most participants first
    other_organisations: int  # participants from organisations that are no municipality
    previous: tuple[SeasonSpan, SeasonFigures] | None


def _held(team_id: str, season: SeasonSpan, now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        ProgrammeSession.team_id == team_id,
        ProgrammeSession.starts_at >= season.starts,
        ProgrammeSession.starts_at < season.ends,
        ProgrammeSession.ends_at <= now,
        ProgrammeSession.cancelled_at.is_(None),
    )


def _as_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _people() -> ColumnElement[int]:
    # Erased members' registrations point at no one: each counts as one person.
    return func.count(func.distinct(Registration.member_id)) + func.coalesce(
        func.sum(case((Registration.member_id.is_(None), 1), else_=0)), 0
    )


def season_figures(db: Session, team_id: str, season: SeasonSpan, now: datetime) -> SeasonFigures:
    held = _held(team_id, season, now)
    session_ids = select(ProgrammeSession.id).where(*held)
    confirmed = (
        Registration.session_id.in_(session_ids),
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    sessions_held = int(
        db.scalar(select(func.count()).select_from(ProgrammeSession).where(*held)) or 0
    )
    participants = int(db.scalar(select(_people()).where(*confirmed)) or 0)
    municipalities = int(
        db.scalar(
            select(func.count(func.distinct(Registration.organisation_id)))
            .join(Organisation, Organisation.id == Registration.organisation_id)
            .where(*confirmed, Organisation.is_municipality.is_(True))
        )
        or 0
    )
    with_feedback = select(ProgrammeSession.id).where(*held, ProgrammeSession.feedback.is_(True))
    registrations = int(
        db.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.session_id.in_(with_feedback),
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
        or 0
    )
    responses, average = db.execute(
        select(func.count(), func.avg(FeedbackResponse.rating)).where(
            FeedbackResponse.session_id.in_(with_feedback)
        )
    ).one()
    return SeasonFigures(
        sessions_held=sessions_held,
        participants=participants,
        municipalities=municipalities,
        registrations=registrations,
        responses=int(responses),
        average=_as_float(average),
    )


def _per_municipality(
    db: Session, team_id: str, season: SeasonSpan, now: datetime
) -> tuple[list[tuple[str, int]], int]:
    confirmed = (
        Registration.session_id.in_(
            select(ProgrammeSession.id).where(*_held(team_id, season, now))
        ),
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    people = _people().label("people")
    rows = db.execute(
        select(Organisation.name, people)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(*confirmed, Organisation.is_municipality.is_(True))
        .group_by(Organisation.name)
        .order_by(people.desc(), Organisation.name)
    ).all()
    everyone = int(db.scalar(select(_people()).where(*confirmed)) or 0)
    counted = [(str(name), int(n)) for name, n in rows]
    others = max(0, everyone - sum(n for _name, n in counted))
    return counted, others


def _goal_counts(db: Session, session_ids: list[int]) -> dict[int, dict[int, int]]:
    found: dict[int, dict[int, int]] = {}
    for session_id, goal, n in db.execute(
        select(FeedbackResponse.session_id, FeedbackSdg.goal, func.count())
        .join(FeedbackResponse, FeedbackResponse.id == FeedbackSdg.response_id)
        .where(FeedbackResponse.session_id.in_(session_ids))
        .group_by(FeedbackResponse.session_id, FeedbackSdg.goal)
    ):
        found.setdefault(int(session_id), {})[int(goal)] = int(n)
    return found


def _unmarked(
    summary: summaries.FeedbackSummary, points: list[LearningPointView]
) -> list[ReportComment]:
    marked = {fingerprint(p.source, p.text) for p in points}
    out: list[ReportComment] = []
    for comment in summary.comments:
        for source, text in (
            (LearningPointSource.MOST_VALUABLE, comment.most_valuable),
            (LearningPointSource.SHOULD_CHANGE, comment.should_change),
        ):
            if text and fingerprint(source, text) not in marked:
                out.append(ReportComment(source, text))
    return out


def _network_name(db: Session, team_id: str) -> str:
    workspace = db.get(Workspace, team_id)
    return workspace.name if workspace is not None else ""


def season_report(
    db: Session, team_id: str, season_key: str | None, now: datetime, zone: ZoneInfo
) -> SeasonReport:
    """The report of the season *season_key* (default: the current one)."""
    season = find_season(db, team_id, season_key, now, zone)
    held = list(
        db.scalars(
            select(ProgrammeSession)
            .where(*_held(team_id, season, now))
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
        )
    )
    ids = [s.id for s in held]
    points = learning_points.for_sessions(db, ids)
    goals = _goal_counts(db, ids)
    sessions: list[ReportSession] = []
    for session in held:
        summary = summaries.feedback_summary(db, team_id, session.key)
        marked = points.get(session.id, [])
        sessions.append(
            ReportSession(
                key=session.key,
                title=session.title,
                kind=session.kind,
                starts=session.starts_at,
                timezone=session.timezone,
                location=session.location,
                online=session.is_online_only,
                anonymous=session.anonymous,
                feedback=session.feedback,
                registered=summary.participants,
                responses=summary.responses,
                average=summary.average,
                recommend_share=summary.recommend_share,
                goals=goals.get(session.id, {}),
                learning_points=marked,
                comments=_unmarked(summary, marked),
                more_comments=summary.more_comments,
                by_role=summary.by_role,
                by_organisation=summary.by_organisation,
            )
        )
    per_municipality, others = _per_municipality(db, team_id, season, now)
    before = previous_season(db, team_id, season, now, zone)
    previous = None
    if before is not None:
        figures = season_figures(db, team_id, before, now)
        previous = (before, figures) if figures.sessions_held else None
    return SeasonReport(
        network=_network_name(db, team_id),
        season=season,
        made_at=now,
        figures=season_figures(db, team_id, season, now),
        sessions=sessions,
        per_municipality=per_municipality,
        other_organisations=others,
        previous=previous,
    )
