"""Retention: personal data of a session goes ``[privacy] retain_personal_data`` after it ends.

For each session that ended before the cutoff (now - retain_personal_data)
and still holds personal data, one pass:

* registrations are detached from their members (``member_id`` NULL): the
  participant counts stay, nobody can be found in them; each keeps the
  organisation it was made for, so invoices stay the same (see
  :mod:`bot.services.fees`);
* named feedback answers are detached the same way; ratings, goals, comments
  and the role/organisation snapshot (breakdowns show groups of five or more
  only) stay, so summaries show the same numbers as before;
* who-answered rows (``feedback_respondents``) are deleted;
* the session's DMs (``deliveries`` addressed to members: their recipient is
  a Slack user id) are deleted; a channel heads-up names no one and stays.

Then members who are left with no registration at all and have not used the
bot since the cutoff (created before it, Slack profile last refreshed before
it; every command refreshes a profile older than a day) are deleted whole:
name, organisation link, role, language choice, cached Slack profile.  A
member who comes back later is asked for a profile again, like a new one.
An organisation such a member wrote under "Other" goes too when nobody else
uses it (as with ``/sdg forget-me``); registrations invoiced to it are then
left with no organisation.

It runs as a planner at every scheduler tick, so it must be cheap: one query
finds the sessions (an indexed EXISTS per ended session), one the members; a
run handles at most a batch of each and the next tick goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.models import (
    Delivery,
    DeliveryKind,
    FeedbackRespondent,
    FeedbackResponse,
    Guest,
    Member,
    ProgrammeSession,
    Registration,
)
from bot.services.erasure import affected_rows, delete_unused_organisations

SESSIONS_PER_RUN = 20
MEMBERS_PER_RUN = 500


@dataclass(frozen=True)
class RetentionReport:
    sessions: int = 0
    registrations: int = 0  # detached
    feedback: int = 0  # named answers detached
    respondents: int = 0  # deleted
    messages: int = 0  # deliveries deleted
    members: int = 0  # inactive members deleted

    @property
    def changed(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self) if f.name != "sessions")


def _holds_personal_data() -> list[ColumnElement[bool]]:
    """Conditions on ProgrammeSession: something in it still points at a person."""
    return [
        exists().where(
            Registration.session_id == ProgrammeSession.id, Registration.member_id.is_not(None)
        ),
        exists().where(
            FeedbackResponse.session_id == ProgrammeSession.id,
            FeedbackResponse.member_id.is_not(None),
        ),
        exists().where(FeedbackRespondent.session_id == ProgrammeSession.id),
        exists().where(_personal_delivery(), Delivery.session_id == ProgrammeSession.id),
        # Guests' names and addresses; their registrations stay, detached, for the counts.
        exists().where(Guest.session_id == ProgrammeSession.id),
    ]


def _personal_delivery() -> ColumnElement[bool]:
    return Delivery.kind != DeliveryKind.CHANNEL_HEADS_UP


def expired_sessions(db: Session, cutoff: datetime, limit: int = SESSIONS_PER_RUN) -> list[int]:
    """Sessions that ended before *cutoff* and still hold personal data, oldest first."""
    return list(
        db.scalars(
            select(ProgrammeSession.id)
            .where(ProgrammeSession.ends_at <= cutoff, or_(*_holds_personal_data()))
            .order_by(ProgrammeSession.ends_at, ProgrammeSession.id)
            .limit(limit)
        )
    )


def _inactive_members(cutoff: datetime) -> list[ColumnElement[bool]]:
    return [
        Member.created_at <= cutoff,
        or_(
            Member.slack_profile_fetched_at.is_(None),
            Member.slack_profile_fetched_at <= cutoff,
        ),
        ~exists().where(Registration.member_id == Member.id),
    ]


def _forget_sessions(db: Session, session_ids: list[int]) -> RetentionReport:
    of_sessions = Registration.session_id.in_(session_ids)
    registrations = affected_rows(
        db.execute(
            update(Registration)
            .where(of_sessions, Registration.member_id.is_not(None))
            .values(member_id=None)
            .execution_options(synchronize_session=False)
        )
    )
    feedback = affected_rows(
        db.execute(
            update(FeedbackResponse)
            .where(
                FeedbackResponse.session_id.in_(session_ids),
                FeedbackResponse.member_id.is_not(None),
            )
            .values(member_id=None)
            .execution_options(synchronize_session=False)
        )
    )
    respondents = affected_rows(
        db.execute(
            delete(FeedbackRespondent)
            .where(FeedbackRespondent.session_id.in_(session_ids))
            .execution_options(synchronize_session=False)
        )
    )
    messages = affected_rows(
        db.execute(
            delete(Delivery)
            .where(Delivery.session_id.in_(session_ids), _personal_delivery())
            .execution_options(synchronize_session=False)
        )
    )
    registrations += affected_rows(
        db.execute(
            delete(Guest)
            .where(Guest.session_id.in_(session_ids))
            .execution_options(synchronize_session=False)
        )
    )
    return RetentionReport(len(session_ids), registrations, feedback, respondents, messages)


def _forget_inactive_members(db: Session, cutoff: datetime, limit: int) -> tuple[int, int]:
    """(members deleted, organisations deleted)."""
    inactive = _inactive_members(cutoff)
    # Locked, then deleted by a second statement that checks again: on
    # PostgreSQL a registration inserted meanwhile holds a key-share lock on
    # its member, so it is either waited for and seen, or it waits for us.
    candidates = db.execute(
        select(Member.id, Member.organisation_id)
        .where(*inactive)
        .order_by(Member.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not candidates:
        return 0, 0
    ids = [member_id for member_id, _ in candidates]
    organisations = {org for _, org in candidates if org is not None}
    deleted = affected_rows(
        db.execute(
            delete(Member)
            .where(Member.id.in_(ids), *inactive)
            .execution_options(synchronize_session=False)
        )
    )
    return deleted, delete_unused_organisations(db, organisations)


def expire_personal_data(
    db: Session,
    retain: timedelta,
    now: datetime,
    *,
    sessions_per_run: int = SESSIONS_PER_RUN,
    members_per_run: int = MEMBERS_PER_RUN,
) -> RetentionReport:
    """One retention pass at *now*; run in ``unit_of_work(write=True)``."""
    cutoff = now - retain
    session_ids = expired_sessions(db, cutoff, sessions_per_run)
    report = _forget_sessions(db, session_ids) if session_ids else RetentionReport()
    members, _organisations = _forget_inactive_members(db, cutoff, members_per_run)
    return RetentionReport(
        report.sessions,
        report.registrations,
        report.feedback,
        report.respondents,
        report.messages,
        members,
    )


def plan_retention(db: Session, settings: Settings, now: datetime) -> int:
    """The scheduler's planner: rows changed by one retention pass."""
    return expire_personal_data(db, settings.privacy.retain_personal_data, now).changed
