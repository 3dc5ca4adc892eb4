"""Rows for tests, written straight to the database.

Tests of one feature should not depend on another feature's commands to set
up their world: these helpers create workspaces, organisations, members,
sessions and registrations directly.  Each takes an open SQLAlchemy session
and flushes, so ids are available at once; the caller's unit of work commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.models import (
    Attendance,
    Member,
    Organisation,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
    Role,
    SessionKind,
)
from bot.services.members import ensure_workspace

TEAM_ID = "T0001"


def add_organisation(
    db: Session, name: str, *, country: str = "DK", team_id: str = TEAM_ID
) -> Organisation:
    organisation = Organisation(team_id=team_id, name=name, country=country, is_municipality=True)
    db.add(organisation)
    db.flush()
    return organisation


def add_member(
    db: Session,
    slack_user_id: str,
    *,
    now: datetime,
    language: str | None = "en",
    tz: str | None = "Europe/Copenhagen",
    name: str = "",
    organisation: Organisation | None = None,
    role: str | None = Role.PRACTITIONER,
    team_id: str = TEAM_ID,
) -> Member:
    """A member with a complete profile (name, organisation, role) unless told otherwise."""
    ensure_workspace(db, team_id, now)
    member = Member(
        team_id=team_id,
        slack_user_id=slack_user_id,
        name=name or f"Member {slack_user_id}",
        organisation_id=organisation.id if organisation else None,
        role=role,
        language=language,
        slack_tz=tz,
        slack_profile_fetched_at=now,
        created_at=now,
    )
    db.add(member)
    db.flush()
    return member


def add_session(
    db: Session,
    key: str,
    *,
    starts: datetime,
    now: datetime,
    duration: timedelta = timedelta(hours=2),
    title: str = "",
    kind: str = SessionKind.NETWORK_MEETING,
    location: str = "Middelfart Rådhus",
    online_url: str = "",
    capacity: int = 0,
    timezone: str = "Europe/Copenhagen",
    team_id: str = TEAM_ID,
    price: int | None = None,
    members_only: bool = False,
) -> ProgrammeSession:
    ensure_workspace(db, team_id, now)
    session = ProgrammeSession(
        team_id=team_id,
        key=key,
        title=title or f"Session {key}",
        kind=kind,
        starts_at=starts,
        ends_at=starts + duration,
        timezone=timezone,
        location=location,
        online_url=online_url,
        capacity=capacity,
        price=price,
        members_only=members_only,
        created_at=now,
        updated_at=now,
    )
    db.add(session)
    db.flush()
    return session


def add_registration(
    db: Session,
    session: ProgrammeSession,
    member: Member,
    *,
    registered_at: datetime,
    status: str = RegistrationStatus.CONFIRMED,
    attendance: str = Attendance.ROOM,
    promoted_at: datetime | None = None,
) -> Registration:
    registration = Registration(
        team_id=session.team_id,
        session_id=session.id,
        member_id=member.id,
        # As registering does: invoiced to the member's organisation of that moment.
        organisation_id=member.organisation_id,
        status=status,
        attendance=attendance,
        queued_at=registered_at,
        registered_at=registered_at,
        promoted_at=promoted_at,
    )
    db.add(registration)
    db.flush()
    return registration


def add_confirmed_crowd(
    db: Session,
    session: ProgrammeSession,
    user_ids: Iterable[str],
    *,
    registered_at: datetime,
    team_id: str = TEAM_ID,
) -> int:
    """Many members registered for one session, in two bulk inserts (fan-out tests)."""
    ensure_workspace(db, team_id, registered_at)
    ids = list(user_ids)
    db.execute(
        insert(Member),
        [
            {
                "team_id": team_id,
                "slack_user_id": user_id,
                "name": f"Member {user_id}",
                "language": "en",
                "slack_tz": "Europe/Copenhagen",
                "slack_real_name": "",
                "created_at": registered_at,
            }
            for user_id in ids
        ],
    )
    members = dict(
        db.execute(
            select(Member.slack_user_id, Member.id).where(
                Member.team_id == team_id, Member.slack_user_id.in_(ids)
            )
        ).all()
    )
    db.execute(
        insert(Registration),
        [
            {
                "team_id": team_id,
                "session_id": session.id,
                "member_id": members[user_id],
                "status": RegistrationStatus.CONFIRMED.value,
                "attendance": Attendance.ROOM.value,
                "queued_at": registered_at,
                "registered_at": registered_at,
            }
            for user_id in ids
        ],
    )
    return len(ids)
