"""A season's invoices: the invoice list (:mod:`bot.services.fees`) with each
organisation's invoice details, number, dates and VAT.

* The lines are the invoice list's, as they are (memberships, priced
  sessions, and whatever else the list holds); nothing is counted here.
* Amounts are the network's prices in ``[fees] currency``; with
  ``[invoicing] prices_include_vat`` they include VAT and each line's net
  amount is worked out from it (to the cent), otherwise VAT is added.
  VAT is the net total times ``vat_rate``, rounded half up to the cent.
* An organisation with something to pay and invoice details gets an invoice
  number: the workspace's next one (from ``first_number``), in the order
  of the list, without gaps, and kept for good with its invoice date, so
  that generating the invoices again gives every invoice the same number
  and date.  One without details gets no number (and no e-invoice); a
  facilitator adds the details and generates again.
* Two replicas numbering at once cannot take the same number or number one
  invoice twice: the table's unique constraints refuse the second, which
  then takes the next number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import FeeSettings, InvoicingSettings
from bot.errors import DomainError
from bot.i18n import N_
from bot.models import InvoiceNumber, Organisation
from bot.services import invoice_details
from bot.services.fees import InvoiceLine, OrganisationInvoice, season_invoices
from bot.services.invoice_details import Details
from bot.services.seasons import season_at, season_by_key

CENT = Decimal("0.01")
_NUMBERING_ATTEMPTS = 20


class InvoicingNotConfigured(DomainError):
    message_id = N_(
        "Invoices need the seller's details: set [invoicing] seller_name and seller_id "
        "in the configuration."
    )


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class BillLine:
    line: InvoiceLine
    net: Decimal  # excluding VAT, to the cent


@dataclass(frozen=True)
class Bill:
    """One organisation's invoice for the season."""

    organisation_id: int | None
    organisation: str  # "" for participants without an organisation
    country: str
    details: Details | None
    number: str | None  # None: no e-invoice (no details, or nothing to pay)
    issued_on: date | None
    due_on: date | None
    lines: tuple[BillLine, ...]
    net: Decimal
    vat: Decimal
    total: Decimal

    @property
    def participants(self) -> int:
        named = {
            bill_line.line.participant for bill_line in self.lines if bill_line.line.participant
        }
        erased = sum(1 for bill_line in self.lines if not bill_line.line.participant)
        return len(named) + erased

    @property
    def missing_details(self) -> bool:
        return self.details is None and self.total > 0


@dataclass(frozen=True)
class InvoiceBatch:
    season_key: str
    season_title: str
    currency: str
    vat_rate: Decimal
    prices_include_vat: bool
    bills: tuple[Bill, ...]

    @property
    def invoiced(self) -> tuple[Bill, ...]:
        """The bills that get an e-invoice."""
        return tuple(bill for bill in self.bills if bill.number is not None)

    @property
    def missing(self) -> tuple[Bill, ...]:
        return tuple(bill for bill in self.bills if bill.missing_details)

    @property
    def total(self) -> Decimal:
        return sum((bill.total for bill in self.bills), Decimal(0))


def _line_net(amount: int, rate: Decimal, include_vat: bool) -> Decimal:
    if include_vat:
        return cents(Decimal(amount) / (Decimal(1) + rate))
    return cents(Decimal(amount))


def invoice_number_text(invoicing: InvoicingSettings, number: int) -> str:
    return f"{invoicing.number_prefix}{number}"


def number_for(
    db: Session,
    team_id: str,
    season_key: str,
    organisation: Organisation,
    issued_on: date,
    now: datetime,
    first_number: int,
) -> InvoiceNumber:
    """The organisation's number for the season: the one it has, or the next free one."""

    def existing() -> InvoiceNumber | None:
        return db.scalar(
            select(InvoiceNumber).where(
                InvoiceNumber.team_id == team_id,
                InvoiceNumber.season_key == season_key,
                InvoiceNumber.organisation_id == organisation.id,
            )
        )

    for _attempt in range(_NUMBERING_ATTEMPTS):
        found = existing()
        if found is not None:
            return found
        highest = db.scalar(
            select(func.max(InvoiceNumber.number)).where(InvoiceNumber.team_id == team_id)
        )
        candidate = max(first_number, (highest or 0) + 1)
        row = InvoiceNumber(
            team_id=team_id,
            number=candidate,
            season_key=season_key,
            organisation_id=organisation.id,
            organisation_name=organisation.name,
            issued_on=issued_on,
            created_at=now,
        )
        try:
            with db.begin_nested():
                db.add(row)
        except IntegrityError:
            continue  # another replica took it: look again
        return row
    raise RuntimeError("no free invoice number after several attempts")


def season_batch(
    db: Session,
    team_id: str,
    season_key: str | None,
    now: datetime,
    zone: ZoneInfo,
    fees: FeeSettings,
    invoicing: InvoicingSettings,
) -> InvoiceBatch:
    """The season's invoices, numbering those that get one; raises UnknownSeason,
    InvoicingNotConfigured.  Needs a write unit of work (numbers are stored)."""
    if not invoicing.enabled:
        raise InvoicingNotConfigured()
    season = (
        season_by_key(db, team_id, season_key, zone)
        if season_key
        else season_at(db, team_id, now, zone)
    )
    key = season.key
    invoice_list = season_invoices(db, team_id, key, fees, zone.key)
    names = {invoice.organisation for invoice in invoice_list.organisations if invoice.organisation}
    organisations = (
        {
            organisation.name: organisation
            for organisation in db.scalars(
                select(Organisation).where(
                    Organisation.team_id == team_id, Organisation.name.in_(names)
                )
            )
        }
        if names
        else {}
    )
    details = invoice_details.details_by_organisation(db, team_id)
    rate = Decimal(str(invoicing.vat_rate))
    today = now.astimezone(zone).date()
    bills = tuple(
        _bill(db, team_id, key, invoice, organisations, details, rate, invoicing, today, now)
        for invoice in invoice_list.organisations
    )
    return InvoiceBatch(
        season_key=key,
        season_title=season.title,
        currency=invoice_list.currency,
        vat_rate=rate,
        prices_include_vat=invoicing.prices_include_vat,
        bills=bills,
    )


def _bill(
    db: Session,
    team_id: str,
    season_key: str,
    invoice: OrganisationInvoice,
    organisations: dict[str, Organisation],
    details: dict[int, Details],
    rate: Decimal,
    invoicing: InvoicingSettings,
    today: date,
    now: datetime,
) -> Bill:
    organisation = organisations.get(invoice.organisation) if invoice.organisation else None
    found = details.get(organisation.id) if organisation is not None else None
    lines = tuple(
        BillLine(line, _line_net(line.amount, rate, invoicing.prices_include_vat))
        for line in invoice.lines
    )
    net = sum((line.net for line in lines), Decimal(0))
    vat = cents(net * rate)
    number: str | None = None
    issued_on: date | None = None
    due_on: date | None = None
    if organisation is not None and found is not None and net > 0:
        numbered = number_for(
            db, team_id, season_key, organisation, today, now, invoicing.first_number
        )
        number = invoice_number_text(invoicing, numbered.number)
        issued_on = numbered.issued_on
        due_on = issued_on + timedelta(days=invoicing.payment_days)
    return Bill(
        organisation_id=organisation.id if organisation is not None else None,
        organisation=invoice.organisation,
        country=invoice.country,
        details=found,
        number=number,
        issued_on=issued_on,
        due_on=due_on,
        lines=lines,
        net=net,
        vat=vat,
        total=net + vat,
    )
