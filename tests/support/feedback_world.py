"""A small world for feedback tests: a session that has just ended, its participants.

Built straight in the database with ``tests.support.factories``, so feedback
tests do not depend on the registration commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Member, Organisation, ProgrammeSession, RegistrationStatus, Role
from bot.runtime import Runtime
from bot.services.feedback import FeedbackAnswers, submit_feedback
from tests.support import factories as make

NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)  # the conftest clock
ENDED = NOW - timedelta(hours=20)  # Sunday 2 May, 12:00 UTC
KEY = "2027-05-02-refleksion"
TITLE = "Refleksionsmøde om verdensmål & <data>"


@dataclass
class World:
    key: str
    session_id: int
    participants: list[str] = field(default_factory=list)  # confirmed, Slack user ids
    others: list[str] = field(default_factory=list)  # waiting / cancelled


def add_feedback_session(
    db: Session,
    *,
    key: str = KEY,
    title: str = TITLE,
    ends: datetime = ENDED,
    anonymous: bool = False,
    feedback: bool = True,
    now: datetime = NOW,
) -> ProgrammeSession:
    session = make.add_session(
        db,
        key,
        starts=ends - timedelta(hours=2),
        duration=timedelta(hours=2),
        title=title,
        now=now,
        price=10000,  # the export's fee column is checked
    )
    session.anonymous = anonymous
    session.feedback = feedback
    db.flush()
    return session


def add_participant(
    db: Session,
    session: ProgrammeSession,
    slack_user_id: str,
    *,
    organisation: str = "Aarhus Kommune",
    role: str = Role.PRACTITIONER,
    language: str = "en",
    name: str = "",
    status: str = RegistrationStatus.CONFIRMED,
    now: datetime = NOW,
) -> Member:
    org = db.scalar(select(Organisation).where(Organisation.name == organisation))
    if org is None:
        org = make.add_organisation(db, organisation)
    member = db.scalar(select(Member).where(Member.slack_user_id == slack_user_id))
    if member is None:
        member = make.add_member(
            db, slack_user_id, now=now, language=language, name=name, organisation=org, role=role
        )
    make.add_registration(
        db, session, member, registered_at=session.starts_at - timedelta(days=10), status=status
    )
    return member


def build_world(
    runtime: Runtime,
    *,
    anonymous: bool = False,
    participants: tuple[str, ...] = ("U0ANNA", "U0BO"),
    languages: tuple[str, ...] = ("en", "da"),
) -> World:
    """One ended session with confirmed participants, one waiting and one cancelled member."""
    with runtime.unit_of_work(write=True) as db:
        session = add_feedback_session(db, anonymous=anonymous)
        world = World(KEY, session.id)
        for index, user_id in enumerate(participants):
            language = languages[index % len(languages)]
            add_participant(db, session, user_id, language=language, name=f"Name {user_id}")
            world.participants.append(user_id)
        add_participant(db, session, "U0WAIT", status=RegistrationStatus.WAITING)
        add_participant(db, session, "U0GONE", status=RegistrationStatus.CANCELLED)
        world.others += ["U0WAIT", "U0GONE"]
    return world


# A known data set: 12 confirmed participants (+1 waiting), 8 answers.
KNOWN = [
    # user, role, organisation, rating, goals, recommend, valuable, change
    ("U1", Role.POLITICIAN, "Aarhus Kommune", 5, (13, 11), True, "Dialogen", ""),
    ("U2", Role.POLITICIAN, "Aarhus Kommune", 5, (13,), True, "", "Kortere oplæg"),
    ("U3", Role.POLITICIAN, "Aarhus Kommune", 4, (3, 13), True, "", ""),
    ("U4", Role.POLITICIAN, "Aarhus Kommune", 4, (), None, "", ""),
    ("U5", Role.POLITICIAN, "Aarhus Kommune", 4, (11,), False, "Øvelserne", ""),
    ("U6", Role.PRACTITIONER, "Odense Kommune", 3, (17,), True, "", ""),
    ("U7", Role.PRACTITIONER, "Odense Kommune", 2, (13, 17), True, "", "Mere tid"),
    ("U8", Role.LEADER, "Odense Kommune", 5, (), None, "", ""),
]


def known_world(runtime: Runtime, *, anonymous: bool = False) -> None:
    with runtime.unit_of_work(write=True) as db:
        session = add_feedback_session(db, anonymous=anonymous)
        for user_id, role, organisation, *_ in KNOWN:
            add_participant(
                db, session, user_id, role=role, organisation=organisation, name=f"Name {user_id}"
            )
        for user_id in ("U9", "U10", "U11", "U12"):
            add_participant(db, session, user_id)
        add_participant(db, session, "U13", status=RegistrationStatus.WAITING)
    for user_id, _role, _org, rating, goals, recommend, valuable, change in KNOWN:
        with runtime.unit_of_work(write=True) as db:
            given = FeedbackAnswers(rating, valuable, change, goals, recommend)
            submit_feedback(db, runtime.settings.home_team_id, user_id, KEY, given, NOW)
