"""Everything stored about one member, for ``/sdg mydata``.

Only rows that belong to the member asking are read: their member row, the
registrations, deliveries and named feedback linked to it, and the sessions
of anonymous feedback they gave (the answers themselves cannot be linked to
anyone, so they cannot be shown).  The caller passes the Slack user id of
the member who asked; there is no way to ask for someone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.config import FeeSettings
from bot.models import (
    CalendarLink,
    Delivery,
    FeedbackRespondent,
    FeedbackResponse,
    Guest,
    Membership,
    Organisation,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.services.fees import Fee, fee_for
from bot.services.members import find_member
from bot.services.registration import SessionSummary


@dataclass(frozen=True)
class ProfileRecord:
    name: str
    organisation: str | None
    organisation_country: str | None
    role: str | None
    language: str | None  # the member's own choice; None = follow Slack
    slack_real_name: str
    slack_time_zone: str | None
    slack_locale: str | None
    slack_profile_fetched_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class RegistrationRecord:
    session: SessionSummary
    status: str
    attendance: str
    organisation: str | None  # the one it was made for and is invoiced to
    queued_at: datetime
    registered_at: datetime
    cancelled_at: datetime | None
    promoted_at: datetime | None
    fee: Fee | None  # confirmed participants only
    erased_after: datetime  # when retention detaches it from the member


@dataclass(frozen=True)
class MessageRecord:
    """A scheduled DM to the member (reminder, feedback prompt, notice)."""

    kind: str
    session: SessionSummary
    offset: str
    due_at: datetime
    state: str
    sent_at: datetime | None
    skip_reason: str | None


@dataclass(frozen=True)
class FeedbackRecord:
    """A named session's answers, with the role and organisation stored beside them."""

    session: SessionSummary
    rating: int
    most_valuable: str
    should_change: str
    goals: tuple[int, ...]
    would_recommend: bool | None
    role: str | None
    organisation: str | None


@dataclass(frozen=True)
class FacilitatorStatus:
    """Not stored in the database: the configuration and the Slack user group say it."""

    listed: bool
    usergroup: str  # "" when none is configured
    in_usergroup: bool | None  # None: no group, or Slack could not tell


@dataclass(frozen=True)
class MembershipRecord:
    season: str
    organisation: str | None
    enrolled_at: datetime
    left_at: datetime | None


@dataclass(frozen=True)
class GuestRecord:
    """A guest without Slack the member entered: their data, entered by the member."""

    session: SessionSummary
    name: str
    email: str
    role: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class PersonalData:
    slack_user_id: str
    retain: timedelta
    profile: ProfileRecord | None
    registrations: tuple[RegistrationRecord, ...] = ()
    messages: tuple[MessageRecord, ...] = ()
    feedback: tuple[FeedbackRecord, ...] = ()
    anonymous_feedback: tuple[SessionSummary, ...] = ()  # answered; answers not linked
    memberships: tuple[MembershipRecord, ...] = ()
    guests: tuple[GuestRecord, ...] = ()
    # When the member's private calendar address was made (its token is theirs alone).
    calendar_link_created_at: datetime | None = None

    @property
    def anything(self) -> bool:
        return self.profile is not None


def collect_personal_data(
    db: Session,
    team_id: str,
    slack_user_id: str,
    *,
    fees: FeeSettings,
    retain: timedelta,
) -> PersonalData:
    """What is stored about *slack_user_id*, and nothing about anyone else."""
    member = find_member(db, team_id, slack_user_id)
    if member is None:
        return PersonalData(slack_user_id, retain, None)
    organisation = member.organisation
    profile = ProfileRecord(
        name=member.name,
        organisation=organisation.name if organisation else None,
        organisation_country=(organisation.country or None) if organisation else None,
        role=member.role,
        language=member.language,
        slack_real_name=member.slack_real_name,
        slack_time_zone=member.slack_tz,
        slack_locale=member.slack_locale,
        slack_profile_fetched_at=member.slack_profile_fetched_at,
        created_at=member.created_at,
    )

    registrations = []
    for registration, session, organisation_name in db.execute(
        select(Registration, ProgrammeSession, Organisation.name)
        .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.member_id == member.id)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
    ).tuples():
        confirmed = registration.status == RegistrationStatus.CONFIRMED
        registrations.append(
            RegistrationRecord(
                session=SessionSummary.of(session),
                status=registration.status,
                attendance=registration.attendance,
                organisation=organisation_name,
                queued_at=registration.queued_at,
                registered_at=registration.registered_at,
                cancelled_at=registration.cancelled_at,
                promoted_at=registration.promoted_at,
                fee=fee_for(db, session, member.id, fees) if confirmed else None,
                erased_after=session.ends_at + retain,
            )
        )

    memberships = tuple(
        MembershipRecord(row.season_key, name, row.enrolled_at, row.left_at)
        for row, name in db.execute(
            select(Membership, Organisation.name)
            .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.member_id == member.id)
            .order_by(Membership.enrolled_at)
        ).tuples()
    )

    messages = [
        MessageRecord(
            kind=delivery.kind,
            session=SessionSummary.of(session),
            offset=delivery.offset_key,
            due_at=delivery.due_at,
            state=delivery.state,
            sent_at=delivery.sent_at,
            skip_reason=delivery.skip_reason,
        )
        for delivery, session in db.execute(
            select(Delivery, ProgrammeSession)
            .join(ProgrammeSession, ProgrammeSession.id == Delivery.session_id)
            .where(
                Delivery.team_id == team_id,
                or_(Delivery.member_id == member.id, Delivery.recipient == slack_user_id),
            )
            .order_by(Delivery.due_at, Delivery.id)
        ).tuples()
    ]

    feedback = [
        FeedbackRecord(
            session=SessionSummary.of(session),
            rating=response.rating,
            most_valuable=response.most_valuable,
            should_change=response.should_change,
            goals=tuple(sorted(goal.goal for goal in response.sdgs)),
            would_recommend=response.would_recommend,
            role=response.role,
            organisation=response.organisation_name,
        )
        for response, session in db.execute(
            select(FeedbackResponse, ProgrammeSession)
            .join(ProgrammeSession, ProgrammeSession.id == FeedbackResponse.session_id)
            .where(FeedbackResponse.member_id == member.id)
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
        ).tuples()
    ]

    anonymous = [
        SessionSummary.of(session)
        for session in db.scalars(
            select(ProgrammeSession)
            .join(FeedbackRespondent, FeedbackRespondent.session_id == ProgrammeSession.id)
            .where(FeedbackRespondent.member_id == member.id, ProgrammeSession.anonymous.is_(True))
            .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
        )
    ]
    guests = tuple(
        GuestRecord(
            SessionSummary.of(session),
            guest.name,
            guest.email,
            guest.role,
            status,
            guest.created_at,
        )
        for guest, session, status in db.execute(
            select(Guest, ProgrammeSession, Registration.status)
            .join(ProgrammeSession, ProgrammeSession.id == Guest.session_id)
            .join(Registration, Registration.id == Guest.registration_id)
            .where(Guest.team_id == team_id, Guest.brought_by_member_id == member.id)
            .order_by(ProgrammeSession.starts_at, Guest.id)
        ).tuples()
    )
    return PersonalData(
        slack_user_id=slack_user_id,
        retain=retain,
        profile=profile,
        guests=guests,
        registrations=tuple(registrations),
        messages=tuple(messages),
        feedback=tuple(feedback),
        anonymous_feedback=tuple(anonymous),
        memberships=memberships,
        calendar_link_created_at=db.scalar(
            select(CalendarLink.created_at).where(CalendarLink.member_id == member.id)
        ),
    )
