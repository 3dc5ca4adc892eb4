"""Participant fees and the invoice list per organisation.

The rules, as the secretariat invoices them:

* The network's price is the season membership (:mod:`bot.services.membership`):
  ``[fees] member_price`` (or the season's ``membership_price``) per participant,
  ``extra_participant_discount`` off for each further participant from the
  same organisation.  A members-only session (the network meetings) is
  included in it and costs nothing on its own.
* Every other session is free unless the programme sets a ``price``; a priced
  session (a full-day event) is paid per confirmed participant as below.
* Registrations made before seasons existed keep the fee recorded for them by
  migration 0011_recorded_fees (``registrations.recorded_fee``), under the old rule: a
  session without a price cost ``[fees] member_price``.
* Fees are for confirmed participants, in the room or online; the waiting
  list pays nothing.
* Per session and organisation, the participant confirmed first pays the
  full price; every further participant from the same organisation pays
  ``price * (1 - extra_participant_discount)``, rounded to whole units.
  "Confirmed first" means the earliest confirmation (registration time, or
  the moment a waiting member got a seat), ties broken by registration id.
  When the first one cancels, the next one becomes the first: fees are always
  worked out from the registrations as they are now.
* A registration is invoiced to the organisation it was made for
  (``registrations.organisation_id``), not to the member's organisation of
  today.  It is set when the member registers (and again when they register
  after cancelling); a waiting member's promotion keeps it.  When a member
  changes the organisation in their profile, their registrations for sessions
  that have not started follow it; those of started sessions keep the old one,
  so an invoice already sent stays as it was.
* A registration detached from its member (``/sdg forget-me`` or the
  retention period, see ``bot/services/erasure.py``) keeps its organisation
  and its place in the confirmation order: the organisation's invoice, and who
  pays full price, stay the same.  The one exception is an organisation that
  is not on the municipality list and that nobody else uses any more (one the
  member wrote under "Other"): it goes with the member (``/sdg forget-me``,
  or retention deleting an inactive member), and the registration is left
  with no organisation and is listed as such, at full price.
* A participant without an organisation pays full price.
* A season is a ``[[season]]`` of the programme, or ``2026-2027`` for 1 August
  2026 to 31 July 2027 in the network's home time zone (:mod:`bot.services.seasons`);
  cancelled sessions are not invoiced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import FeeSettings
from bot.models import (
    Guest,
    Member,
    Organisation,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.services import membership as membership_service
from bot.services.membership import discounted_price
from bot.services.seasons import season_by_key, sessions_in

__all__ = ["Fee", "discounted_price", "fee_for", "season_invoices", "session_fees"]


@dataclass(frozen=True)
class Fee:
    amount: int
    full_price: int
    currency: str
    discount: float
    # Set when the discount applies: the organisation a colleague already came from.
    colleague_organisation: str | None = None
    # A members-only session: included in the season's membership.
    included: bool = False

    @property
    def discounted(self) -> bool:
        return self.colleague_organisation is not None


def session_price(session: ProgrammeSession) -> int:
    """What the session itself costs a participant: 0 unless it sets a price."""
    if session.members_only:
        return 0
    return session.price or 0


class ParticipantFee(NamedTuple):
    # A tuple, not a frozen dataclass: an export of a big session builds
    # 100,000 of them, and a frozen dataclass sets each field through
    # object.__setattr__.
    registration_id: int
    member_id: int | None  # None once the member's personal data is erased
    participant: str  # "" once the member's personal data is erased
    organisation: str  # "" when the registration has none
    country: str
    attendance: str
    fee: Fee
    # A guest without Slack, brought by a member (bot/services/guests.py).
    guest: bool = False


def session_fees(db: Session, session: ProgrammeSession, fees: FeeSettings) -> list[ParticipantFee]:
    """Every confirmed participant of *session* with their fee, in confirmation order."""
    # Plain columns, not ORM objects: loading 100,000 registrations as objects
    # took most of an export's 12 s; and on the connection, past the ORM's
    # loading step, which still handled each row of a column query.  The
    # connection does not autoflush: a registration just changed is flushed here.
    db.flush()
    rows = (
        db.connection()
        .execute(
            select(
                Registration.id,
                Registration.attendance,
                Registration.recorded_fee,
                Registration.recorded_full_price,
                Member.id,
                Member.name,
                Member.slack_real_name,
                Member.slack_user_id,
                Organisation.id,
                Organisation.name,
                Organisation.country,
                Guest.name,
            )
            # Detached registrations (no member) are still participants and still pay.
            .outerjoin(Member, Member.id == Registration.member_id)
            .outerjoin(Guest, Guest.registration_id == Registration.id)
            .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
            .where(
                Registration.session_id == session.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            # Confirmed when registered, or when a waiting member got a seat.
            .order_by(
                func.coalesce(Registration.promoted_at, Registration.registered_at), Registration.id
            )
        )
        .all()
    )
    price = session_price(session)
    currency, discount = fees.currency, fees.extra_participant_discount
    discounted = discounted_price(price, discount)
    # Fees are frozen values: participants with the same fee share one.
    fee_of: dict[tuple[int, int, str | None], Fee] = {}
    included = Fee(0, 0, currency, discount, included=True)
    seen: set[int] = set()
    out: list[ParticipantFee] = []
    for (
        registration_id,
        attendance,
        recorded_fee,
        recorded_full_price,
        member_id,
        name,
        real_name,
        user_id,
        organisation_id,
        organisation_name,
        country,
        guest_name,
    ) in rows:
        if recorded_fee is not None:
            full = recorded_full_price or recorded_fee
            key = (
                recorded_fee,
                full,
                organisation_name if organisation_id is not None and recorded_fee < full else None,
            )
        elif session.members_only:
            key = None
        elif organisation_id is not None and organisation_id in seen:
            key = (discounted, price, organisation_name)
        else:
            key = (price, price, None)
        if key is None:
            fee = included
        elif key in fee_of:
            fee = fee_of[key]
        else:
            fee = fee_of[key] = Fee(key[0], key[1], currency, discount, key[2])
        if organisation_id is not None:
            seen.add(organisation_id)
        out.append(
            ParticipantFee(
                registration_id=registration_id,
                member_id=member_id,
                participant=guest_name
                if guest_name is not None
                else participant_name_of(member_id, name, real_name, user_id),
                organisation=organisation_name if organisation_id is not None else "",
                country=country if organisation_id is not None else "",
                attendance=attendance,
                fee=fee,
                guest=guest_name is not None,
            )
        )
    return out


def participant_name(member: Member | None) -> str:
    """The name an invoice line shows; "" for a registration detached from its member."""
    if member is None:
        return ""
    return participant_name_of(member.id, member.name, member.slack_real_name, member.slack_user_id)


def participant_name_of(
    member_id: int | None, name: str | None, real_name: str | None, user_id: str | None
) -> str:
    """:func:`participant_name` from the member's columns (all None when detached)."""
    if member_id is None:
        return ""
    return name or real_name or user_id or ""


