"""Where an organisation's invoices go: its EAN/GLN or organisation number.

* A Danish municipality receives electronic invoices at its EAN (a GS1
  GLN: 13 digits, the last a GS1 check digit), usually with an order
  reference its finance department gives; a Norwegian one at its
  organisation number (9 digits, mod-11 check digit) in the Peppol
  network (EHF).  An organisation of another country, or none, may have
  either.
* They are asked once, when the first member of an organisation joins the
  season membership and the network makes invoices (``[invoicing]``), and
  a facilitator can set or correct them for any organisation.  A member
  only ever gives them for their own organisation; nothing here shows
  them to anyone (the invoices go to facilitators).
* A number with a wrong check digit is refused with :class:`InvoiceDetailsInvalid`,
  naming the field, and nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import ean
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.no import orgnr

from bot.errors import DomainError, FieldCode, FieldError, FormErrors
from bot.i18n import N_
from bot.models import InvoiceDetails, Member, Organisation

GLN = "gln"
ORGNR = "orgnr"
MAX_REFERENCE = 200


class InvoiceDetailsInvalid(FormErrors):
    """A field of the invoice details form is wrong: ``field`` is "number" or "reference"."""

    def __init__(self, field: str, code: FieldCode, **values: object) -> None:
        super().__init__([FieldError(field, code, values)])
        self.field = field


class OrganisationNotFound(DomainError):
    message_id = N_("There is no organisation called %(name)s.")

    def __init__(self, name: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(name=name[:60])
        self.suggestions = suggestions


class NoOrganisation(DomainError):
    message_id = N_(
        "Your profile names no organisation, so there is nothing to invoice: /sdg profile"
    )


@dataclass(frozen=True)
class Details:
    organisation_id: int
    organisation: str
    country: str
    scheme: str  # GLN | ORGNR
    number: str
    reference: str


def scheme_for(country: str) -> str | None:
    """The number a country's public buyers are invoiced at; None: either is fine."""
    return {"DK": GLN, "NO": ORGNR}.get(country.upper())


def checked_gln(text: str) -> str:
    """*text* as a 13-digit EAN/GLN (spaces and dashes dropped); raises InvoiceDetailsInvalid."""
    try:
        number = str(ean.validate(text))
    except InvalidChecksum:
        raise InvoiceDetailsInvalid(
            "number",
            FieldCode.EAN_CHECK_DIGIT,
            number=text.strip()[:20],
        ) from None
    except ValidationError:
        raise InvoiceDetailsInvalid("number", FieldCode.EAN_LENGTH) from None
    if len(number) != 13:
        raise InvoiceDetailsInvalid("number", FieldCode.EAN_LENGTH)
    return number


def checked_orgnr(text: str) -> str:
    """*text* as a 9-digit Norwegian organisation number; raises InvoiceDetailsInvalid."""
    try:
        return str(orgnr.validate(text))
    except InvalidChecksum:
        raise InvoiceDetailsInvalid(
            "number",
            FieldCode.ORGNR_CHECK_DIGIT,
            number=text.strip()[:20],
        ) from None
    except (InvalidFormat, InvalidLength, ValidationError):
        raise InvoiceDetailsInvalid("number", FieldCode.ORGNR_LENGTH) from None


def checked(country: str, number: str, reference: str) -> tuple[str, str, str]:
    """(scheme, number, reference) as they are stored; raises InvoiceDetailsInvalid.

    A Danish organisation gives an EAN, a Norwegian one an organisation
    number; any other tells by the length (13 digits EAN, 9 organisation number).
    """
    text = number.strip()
    if not text:
        raise InvoiceDetailsInvalid("number", FieldCode.INVOICE_NUMBER_MISSING)
    reference = " ".join(reference.split())
    if len(reference) > MAX_REFERENCE:
        raise InvoiceDetailsInvalid(
            "reference",
            FieldCode.REFERENCE_TOO_LONG,
            limit=MAX_REFERENCE,
        )
    scheme = scheme_for(country)
    if scheme is None:
        digits = "".join(c for c in text if c.isdigit())
        scheme = ORGNR if len(digits) == 9 else GLN
    if scheme == GLN:
        return GLN, checked_gln(text), reference
    return ORGNR, checked_orgnr(text), reference


