"""Erasing a member's personal data (``/sdg forget-me``), keeping the aggregates.

What goes, in one write transaction:

* the member row: name, organisation link, role, language choice and the
  cached Slack profile (real name, time zone, locale);
* registrations for sessions that have not started: cancelled first through
  :func:`bot.services.registration.cancel_registration`, so a freed seat goes
  to the waiting list (with its promotion DM) exactly as after ``/sdg
  cancel``, then deleted;
* every delivery addressed to the member (sent, pending or skipped): the row
  holds their Slack user id, and a deleted pending row is never sent;
* who-answered rows (``feedback_respondents``);
* the guests the member entered (name, e-mail, role) and their e-mails still
  to be sent; a guest's seat at a session that has not started is given up
  (to the waiting list), one at a session that has started stays, detached;
* an organisation the member wrote under "Other" that nobody else uses (its
  name is offered in everyone's type-ahead): not on the municipality list,
  in no other member's profile and on no other member's registration.  The
  member's detached registrations that pointed at it are left with no
  organisation (the foreign key's ON DELETE SET NULL) and are invoiced as such.

What stays, pointing at no one:

* registrations of sessions that have started: ``member_id`` becomes NULL,
  so participant counts, response rates and summaries do not change; they
  keep the organisation they were made for (``organisation_id``) and their
  confirmation time, so invoices and who pays full price do not change either
  (see :mod:`bot.services.fees`);
* named feedback answers: ``member_id`` becomes NULL; the numbers, goals,
  comments and the role/organisation snapshot used for breakdowns of five or
  more stay.  Anonymous answers were never linked to anyone.

Running it again finds nothing and changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Result, Select, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from bot.models import (
    Delivery,
    FeedbackRespondent,
    FeedbackResponse,
    Member,
    Organisation,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.services.guests import forget_guests_of
from bot.services.registration import Promotion, cancel_registration


@dataclass(frozen=True)
class ErasurePreview:
    """What ``/sdg forget-me`` would do, for the confirmation."""

    stored: bool  # a member row exists
    upcoming: tuple[str, ...]  # titles of sessions whose registration would be cancelled
    past: int  # confirmed participations that stay as anonymous counts
    feedback: int  # named feedback answers that stay without a name


@dataclass(frozen=True)
class ErasureOutcome:
    erased: bool  # False: nothing was stored about the member
    cancelled: tuple[str, ...] = ()  # titles of sessions whose registration was cancelled
    past: int = 0  # confirmed participations kept as anonymous counts
    feedback: int = 0  # named answers kept without a name
    messages: int = 0  # delivery rows removed
    promoted: tuple[Promotion, ...] = ()  # waiting members who got a freed seat


def affected_rows(result: Result[Any]) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)


def _not_started(member_id: int, now: datetime) -> Select[tuple[Registration, ProgrammeSession]]:
    return (
        select(Registration, ProgrammeSession)
        .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
        .where(Registration.member_id == member_id, ProgrammeSession.starts_at > now)
    )


def _past_participations(db: Session, member_id: int, now: datetime) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(Registration)
            .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
            .where(
                Registration.member_id == member_id,
                Registration.status == RegistrationStatus.CONFIRMED,
                ProgrammeSession.starts_at <= now,
            )
        )
        or 0
    )


def _named_answers(db: Session, member_id: int) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(FeedbackResponse)
            .where(FeedbackResponse.member_id == member_id)
        )
        or 0
    )


def _active(registration: Registration, session: ProgrammeSession) -> bool:
    return registration.status != RegistrationStatus.CANCELLED and session.cancelled_at is None


def erasure_preview(db: Session, team_id: str, slack_user_id: str, now: datetime) -> ErasurePreview:
    member = db.scalar(
        select(Member).where(Member.team_id == team_id, Member.slack_user_id == slack_user_id)
    )
    if member is None:
        return ErasurePreview(stored=False, upcoming=(), past=0, feedback=0)
    upcoming = tuple(
        session.title
        for registration, session in db.execute(
            _not_started(member.id, now).order_by(ProgrammeSession.starts_at)
        ).tuples()
        if _active(registration, session)
    )
    return ErasurePreview(
        stored=True,
        upcoming=upcoming,
        past=_past_participations(db, member.id, now),
        feedback=_named_answers(db, member.id),
    )


def delete_unused_organisations(db: Session, organisation_ids: Collection[int]) -> int:
    """Drop organisations written under "Other" that no member uses any more.

    Used means in a member's profile, or on a registration still linked to a
    member (a past invoice of someone who has since changed organisation).
    Detached registrations do not keep an organisation alive; deleting it
    leaves them with no organisation (ON DELETE SET NULL).
    """
    if not organisation_ids:
        return 0
    in_use = or_(
        exists().where(Member.organisation_id == Organisation.id),
        exists().where(
            Registration.organisation_id == Organisation.id, Registration.member_id.is_not(None)
        ),
    )
    return affected_rows(
        db.execute(
            delete(Organisation)
            .where(
                Organisation.id.in_(list(organisation_ids)),
                Organisation.is_municipality.is_(False),
                ~in_use,
            )
            .execution_options(synchronize_session=False)
        )
    )


def erase_member(db: Session, team_id: str, slack_user_id: str, now: datetime) -> ErasureOutcome:
    """Erase what is stored about *slack_user_id*; run in ``unit_of_work(write=True)``."""
    # Locked first, so a registration racing with the erasure waits for it
    # (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers).
    found = db.execute(
        select(Member.id, Member.organisation_id)
        .where(Member.team_id == team_id, Member.slack_user_id == slack_user_id)
        .with_for_update()
    ).first()
    if found is None:
        return ErasureOutcome(erased=False)
    member_id, organisation_id = found
    # Organisations of the profile and of the registrations (an earlier one,
    # before a profile change): deleted below when nobody else uses them.
    organisations = {organisation_id} | set(
        db.scalars(select(Registration.organisation_id).where(Registration.member_id == member_id))
    )

    cancelled: list[str] = []
    promoted: list[Promotion] = []
    for registration, session in list(
        db.execute(_not_started(member_id, now).order_by(ProgrammeSession.starts_at)).tuples()
    ):
        if registration.status != RegistrationStatus.CANCELLED:
            # The same path as /sdg cancel: the seat goes to the waiting list.
            outcome = cancel_registration(db, team_id, slack_user_id, session.key, now)
            promoted += outcome.promoted
            if session.cancelled_at is None:
                cancelled.append(session.title)
        db.delete(registration)
    db.flush()
    # The guests the member entered go with them (upcoming seats to the waiting list).
    forget_guests_of(db, team_id, member_id, now)

    past = _past_participations(db, member_id, now)
    feedback = affected_rows(
        db.execute(
            update(FeedbackResponse)
            .where(FeedbackResponse.member_id == member_id)
            .values(member_id=None)
            .execution_options(synchronize_session=False)
        )
    )
    db.execute(
        update(Registration)
        .where(Registration.member_id == member_id)
        .values(member_id=None)
        .execution_options(synchronize_session=False)
    )
    db.execute(
        delete(FeedbackRespondent)
        .where(FeedbackRespondent.member_id == member_id)
        .execution_options(synchronize_session=False)
    )
    messages = affected_rows(
        db.execute(
            delete(Delivery)
            .where(
                Delivery.team_id == team_id,
                or_(Delivery.member_id == member_id, Delivery.recipient == slack_user_id),
            )
            .execution_options(synchronize_session=False)
        )
    )
    db.execute(
        delete(Member).where(Member.id == member_id).execution_options(synchronize_session=False)
    )
    delete_unused_organisations(db, {org for org in organisations if org is not None})
    db.expunge_all()  # the member and their rows are gone; nothing stale may be flushed
    return ErasureOutcome(
        erased=True,
        cancelled=tuple(cancelled),
        past=past,
        feedback=feedback,
        messages=messages,
        promoted=tuple(promoted),
    )
