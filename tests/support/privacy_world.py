"""A small world for privacy tests: two members with history, a full upcoming session.

* PAST: a named feedback session that ended 13 days before NOW; Anna, Bo and
  three others took part, Anna and Bo answered (named).
* ANON: an anonymous feedback session that ended 6 days before NOW; Anna and
  Bo took part and answered.
* NEXT: a session in 17 days with one room seat: Anna has it, Wenche waits.

Anna's organisation is one she wrote under "Other" (not a municipality);
Bo's is Aarhus Kommune.  Delivery rows come from the real planners.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery.scheduler import run_planners
from bot.models import Member, Organisation, ProgrammeSession, RegistrationStatus, Role
from bot.runtime import Runtime
from bot.services.feedback import FeedbackAnswers, submit_feedback
from tests.support import factories as make

NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)  # the conftest clock
PAST = "2027-04-20-netvaerk"
ANON = "2027-04-27-refleksion"
NEXT = "2027-05-20-symposium"
ANNA, BO, WENCHE = "U0ANNA", "U0BO", "U0WENCHE"
OTHERS = ("U0C1", "U0C2", "U0C3")
ANNA_ORG = "Holm Rådgivning & Co"
ANNA_NAME = "Anna Holm"
BO_NAME = "Bo Berg"
ANNA_SAYS = "Annas egne ord om <dialogen>"
BO_SAYS = "Bos kommentar"
ANNA_ANONYMOUS = "Anonym kommentar fra Anna"


@dataclass(frozen=True)
class PrivacyWorld:
    past_id: int
    anon_id: int
    next_id: int


def _member(
    db: Session, user_id: str, name: str, organisation: Organisation, role: str, tz: str
) -> Member:
    return make.add_member(
        db, user_id, now=NOW, name=name, organisation=organisation, role=role, tz=tz
    )


def _session(db: Session, key: str, starts: datetime, **extra: object) -> ProgrammeSession:
    session = make.add_session(db, key, starts=starts, now=NOW - timedelta(days=60), price=10000)
    for name, value in extra.items():
        setattr(session, name, value)
    db.flush()
    return session


def build_privacy_world(runtime: Runtime) -> PrivacyWorld:
    team = runtime.settings.home_team_id
    with runtime.unit_of_work(write=True) as db:
        own_org = make.add_organisation(db, ANNA_ORG)
        own_org.is_municipality = False
        aarhus = make.add_organisation(db, "Aarhus Kommune")
        anna = _member(db, ANNA, ANNA_NAME, own_org, Role.LEADER, "America/New_York")
        anna.slack_real_name = "Anna H."
        anna.slack_locale = "en-US"
        bo = _member(db, BO, BO_NAME, aarhus, Role.POLITICIAN, "Europe/Copenhagen")
        wenche = _member(db, WENCHE, "Wenche Dahl", aarhus, Role.PRACTITIONER, "Europe/Oslo")
        others = [_member(db, u, f"Name {u}", aarhus, Role.PRACTITIONER, "UTC") for u in OTHERS]

        past = _session(db, PAST, NOW - timedelta(days=13, hours=2), feedback=True)
        anon = _session(db, ANON, NOW - timedelta(days=6, hours=2), anonymous=True)
        upcoming = _session(db, NEXT, NOW + timedelta(days=17), capacity=1)
        registered = NOW - timedelta(days=30)
        for member in (anna, bo, *others):
            make.add_registration(db, past, member, registered_at=registered)
        for member in (anna, bo):
            make.add_registration(db, anon, member, registered_at=registered)
        make.add_registration(db, upcoming, anna, registered_at=registered)
        make.add_registration(
            db, upcoming, wenche, registered_at=registered, status=RegistrationStatus.WAITING
        )
        world = PrivacyWorld(past.id, anon.id, upcoming.id)
    answers = [
        (ANNA, PAST, FeedbackAnswers(5, ANNA_SAYS, "", (13, 11), True)),
        (BO, PAST, FeedbackAnswers(3, BO_SAYS, "Mere tid", (13,), False)),
        (ANNA, ANON, FeedbackAnswers(4, ANNA_ANONYMOUS, "", (17,), True)),
        (BO, ANON, FeedbackAnswers(2, "", "", (), None)),
    ]
    for user_id, key, given in answers:
        with runtime.unit_of_work(write=True) as db:
            submit_feedback(db, team, user_id, key, given, NOW)
    run_planners(runtime, NOW)  # reminders for NEXT, feedback prompts for PAST and ANON
    return world


def member_id(runtime: Runtime, user_id: str) -> int | None:
    with runtime.unit_of_work() as db:
        return db.scalar(select(Member.id).where(Member.slack_user_id == user_id))
