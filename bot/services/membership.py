"""The season membership: who is enrolled, what joining costs, joining and leaving.

The network's price is a membership per participant per season, for the
season's members-only sessions (the network meetings):

* It costs the season's ``membership_price`` (``[[season]]``), else ``[fees]
  member_price``.
* Per organisation, the participant enrolled first pays the full price and
  each further one ``extra_participant_discount`` less (10,000 + 7,500 +
  7,500 for three from one municipality), rounded to whole units.  Like
  session fees this is worked out from the enrolments as they are now, so
  when the first one leaves, the next pays full price.
* An enrolment is invoiced to the organisation the member had when joining.
* A member may leave until the season's first members-only session has
  started; after that only a facilitator can change it.  Leaving cancels the
  member's registrations for the season's members-only sessions that have
  not started.

Joining and leaving are :mod:`bot.services.enrolment` (leaving cancels
registrations); this module prices and reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import FeeSettings
from bot.models import Member, Membership, Organisation, ProgrammeSeason, ProgrammeSession
from bot.seasons import Season
from bot.services.guest_records import guests_by_membership
from bot.services.members import find_member
from bot.services.seasons import season_at, season_by_key


def discounted_price(price: int, discount: float) -> int:
    exact = Decimal(price) * (Decimal(1) - Decimal(str(discount)))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Enrolment:
    """One participant enrolled in a season's membership, with their price."""

    membership_id: int
    member_id: int | None  # None once the member's personal data is erased
    slack_user_id: str  # "" once erased
    participant: str  # "" once erased
    organisation_id: int | None
    organisation: str  # "" when none
    country: str
    enrolled_at: datetime
    price: int
    full_price: int
    discounted: bool
    # A guest without Slack enrolled for a members-only session (bot/services/guests.py).
    guest: bool = False


@dataclass(frozen=True)
class MembershipStatus:
    """What ``/sdg membership`` shows one member."""

    season: Season
    currency: str
    enrolment: Enrolment | None  # the member's own, when enrolled
    organisation: str  # the member's organisation now ("" without a profile)
    enrolled_from_organisation: int  # including the member when enrolled
    price_now: int  # what joining costs the member now (their price, when enrolled)
    full_price: int
    discount: float
    may_leave: bool  # leaving is still open to the member themselves
    first_meeting: datetime | None  # the season's first members-only session
    has_profile: bool

    @property
    def enrolled(self) -> bool:
        return self.enrolment is not None


@dataclass(frozen=True)
class MembershipChange:
    status: MembershipStatus
    already: bool  # nothing changed (joined twice, left twice)
    cancelled_sessions: tuple[str, ...] = ()  # titles of registrations given up by leaving


def full_price_of(db: Session, team_id: str, season_key: str, fees: FeeSettings) -> int:
    price = db.scalar(
        select(ProgrammeSeason.membership_price).where(
            ProgrammeSeason.team_id == team_id, ProgrammeSeason.key == season_key
        )
    )
    return fees.member_price if price is None else price


def memberships_of_season(
    db: Session, team_id: str, season_key: str, fees: FeeSettings
) -> list[Enrolment]:
    """The season's enrolments in enrolment order, each with its price as things stand."""
    rows = db.execute(
        select(Membership, Member, Organisation)
        .outerjoin(Member, Member.id == Membership.member_id)
        .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Membership.team_id == team_id,
            Membership.season_key == season_key,
            Membership.left_at.is_(None),
        )
        .order_by(Membership.enrolled_at, Membership.id)
    ).all()
    guests = guests_by_membership(db, (row[0].id for row in rows if row[0].member_id is None))
    full = full_price_of(db, team_id, season_key, fees)
    reduced = discounted_price(full, fees.extra_participant_discount)
    seen: set[int] = set()
    out: list[Enrolment] = []
    for membership, member, organisation in rows:
        further = organisation is not None and organisation.id in seen
        if organisation is not None:
            seen.add(organisation.id)
        guest = guests.get(membership.id) if member is None else None
        out.append(
            Enrolment(
                membership_id=membership.id,
                member_id=member.id if member else None,
                slack_user_id=member.slack_user_id if member else "",
                participant=(member.name or member.slack_real_name or member.slack_user_id)
                if member
                else (guest.name if guest else ""),
                organisation_id=organisation.id if organisation else None,
                organisation=organisation.name if organisation else "",
                country=organisation.country if organisation else "",
                enrolled_at=membership.enrolled_at,
                price=reduced if further else full,
                full_price=full,
                discounted=further,
                guest=guest is not None,
            )
        )
    return out


def is_member(db: Session, team_id: str, member_id: int, season_key: str) -> bool:
    return (
        db.scalar(
            select(func.count()).where(
                Membership.team_id == team_id,
                Membership.season_key == season_key,
                Membership.member_id == member_id,
                Membership.left_at.is_(None),
            )
        )
        or 0
    ) > 0


def first_members_meeting(db: Session, team_id: str, season: Season) -> datetime | None:
    return db.scalar(
        select(func.min(ProgrammeSession.starts_at)).where(
            ProgrammeSession.team_id == team_id,
            ProgrammeSession.members_only.is_(True),
            ProgrammeSession.cancelled_at.is_(None),
            ProgrammeSession.starts_at >= season.starts,
            ProgrammeSession.starts_at < season.ends,
        )
    )


def season_for(
    db: Session, team_id: str, season_key: str | None, now: datetime, zone: ZoneInfo
) -> Season:
    if season_key:
        return season_by_key(db, team_id, season_key, zone)
    return season_at(db, team_id, now, zone)


def membership_status(
    db: Session,
    team_id: str,
    slack_user_id: str,
    now: datetime,
    zone: ZoneInfo,
    fees: FeeSettings,
    season_key: str | None = None,
) -> MembershipStatus:
    """The member's enrolment in the current (or named) season and what joining costs now."""
    season = season_for(db, team_id, season_key, now, zone)
    member = find_member(db, team_id, slack_user_id)
    return status_of_member(db, team_id, season, member, now, fees)


def status_of_member(
    db: Session,
    team_id: str,
    season: Season,
    member: Member | None,
    now: datetime,
    fees: FeeSettings,
) -> MembershipStatus:
    enrolments = memberships_of_season(db, team_id, season.key, fees)
    own = next((e for e in enrolments if member and e.member_id == member.id), None)
    organisation_id = own.organisation_id if own else (member.organisation_id if member else None)
    organisation = ""
    if own is not None:
        organisation = own.organisation
    elif member is not None and member.organisation is not None:
        organisation = member.organisation.name
    same = [e for e in enrolments if organisation_id and e.organisation_id == organisation_id]
    full = full_price_of(db, team_id, season.key, fees)
    if own is not None:
        price = own.price
    elif same:
        price = discounted_price(full, fees.extra_participant_discount)
    else:
        price = full
    first = first_members_meeting(db, team_id, season)
    return MembershipStatus(
        season=season,
        currency=fees.currency,
        enrolment=own,
        organisation=organisation,
        enrolled_from_organisation=len(same),
        price_now=price,
        full_price=full,
        discount=fees.extra_participant_discount,
        may_leave=first is None or now < first,
        first_meeting=first,
        has_profile=bool(member and member.has_profile),
    )


def lock_season(db: Session, team_id: str, season_key: str) -> None:
    """Serialise changes to one season's enrolments (a double click joins once).

    SQLite's BEGIN IMMEDIATE already does; PostgreSQL takes a transaction-level
    advisory lock named after the workspace and the season.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(f"membership:{team_id}:{season_key}")))
        )
