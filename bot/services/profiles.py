"""Member profiles (name, organisation, role) and the organisation type-ahead.

Organisations offered while typing come from two places:

* ``bot/data/municipalities.csv``: every Danish kommune (98) and every
  Norwegian kommune of the 2024 division (357), with ``country``, ``name`` and
  ``also_known_as`` (other spellings and Sámi names that should find it too);
* organisations already stored, e.g. an institution a member wrote under
  "Other" before.

A choice travels as an option value: ``m:<country>:<name>`` for a
municipality of the list, ``o:<id>`` for a stored organisation and ``other``
for "write it yourself".  Values are checked again on submit; a forged value
is refused, never stored.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import FieldCode, FormErrors, UnknownOrganisation
from bot.models import Organisation, ProgrammeSession, Registration, Role
from bot.services.members import ensure_member, find_member
from bot.whole_numbers import whole_number

MUNICIPALITIES_FILE = Path(__file__).resolve().parent.parent / "data" / "municipalities.csv"
OTHER = "other"
MUNICIPALITY_PREFIX = "m:"
STORED_PREFIX = "o:"
# Slack shows at most 100 options; one place is kept for "Other".
MAX_SUGGESTIONS = 99
NAME_LIMIT = 200

# The form's fields, as its errors name them.
FIELD_NAME = "name"
FIELD_ORGANISATION = "organisation"
FIELD_OTHER = "other"
FIELD_ROLE = "role"

ROLES = tuple(role.value for role in Role)

# Danish and Norwegian letters typed the "English keyboard" way still match.
_FOLDS = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "ß": "ss", "ŋ": "n", "đ": "d"})


def fold(text: str) -> str:
    """Lower case, ``å``/``aa`` and ``ø``/``o`` alike, accents dropped, spaces squeezed."""
    folded = text.casefold().translate(_FOLDS)
    folded = unicodedata.normalize("NFKD", folded)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", folded).strip()


def tidy(text: str | None, limit: int = NAME_LIMIT) -> str:
    return re.sub(r"\s+", " ", text or "").strip()[:limit]


@dataclass(frozen=True)
class Municipality:
    country: str
    name: str
    also_known_as: str

    @property
    def value(self) -> str:
        return f"{MUNICIPALITY_PREFIX}{self.country}:{self.name}"

    @property
    def search_text(self) -> str:
        return fold(f"{self.name} {self.also_known_as}")


@cache
def municipalities() -> tuple[Municipality, ...]:
    with MUNICIPALITIES_FILE.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Municipality(row["country"], row["name"], row["also_known_as"])
            for row in csv.DictReader(fh)
        )


@cache
def _municipalities_by_value() -> dict[str, Municipality]:
    return {m.value: m for m in municipalities()}


@cache
def _municipalities_by_name() -> dict[str, Municipality]:
    return {fold(m.name): m for m in municipalities()}


@dataclass(frozen=True)
class OrganisationChoice:
    """One suggestion in the type-ahead (or the member's current organisation)."""

    value: str
    name: str
    country: str  # "DK", "NO" or "" for other organisations


def _rank(query: str, name: str, search_text: str) -> int | None:
    """0: the name starts with the query, 1: a word does, 2: it is inside; None: no match."""
    folded_name = fold(name)
    if folded_name.startswith(query):
        return 0
    if any(word.startswith(query) for word in re.split(r"[\s\-()]+", search_text)):
        return 1
    if query in search_text:
        return 2
    return None


def search_organisations(
    db: Session, team_id: str, query: str, limit: int = MAX_SUGGESTIONS
) -> list[OrganisationChoice]:
    """Municipalities and stored organisations matching *query*, best first."""
    wanted = fold(query)
    if not wanted:
        return []
    ranked: list[tuple[int, str, OrganisationChoice]] = []
    listed = _municipalities_by_name()
    for municipality in municipalities():
        rank = _rank(wanted, municipality.name, municipality.search_text)
        if rank is not None:
            choice = OrganisationChoice(municipality.value, municipality.name, municipality.country)
            ranked.append((rank, fold(municipality.name), choice))
    stored = db.execute(
        select(Organisation.id, Organisation.name, Organisation.country).where(
            Organisation.team_id == team_id
        )
    )
    for org_id, name, country in stored:
        if fold(name) in listed:
            continue  # the list already offers it
        rank = _rank(wanted, name, fold(name))
        if rank is not None:
            choice = OrganisationChoice(f"{STORED_PREFIX}{org_id}", name, country)
            ranked.append((rank, fold(name), choice))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [choice for _rank_, _name, choice in ranked[:limit]]


@dataclass(frozen=True)
class Profile:
    name: str
    slack_real_name: str
    organisation: OrganisationChoice | None
    role: str | None

    @property
    def complete(self) -> bool:
        return bool(self.name and self.organisation and self.role)

    @property
    def name_or_slack_name(self) -> str:
        return self.name or self.slack_real_name


def profile_of(db: Session, team_id: str, slack_user_id: str) -> Profile:
    member = find_member(db, team_id, slack_user_id)
    if member is None:
        return Profile("", "", None, None)
    organisation = None
    if member.organisation is not None:
        org = member.organisation
        listed = _municipalities_by_name().get(fold(org.name))
        value = listed.value if listed else f"{STORED_PREFIX}{org.id}"
        organisation = OrganisationChoice(value, org.name, org.country)
    return Profile(member.name, member.slack_real_name, organisation, member.role)


def validate_profile(
    name: str | None,
    organisation: str | None,
    other_organisation: str | None,
    role: str | None,
) -> FormErrors:
    """What is wrong with the form, field by field (falsy when it is fine)."""
    problems = FormErrors()
    if not tidy(name):
        problems.add(FIELD_NAME, FieldCode.NAME_MISSING)
    if not organisation and not tidy(other_organisation):
        problems.add(FIELD_ORGANISATION, FieldCode.ORGANISATION_MISSING)
    elif organisation == OTHER and not tidy(other_organisation):
        problems.add(FIELD_OTHER, FieldCode.ORGANISATION_NAME_MISSING)
    if role not in ROLES:
        problems.add(FIELD_ROLE, FieldCode.ROLE_MISSING)
    return problems


def save_profile(
    db: Session,
    team_id: str,
    slack_user_id: str,
    *,
    name: str,
    organisation: str | None,
    other_organisation: str | None,
    role: str,
    now: datetime,
) -> Profile:
    """Store a validated profile; an organisation written by hand is created once.

    The member's registrations for sessions that have not started move to the
    new organisation; those of sessions that have started stay invoiced to the
    organisation they were made for (see :mod:`bot.services.fees`).
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    org = _resolve_organisation(db, team_id, organisation, tidy(other_organisation))
    member = ensure_member(db, team_id, slack_user_id, now)
    member.name = tidy(name)
    member.organisation_id = org.id
    member.organisation = org
    member.role = role
    for registration in db.scalars(
        select(Registration)
        .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
        .where(
            Registration.member_id == member.id,
            Registration.organisation_id.is_distinct_from(org.id),
            ProgrammeSession.starts_at > now,
        )
    ):
        registration.organisation_id = org.id
    db.flush()
    return profile_of(db, team_id, slack_user_id)


def _resolve_organisation(
    db: Session, team_id: str, value: str | None, written: str
) -> Organisation:
    if value and value.startswith(MUNICIPALITY_PREFIX):
        municipality = _municipalities_by_value().get(value)
        if municipality is None:
            raise UnknownOrganisation()
        return _get_or_create(db, team_id, municipality.name, municipality.country, True)
    if value and value.startswith(STORED_PREFIX):
        org_id = whole_number(value.removeprefix(STORED_PREFIX), least=1)
        org = db.get(Organisation, org_id) if org_id is not None else None
        if org is None or org.team_id != team_id:
            raise UnknownOrganisation()
        return org
    if value not in (None, "", OTHER) or not written:
        raise UnknownOrganisation()
    # Written by hand: a municipality of the list or a stored name, whatever the case.
    listed = _municipalities_by_name().get(fold(written))
    if listed is not None:
        return _get_or_create(db, team_id, listed.name, listed.country, True)
    for org in db.scalars(select(Organisation).where(Organisation.team_id == team_id)):
        if fold(org.name) == fold(written):
            return org
    return _get_or_create(db, team_id, written, "", False)


def _get_or_create(
    db: Session, team_id: str, name: str, country: str, is_municipality: bool
) -> Organisation:
    def existing() -> Organisation | None:
        return db.scalar(
            select(Organisation).where(Organisation.team_id == team_id, Organisation.name == name)
        )

    found = existing()
    if found is not None:
        return found
    try:
        with db.begin_nested():
            org = Organisation(
                team_id=team_id, name=name, country=country, is_municipality=is_municipality
            )
            db.add(org)
    except IntegrityError:
        # Two colleagues from a new organisation saved their profiles at once.
        found = existing()
        assert found is not None
        return found
    return org
