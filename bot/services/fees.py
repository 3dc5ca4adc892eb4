"""Participant fees and the invoice list per organisation.

The rules, as the secretariat invoices them:

* The price of a session is its own ``price`` when the programme sets one
  (``price = 0`` makes it free), otherwise ``[fees] member_price``.
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
* A season such as ``2026-2027`` runs from 1 August 2026 to 31 July 2027 in
  the network's home time zone; cancelled sessions are not invoiced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import FeeSettings
from bot.errors import InvalidSeason
from bot.models import Member, Organisation, ProgrammeSession, Registration, RegistrationStatus

SEASON_PATTERN = re.compile(r"(\d{4})\s*[-/]\s*(\d{2}|\d{4})")


@dataclass(frozen=True)
class Fee:
    amount: int
    full_price: int
    currency: str
    discount: float
    # Set when the discount applies: the organisation a colleague already came from.
    colleague_organisation: str | None = None

    @property
    def discounted(self) -> bool:
        return self.colleague_organisation is not None


def session_price(session: ProgrammeSession, fees: FeeSettings) -> int:
    return session.price if session.price is not None else fees.member_price


def discounted_price(price: int, discount: float) -> int:
    exact = Decimal(price) * (Decimal(1) - Decimal(str(discount)))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class ParticipantFee:
    registration_id: int
    member_id: int | None  # None once the member's personal data is erased
    participant: str  # "" once the member's personal data is erased
    organisation: str  # "" when the registration has none
    country: str
    attendance: str
    fee: Fee


def session_fees(db: Session, session: ProgrammeSession, fees: FeeSettings) -> list[ParticipantFee]:
    """Every confirmed participant of *session* with their fee, in confirmation order."""
    rows = db.execute(
        select(Registration, Member, Organisation)
        # Detached registrations (no member) are still participants and still pay.
        .outerjoin(Member, Member.id == Registration.member_id)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(
            Registration.session_id == session.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        # Confirmed when registered, or when a waiting member got a seat.
        .order_by(
            func.coalesce(Registration.promoted_at, Registration.registered_at), Registration.id
        )
    ).tuples()
    price = session_price(session, fees)
    seen: set[int] = set()
    out: list[ParticipantFee] = []
    for registration, member, organisation in rows:
        if organisation is not None and organisation.id in seen:
            fee = Fee(
                discounted_price(price, fees.extra_participant_discount),
                price,
                fees.currency,
                fees.extra_participant_discount,
                organisation.name,
            )
        else:
            fee = Fee(price, price, fees.currency, fees.extra_participant_discount)
        if organisation is not None:
            seen.add(organisation.id)
        out.append(
            ParticipantFee(
                registration_id=registration.id,
                member_id=member.id if member else None,
                participant=participant_name(member),
                organisation=organisation.name if organisation else "",
                country=organisation.country if organisation else "",
                attendance=registration.attendance,
                fee=fee,
            )
        )
    return out


def participant_name(member: Member | None) -> str:
    """The name an invoice line shows; "" for a registration detached from its member."""
    if member is None:
        return ""
    return member.name or member.slack_real_name or member.slack_user_id


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
            )
            grouped.setdefault((participant.organisation, participant.country), []).append(line)
    return tuple(
        OrganisationInvoice(name, country, tuple(lines))
        for (name, country), lines in sorted(
            grouped.items(), key=lambda item: (item[0][0] == "", item[0][0].casefold())
        )
    )


def season_bounds(season: str, timezone: str) -> tuple[datetime, datetime]:
    """``2026-2027`` (or ``2026/27``) -> 1 Aug 2026 00:00 up to 1 Aug 2027 00:00, local."""
    match = SEASON_PATTERN.fullmatch(season.strip())
    if match is None:
        raise InvalidSeason()
    first = int(match.group(1))
    second_text = match.group(2)
    second = int(second_text) if len(second_text) == 4 else (first // 100) * 100 + int(second_text)
    if second != first + 1:
        raise InvalidSeason()
    zone = ZoneInfo(timezone)
    return datetime(first, 8, 1, tzinfo=zone), datetime(second, 8, 1, tzinfo=zone)


def season_invoices(
    db: Session, team_id: str, season: str, fees: FeeSettings, timezone: str
) -> InvoiceList:
    starts, ends = season_bounds(season, timezone)
    sessions = db.scalars(
        select(ProgrammeSession)
        .where(
            ProgrammeSession.team_id == team_id,
            ProgrammeSession.starts_at >= starts,
            ProgrammeSession.starts_at < ends,
            ProgrammeSession.cancelled_at.is_(None),
        )
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.key)
    )
    return InvoiceList(
        label=f"{starts.year}-{ends.year}",
        starts=starts,
        ends=ends,
        currency=fees.currency,
        organisations=invoices_for(db, list(sessions), fees),
    )