def _details(row: InvoiceDetails, organisation: Organisation) -> Details:
    return Details(
        organisation_id=organisation.id,
        organisation=organisation.name,
        country=organisation.country,
        scheme=row.scheme,
        number=row.number,
        reference=row.reference,
    )


def details_by_organisation(db: Session, team_id: str) -> dict[int, Details]:
    """Every organisation's details in the workspace, by organisation id (facilitators)."""
    rows = db.execute(
        select(InvoiceDetails, Organisation)
        .join(Organisation, Organisation.id == InvoiceDetails.organisation_id)
        .where(InvoiceDetails.team_id == team_id)
    ).tuples()
    return {organisation.id: _details(row, organisation) for row, organisation in rows}


def details_of(db: Session, team_id: str, organisation_id: int) -> Details | None:
    row = db.get(InvoiceDetails, organisation_id)
    organisation = db.get(Organisation, organisation_id)
    if row is None or organisation is None or row.team_id != team_id:
        return None
    return _details(row, organisation)


@dataclass(frozen=True)
class DetailsNeeded:
    """The member's organisation, when the network invoices it and has no details yet."""

    organisation_id: int
    organisation: str
    country: str


def needed_for_member(db: Session, team_id: str, slack_user_id: str) -> DetailsNeeded | None:
    """What to ask a member who joins: None when their organisation has details (or none
    could be asked: no organisation, or one of no country the network invoices)."""
    row = db.execute(
        select(Organisation)
        .join(Member, Member.organisation_id == Organisation.id)
        .where(Member.team_id == team_id, Member.slack_user_id == slack_user_id)
    ).scalar_one_or_none()
    if row is None or scheme_for(row.country) is None:
        return None
    if db.get(InvoiceDetails, row.id) is not None:
        return None
    return DetailsNeeded(row.id, row.name, row.country)


def organisation_of_member(db: Session, team_id: str, slack_user_id: str) -> Organisation:
    row = db.execute(
        select(Organisation)
        .join(Member, Member.organisation_id == Organisation.id)
        .where(Member.team_id == team_id, Member.slack_user_id == slack_user_id)
    ).scalar_one_or_none()
    if row is None:
        raise NoOrganisation()
    return row


def find_organisation(db: Session, team_id: str, name: str) -> Organisation:
    """The organisation called *name* (any case), or one whose name starts with it
    when only one does; raises OrganisationNotFound with up to five close names."""
    wanted = " ".join(name.split())
    organisations = list(db.scalars(select(Organisation).where(Organisation.team_id == team_id)))
    exact = [o for o in organisations if o.name.casefold() == wanted.casefold()]
    if exact:
        return exact[0]
    starting = [o for o in organisations if o.name.casefold().startswith(wanted.casefold())]
    if wanted and len(starting) == 1:
        return starting[0]
    containing = [o.name for o in organisations if wanted.casefold() in o.name.casefold()]
    raise OrganisationNotFound(wanted, tuple(sorted(containing)[:5]))


def organisation_by_id(db: Session, team_id: str, organisation_id: int) -> Organisation:
    organisation = db.get(Organisation, organisation_id)
    if organisation is None or organisation.team_id != team_id:
        raise OrganisationNotFound(str(organisation_id))
    return organisation


def save(
    db: Session,
    team_id: str,
    organisation_id: int,
    number: str,
    reference: str,
    now: datetime,
    *,
    changed_by: str,
    only_if_missing: bool = False,
) -> Details:
    """Check and store the organisation's details; raises InvoiceDetailsInvalid.

    With *only_if_missing* (a member joining) details someone gave meanwhile
    are kept, so a member never overwrites what a facilitator set.
    """
    organisation = organisation_by_id(db, team_id, organisation_id)
    scheme, number, reference = checked(organisation.country, number, reference)
    row = db.get(InvoiceDetails, organisation.id)
    if row is not None and only_if_missing:
        return _details(row, organisation)
    if row is None:
        row = InvoiceDetails(organisation_id=organisation.id, team_id=team_id)
        db.add(row)
    row.scheme, row.number, row.reference = scheme, number, reference
    row.updated_at, row.updated_by = now, changed_by
    db.flush()
    return _details(row, organisation)
