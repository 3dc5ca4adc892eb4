"""Private calendar feeds: one secret token per member, and what its feed shows.

The token is the only credential a calendar app can send, so it is long and
random (``secrets``), compared in the database by its unique index, and
replaced on request (``/sdg calendar reset``): the old address then answers
404 like any unknown one.  The feed lists the sessions of the member's
workspace; a session's online link appears only where the member has a
place (confirmed, or on the waiting list), so a leaked feed leaks no
meeting link the member could not see anyway.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.models import CalendarLink, Member, ProgrammeSession, Registration, RegistrationStatus
from bot.services.members import ensure_member
from bot.services.sessions import CalendarEntry, calendar_entries

# 32 bytes: 43 URL-safe characters, far beyond guessing.
TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def calendar_token(db: Session, team_id: str, slack_user_id: str, now: datetime) -> str:
    """The member's token, created on first use."""
    member = ensure_member(db, team_id, slack_user_id, now)
    token = db.scalar(select(CalendarLink.token).where(CalendarLink.member_id == member.id))
    if token:
        return token
    try:
        with db.begin_nested():
            db.add(
                CalendarLink(
                    team_id=team_id, member_id=member.id, token=new_token(), created_at=now
                )
            )
    except IntegrityError:
        pass  # a concurrent request created it first
    token = db.scalar(select(CalendarLink.token).where(CalendarLink.member_id == member.id))
    assert token is not None
    return token


def reset_calendar_token(db: Session, team_id: str, slack_user_id: str, now: datetime) -> str:
    """A new token; the old one stops working in the same transaction."""
    member = ensure_member(db, team_id, slack_user_id, now)
    db.execute(delete(CalendarLink).where(CalendarLink.member_id == member.id))
    db.add(CalendarLink(team_id=team_id, member_id=member.id, token=new_token(), created_at=now))
    db.flush()
    return calendar_token(db, team_id, slack_user_id, now)


@dataclass(frozen=True)
class FeedOwner:
    team_id: str
    member_id: int
    slack_user_id: str


def feed_owner(db: Session, token: str) -> FeedOwner | None:
    if not token or len(token) > 64:
        return None
    row = db.execute(
        select(CalendarLink.team_id, Member.id, Member.slack_user_id)
        .join(Member, Member.id == CalendarLink.member_id)
        .where(CalendarLink.token == token, Member.team_id == CalendarLink.team_id)
    ).first()
    return FeedOwner(*row) if row else None


def member_feed(
    db: Session, owner: FeedOwner, now: datetime, key: str | None = None
) -> list[CalendarEntry]:
    """The entries of *owner*'s feed (raises SessionNotFound for an unknown key)."""
    entries = calendar_entries(db, owner.team_id, now, key=key)
    placed = set(
        db.scalars(
            select(ProgrammeSession.key)
            .join(Registration, Registration.session_id == ProgrammeSession.id)
            .where(
                ProgrammeSession.team_id == owner.team_id,
                Registration.member_id == owner.member_id,
                Registration.status.in_([RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING]),
            )
        )
    )
    return [
        entry
        if entry.view.key in placed
        else dataclasses.replace(entry, view=dataclasses.replace(entry.view, online_url=""))
        for entry in entries
    ]
