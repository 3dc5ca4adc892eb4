"""What a facilitator's export of one session holds: registrations and feedback.

Fees come from :mod:`bot.services.fees`, so the export and the invoice list
always agree: each registration shows the organisation it is invoiced to (the
one it was made for), and registrations detached from their members by
erasure or retention are listed too, without a name or role.  In an
anonymous session the feedback rows carry no name, role or organisation;
their order is the random order of the stored responses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.config import FeeSettings
from bot.models import (
    FeedbackResponse,
    FeedbackSdg,
    Guest,
    Member,
    Organisation,
    Registration,
)
from bot.services.fees import participant_name_of, session_fees
from bot.services.sessions import find_session


class RegistrationRow(NamedTuple):
    # A tuple, not a frozen dataclass: an export has up to 100,000 of them.
    name: str  # "" once the member's personal data is erased
    organisation: str
    role: str | None
    attendance: str
    status: str
    registered_at: datetime
    fee: int | None  # confirmed participants only
    # A guest without Slack: who brought them ("" for members).
    brought_by: str = ""


@dataclass(frozen=True)
class FeedbackRow:
    rating: int
    most_valuable: str
    should_change: str
    goals: tuple[int, ...]
    would_recommend: bool | None
    name: str | None = None  # named sessions only
    organisation: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class SessionExport:
    key: str
    title: str
    anonymous: bool
    currency: str
    registrations: list[RegistrationRow]
    feedback: list[FeedbackRow]


def session_export(db: Session, team_id: str, key: str, fees: FeeSettings) -> SessionExport:
    session = find_session(db, team_id, key)
    fee_by_registration = {
        participant.registration_id: participant.fee.amount
        for participant in session_fees(db, session, fees)
    }
    # Plain columns on the connection, not ORM objects, as in session_fees.
    brought_by = aliased(Member)
    registrations = [
        RegistrationRow(
            name=guest_name
            if guest_name is not None
            else participant_name_of(member_id, name, real_name, user_id),
            organisation=organisation or "",
            role=guest_role if guest_name is not None else role,
            attendance=attendance,
            status=status,
            registered_at=registered_at,
            fee=fee_by_registration.get(registration_id),
            brought_by=""
            if guest_name is None
            else participant_name_of(by_id, by_name, by_real_name, by_user_id),
        )
        for (
            registration_id,
            attendance,
            status,
            registered_at,
            member_id,
            name,
            real_name,
            user_id,
            role,
            organisation,
            guest_name,
            guest_role,
            by_id,
            by_name,
            by_real_name,
            by_user_id,
        ) in db.connection()
        .execute(
            select(
                Registration.id,
                Registration.attendance,
                Registration.status,
                Registration.registered_at,
                Member.id,
                Member.name,
                Member.slack_real_name,
                Member.slack_user_id,
                Member.role,
                Organisation.name,
                Guest.name,
                Guest.role,
                brought_by.id,
                brought_by.name,
                brought_by.slack_real_name,
                brought_by.slack_user_id,
            )
            .outerjoin(Member, Member.id == Registration.member_id)
            .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
            .outerjoin(Guest, Guest.registration_id == Registration.id)
            .outerjoin(brought_by, brought_by.id == Guest.brought_by_member_id)
            .where(Registration.session_id == session.id)
            .order_by(Registration.registered_at, Registration.id)
        )
        .tuples()
    ]

    goals: dict[int, list[int]] = {}
    for response_id, goal in db.execute(
        select(FeedbackSdg.response_id, FeedbackSdg.goal)
        .join(FeedbackResponse, FeedbackResponse.id == FeedbackSdg.response_id)
        .where(FeedbackResponse.session_id == session.id)
        .order_by(FeedbackSdg.response_id, FeedbackSdg.goal)
    ):
        goals.setdefault(response_id, []).append(goal)
    answers = db.execute(
        select(FeedbackResponse, Member)
        .outerjoin(Member, Member.id == FeedbackResponse.member_id)
        .where(FeedbackResponse.session_id == session.id)
        .order_by(FeedbackResponse.id)
    ).tuples()
    feedback = []
    for response, member in answers:
        named = not session.anonymous and member is not None
        feedback.append(
            FeedbackRow(
                rating=response.rating,
                most_valuable=response.most_valuable,
                should_change=response.should_change,
                goals=tuple(goals.get(response.id, ())),
                would_recommend=response.would_recommend,
                name=(member.name or member.slack_real_name) if named and member else None,
                organisation=response.organisation_name if named else None,
                role=response.role if named else None,
            )
        )
    if not session.anonymous:
        feedback.sort(key=lambda row: ((row.name or "").casefold(), row.rating))
    return SessionExport(
        key=session.key,
        title=session.title,
        anonymous=session.anonymous,
        currency=fees.currency,
        registrations=registrations,
        feedback=feedback,
    )
