"""Two seasons with known data for the season report and the season summaries.

Season 2026-2027 (the conftest clock's): three sessions held (a named symposium,
an anonymous network meeting, a webinar without feedback) and one ahead;
season 2025-2026: one session held.  Titles carry æ, ø and å.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Member, Organisation, ProgrammeSession, Role, SessionKind
from bot.runtime import Runtime
from bot.services.feedback import FeedbackAnswers, submit_feedback
from tests.support import factories as make

NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)

SYMPOSIUM = "2026-10-08-symposium"
SYMPOSIUM_TITLE = "Bæredygtig omstilling på tværs af forvaltninger"
MEETING = "2027-02-11-netvaerksmoede"
MEETING_TITLE = "Netværksmøde i Høje-Taastrup: målstyring og økonomi"
WEBINAR = "2027-03-18-webinar"
WEBINAR_TITLE = "Webinar: verdensmål i børne- og ungeområdet"
AHEAD = "2027-06-10-symposium"
LAST_SEASON = "2026-03-12-symposium"
LAST_SEASON_TITLE = "Forårssymposium om lokale målsætninger"

ORGANISATIONS = ("Aarhus Kommune", "Sønderborg Kommune", "Herning Kommune")

# user, organisation, role, rating, goals, recommend, most valuable, should change
SYMPOSIUM_ANSWERS = [
    ("U01", 0, Role.POLITICIAN, 5, (13, 11), True, "Dialogen på tværs af kommuner", ""),
    ("U02", 0, Role.POLITICIAN, 4, (13,), True, "", "Kortere oplæg, mere gruppearbejde"),
    ("U03", 0, Role.POLITICIAN, 4, (3, 13), True, "Casen fra Sønderborg", ""),
    ("U04", 0, Role.POLITICIAN, 5, (11,), True, "", ""),
    ("U05", 0, Role.POLITICIAN, 3, (17,), False, "Øvelsen med baseline-data", "Mere tid"),
    ("U06", 1, Role.PRACTITIONER, 4, (6, 13), True, "Netværket", ""),
    ("U07", 2, Role.LEADER, 2, (), None, "", "Færre slides"),
]
MEETING_ANSWERS = [
    ("U01", 0, Role.POLITICIAN, 5, (12, 13), True, "Hemmelig indsigt fra Aarhus", ""),
    ("U06", 1, Role.PRACTITIONER, 3, (12,), True, "", "Længere pauser"),
    ("U08", 2, Role.PRACTITIONER, 4, (8, 12), False, "Økonomiperspektivet", ""),
]
LAST_SEASON_ANSWERS = [
    ("U01", 0, Role.POLITICIAN, 3, (1,), True, "Godt at mødes", ""),
    ("U02", 0, Role.POLITICIAN, 4, (1, 2), True, "", ""),
]


@dataclass
class ReportWorld:
    session_ids: dict[str, int]


def _member(db: Session, user_id: str, organisation: Organisation, role: str) -> Member:
    member = db.scalar(select(Member).where(Member.slack_user_id == user_id))
    if member is None:
        member = make.add_member(
            db, user_id, now=NOW, name=f"Navn {user_id}", organisation=organisation, role=role
        )
    return member


def build_report_world(runtime: Runtime) -> ReportWorld:
    ids: dict[str, int] = {}
    with runtime.unit_of_work(write=True) as db:
        orgs = [make.add_organisation(db, name) for name in ORGANISATIONS]
        consultancy = make.add_organisation(db, "Grøn Rådgivning ApS")
        consultancy.is_municipality = False

        def session(
            key: str,
            title: str,
            starts: datetime,
            kind: str,
            location: str,
            *,
            anonymous: bool = False,
            feedback: bool = True,
        ) -> ProgrammeSession:
            made = make.add_session(
                db, key, starts=starts, now=NOW, title=title, kind=kind, location=location
            )
            made.anonymous = anonymous
            made.feedback = feedback
            ids[key] = made.id
            return made

        symposium = session(
            SYMPOSIUM,
            SYMPOSIUM_TITLE,
            datetime(2026, 10, 8, 11, 30, tzinfo=UTC),
            SessionKind.SYMPOSIUM,
            "Microsoft Teams",
        )
        meeting = session(
            MEETING,
            MEETING_TITLE,
            datetime(2027, 2, 11, 9, 0, tzinfo=UTC),
            SessionKind.NETWORK_MEETING,
            "Høje-Taastrup Rådhus",
            anonymous=True,
        )
        webinar = session(
            WEBINAR,
            WEBINAR_TITLE,
            datetime(2027, 3, 18, 13, 0, tzinfo=UTC),
            SessionKind.WEBINAR,
            "online",
            feedback=False,
        )
        session(
            AHEAD,
            "Meningsfuld måling",
            datetime(2027, 6, 10, 11, 30, tzinfo=UTC),
            SessionKind.SYMPOSIUM,
            "Microsoft Teams",
        )
        last = session(
            LAST_SEASON,
            LAST_SEASON_TITLE,
            datetime(2026, 3, 12, 12, 30, tzinfo=UTC),
            SessionKind.SYMPOSIUM,
            "Microsoft Teams",
        )
        for target, answers, extra in (
            (symposium, SYMPOSIUM_ANSWERS, ("U09", "U10")),
            (meeting, MEETING_ANSWERS, ("U11",)),
            (last, LAST_SEASON_ANSWERS, ()),
        ):
            for user_id, org, role, *_rest in answers:
                member = _member(db, user_id, orgs[org], role)
                make.add_registration(
                    db, target, member, registered_at=target.starts_at - timedelta(days=5)
                )
            for user_id in extra:
                member = _member(db, user_id, orgs[1], Role.PRACTITIONER)
                make.add_registration(
                    db, target, member, registered_at=target.starts_at - timedelta(days=5)
                )
        consultant = _member(db, "U12", consultancy, Role.OTHER)
        for user_id in ("U01", "U06", "U12"):
            member = _member(db, user_id, orgs[0], Role.OTHER) if user_id != "U12" else consultant
            make.add_registration(
                db, webinar, member, registered_at=webinar.starts_at - timedelta(days=5)
            )
    team = runtime.settings.home_team_id
    for key, answers in (
        (SYMPOSIUM, SYMPOSIUM_ANSWERS),
        (MEETING, MEETING_ANSWERS),
        (LAST_SEASON, LAST_SEASON_ANSWERS),
    ):
        for user_id, _org, _role, rating, goals, recommend, valuable, change in answers:
            with runtime.unit_of_work(write=True) as db:
                given = FeedbackAnswers(rating, valuable, change, goals, recommend)
                submit_feedback(db, team, user_id, key, given, NOW)
    return ReportWorld(ids)
