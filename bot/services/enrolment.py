"""Joining and leaving a season's membership (see :mod:`bot.services.membership` for the rules).

Both run inside ``unit_of_work(write=True)``; changes to one season's
enrolments are serialised (:func:`~bot.services.membership.lock_season`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import FeeSettings
from bot.errors import MembershipLocked, NotAMember, ProfileRequired
from bot.models import Membership
from bot.services.members import find_member
from bot.services.membership import (
    MembershipChange,
    first_members_meeting,
    lock_season,
    season_for,
    status_of_member,
)
from bot.services.registration import cancel_members_only_registrations


def join_membership(
    db: Session,
    team_id: str,
    slack_user_id: str,
    now: datetime,
    zone: ZoneInfo,
    fees: FeeSettings,
    season_key: str | None = None,
    *,
    changed_by: str | None = None,
) -> MembershipChange:
    """Enrol the member; idempotent.  A member without a profile is asked for it first."""
    season = season_for(db, team_id, season_key, now, zone)
    member = find_member(db, team_id, slack_user_id)
    if member is None or not member.has_profile:
        raise ProfileRequired("", ask_attendance=False)
    lock_season(db, team_id, season.key)
    row = db.scalar(
        select(Membership).where(
            Membership.team_id == team_id,
            Membership.season_key == season.key,
            Membership.member_id == member.id,
        )
    )
    if row is not None and row.left_at is None:
        return MembershipChange(
            status_of_member(db, team_id, season, member, now, fees), already=True
        )
    if row is None:
        row = Membership(team_id=team_id, season_key=season.key, member_id=member.id)
        db.add(row)
    row.organisation_id = member.organisation_id
    row.enrolled_at = now
    row.left_at = None
    row.changed_by = changed_by or slack_user_id
    db.flush()
    return MembershipChange(status_of_member(db, team_id, season, member, now, fees), already=False)


def leave_membership(
    db: Session,
    team_id: str,
    slack_user_id: str,
    now: datetime,
    zone: ZoneInfo,
    fees: FeeSettings,
    season_key: str | None = None,
    *,
    facilitator: str | None = None,
) -> MembershipChange:
    """End the member's enrolment.  After the first members-only session has started
    only a facilitator (*facilitator* = their Slack id, checked by the caller) may."""
    season = season_for(db, team_id, season_key, now, zone)
    member = find_member(db, team_id, slack_user_id)
    row = (
        db.scalar(
            select(Membership).where(
                Membership.team_id == team_id,
                Membership.season_key == season.key,
                Membership.member_id == member.id,
            )
        )
        if member
        else None
    )
    if member is None or row is None or row.left_at is not None:
        if member is None or row is None:
            raise NotAMember(season.key)
        return MembershipChange(
            status_of_member(db, team_id, season, member, now, fees), already=True
        )
    first = first_members_meeting(db, team_id, season)
    if facilitator is None and first is not None and now >= first:
        raise MembershipLocked()
    lock_season(db, team_id, season.key)
    row.left_at = now
    row.changed_by = facilitator or slack_user_id
    db.flush()
    cancelled = cancel_members_only_registrations(db, team_id, member, season, now)
    return MembershipChange(
        status_of_member(db, team_id, season, member, now, fees),
        already=False,
        cancelled_sessions=cancelled,
    )