def fee_for(
    db: Session, session: ProgrammeSession, member_id: int, fees: FeeSettings
) -> Fee | None:
    """The member's fee for *session* as things stand; None unless confirmed."""
    for participant in session_fees(db, session, fees):
        if participant.member_id == member_id:
            return participant.fee
    return None


@dataclass(frozen=True)
class InvoiceLine:
    session_key: str
    session_title: str
    starts: datetime
    participant: str  # "" once the participant's personal data is erased
    attendance: str
    amount: int
    full_price: int
    discounted: bool
    # "session", or "membership" for a season membership (session_* then name the season).
    kind: str = "session"
    # A guest without Slack, brought by a member of the organisation.
    guest: bool = False


@dataclass(frozen=True)
class OrganisationInvoice:
    organisation: str  # "" for participants without an organisation
    country: str
    lines: tuple[InvoiceLine, ...]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass(frozen=True)
class InvoiceList:
    label: str
    starts: datetime | None
    ends: datetime | None
    currency: str
    organisations: tuple[OrganisationInvoice, ...]

    @property
    def total(self) -> int:
        return sum(invoice.total for invoice in self.organisations)


def invoices_for(
    db: Session, sessions: Iterable[ProgrammeSession], fees: FeeSettings
) -> tuple[OrganisationInvoice, ...]:
    """Fees of *sessions* grouped per organisation, organisations by name."""
    grouped: dict[tuple[str, str], list[InvoiceLine]] = {}
    for session in sessions:
        for participant in session_fees(db, session, fees):
            line = InvoiceLine(
                session_key=session.key,
                session_title=session.title,
                starts=session.starts_at,
                participant=participant.participant,
                attendance=participant.attendance,
                amount=participant.fee.amount,
                full_price=participant.fee.full_price,
                discounted=participant.fee.discounted,
                guest=participant.guest,
            )
            grouped.setdefault((participant.organisation, participant.country), []).append(line)
    return tuple(
        OrganisationInvoice(name, country, tuple(lines))
        for (name, country), lines in sorted(
            grouped.items(), key=lambda item: (item[0][0] == "", item[0][0].casefold())
        )
    )


def season_invoices(
    db: Session, team_id: str, season: str, fees: FeeSettings, timezone: str
) -> InvoiceList:
    """The season's memberships and priced sessions, per organisation.

    Raises UnknownSeason for a key that names no season.
    """
    found = season_by_key(db, team_id, season, ZoneInfo(timezone))
    sessions = [s for s in sessions_in(db, team_id, found) if session_price(s) or _recorded(db, s)]
    organisations = invoices_for(db, sessions, fees)
    enrolments = membership_service.memberships_of_season(db, team_id, found.key, fees)
    if enrolments:
        grouped: dict[tuple[str, str], list[InvoiceLine]] = {}
        for enrolment in enrolments:
            line = InvoiceLine(
                session_key=found.key,
                session_title=found.title,
                starts=found.starts,
                participant=enrolment.participant,
                attendance="",
                amount=enrolment.price,
                full_price=enrolment.full_price,
                discounted=enrolment.discounted,
                kind="membership",
                guest=enrolment.guest,
            )
            grouped.setdefault((enrolment.organisation, enrolment.country), []).append(line)
        for invoice in organisations:  # the memberships first, then the priced sessions
            grouped.setdefault((invoice.organisation, invoice.country), []).extend(invoice.lines)
        organisations = tuple(
            OrganisationInvoice(name, country, tuple(lines))
            for (name, country), lines in sorted(
                grouped.items(), key=lambda item: (item[0][0] == "", item[0][0].casefold())
            )
        )
    return InvoiceList(
        label=found.key,
        starts=found.starts,
        ends=found.ends,
        currency=fees.currency,
        organisations=organisations,
    )


def _recorded(db: Session, session: ProgrammeSession) -> bool:
    """Whether any registration of *session* carries a fee recorded before seasons."""
    return (
        db.scalar(
            select(func.count()).where(
                Registration.session_id == session.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.recorded_fee.is_not(None),
                Registration.recorded_fee > 0,
            )
        )
        or 0
    ) > 0
