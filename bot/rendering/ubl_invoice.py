"""One organisation's invoice as Peppol BIS Billing 3.0 (UBL 2.1 Invoice).

What a Danish municipality's e-invoice system (NemHandel, addressed to its
EAN) and a Norwegian one's EHF inbox (its organisation number) take in:

* the buyer's EndpointID is its GLN (scheme 0088) or Norwegian
  organisation number (0192); the seller's its CVR (0184, ``DK`` and the
  8 digits) or organisation number (0192);
* BuyerReference is the organisation's order reference, or the season's
  title when it gave none (Peppol asks for a buyer reference or an order
  reference on every invoice);
* one line per invoice-list line (a participant's membership or priced
  session), quantity 1, VAT category S at ``[invoicing] vat_rate`` (E,
  exempt, at a rate of 0); amounts with 2 decimals in ``[fees] currency``.

Elements are written in the order the UBL 2.1 schema requires.  Wording in
the invoice (line names, payment terms) is in the network's language.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from bot.config import InvoicingSettings
from bot.i18n import Translator
from bot.services.fees import InvoiceLine
from bot.services.invoice_details import GLN
from bot.services.invoicing import Bill, InvoiceBatch, cents

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
SCHEME_GLN = "0088"
SCHEME_DK_CVR = "0184"
SCHEME_NO_ORGNR = "0192"
COMMERCIAL_INVOICE = "380"
UNIT_ONE = "C62"

ET.register_namespace("", INVOICE_NS)
ET.register_namespace("cac", CAC)
ET.register_namespace("cbc", CBC)


def _amount(value: Decimal) -> str:
    return f"{cents(value):.2f}"


class _Writer:
    def __init__(self, currency: str) -> None:
        self.currency = currency

    def cbc(self, parent: ET.Element, name: str, text: str, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{CBC}}}{name}", attributes)
        element.text = text
        return element

    def cac(self, parent: ET.Element, name: str) -> ET.Element:
        return ET.SubElement(parent, f"{{{CAC}}}{name}")

    def money(self, parent: ET.Element, name: str, value: Decimal) -> ET.Element:
        return self.cbc(parent, name, _amount(value), currencyID=self.currency)


def seller_endpoint(invoicing: InvoicingSettings) -> tuple[str, str]:
    """(scheme, id) the network is reached at in the Peppol network."""
    if invoicing.seller_country == "NO":
        return SCHEME_NO_ORGNR, invoicing.seller_id
    return SCHEME_DK_CVR, f"DK{invoicing.seller_id}"


def buyer_endpoint(bill: Bill) -> tuple[str, str]:
    assert bill.details is not None
    scheme = SCHEME_GLN if bill.details.scheme == GLN else SCHEME_NO_ORGNR
    return scheme, bill.details.number


def _line_name(line: InvoiceLine, batch: InvoiceBatch, t: Translator) -> str:
    _ = t.gettext
    if line.kind == "membership":
        return _("Network membership %(season)s", season=batch.season_title)
    return _("%(title)s on %(date)s", title=line.session_title, date=t.short_date(line.starts))


def _participant(line: InvoiceLine, t: Translator) -> str:
    _ = t.gettext
    if not line.participant:
        return _("Participant (personal data erased)")
    if line.discounted:
        return _("Participant: %(name)s (further participant, discounted)", name=line.participant)
    return _("Participant: %(name)s", name=line.participant)


def ubl_invoice_xml(
    bill: Bill, batch: InvoiceBatch, invoicing: InvoicingSettings, t: Translator
) -> bytes:
    """The bill as a UBL 2.1 Invoice (bytes, UTF-8); the bill must have a number."""
    if bill.number is None or bill.details is None or bill.issued_on is None:
        raise ValueError("only a numbered bill with invoice details becomes an e-invoice")
    assert bill.due_on is not None
    _ = t.gettext
    w = _Writer(batch.currency)
    root = ET.Element(f"{{{INVOICE_NS}}}Invoice")
    w.cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    w.cbc(root, "ProfileID", PROFILE_ID)
    w.cbc(root, "ID", bill.number)
    w.cbc(root, "IssueDate", bill.issued_on.isoformat())
    w.cbc(root, "DueDate", bill.due_on.isoformat())
    w.cbc(root, "InvoiceTypeCode", COMMERCIAL_INVOICE)
    w.cbc(root, "DocumentCurrencyCode", batch.currency)
    w.cbc(root, "BuyerReference", bill.details.reference or batch.season_title)

    seller_country = invoicing.seller_country
    supplier = w.cac(w.cac(root, "AccountingSupplierParty"), "Party")
    scheme, endpoint = seller_endpoint(invoicing)
    w.cbc(supplier, "EndpointID", endpoint, schemeID=scheme)
    w.cbc(w.cac(supplier, "PartyName"), "Name", invoicing.seller_name)
    address = w.cac(supplier, "PostalAddress")
    if invoicing.seller_address:
        w.cbc(address, "StreetName", invoicing.seller_address)
    w.cbc(w.cac(address, "Country"), "IdentificationCode", seller_country)
    if batch.vat_rate > 0:
        vat_id = (
            f"NO{invoicing.seller_id}MVA"
            if seller_country == "NO"
            else f"{seller_country}{invoicing.seller_id}"
        )
        tax_scheme = w.cac(supplier, "PartyTaxScheme")
        w.cbc(tax_scheme, "CompanyID", vat_id)
        w.cbc(w.cac(tax_scheme, "TaxScheme"), "ID", "VAT")
    if seller_country == "NO":
        # Norwegian companies say they are in the register of business enterprises.
        register = w.cac(supplier, "PartyTaxScheme")
        w.cbc(register, "CompanyID", "Foretaksregisteret")
        w.cbc(w.cac(register, "TaxScheme"), "ID", "TAX")
    legal = w.cac(supplier, "PartyLegalEntity")
    w.cbc(legal, "RegistrationName", invoicing.seller_name)
    w.cbc(legal, "CompanyID", endpoint, schemeID=scheme)

    customer = w.cac(w.cac(root, "AccountingCustomerParty"), "Party")
    buyer_scheme, buyer_id = buyer_endpoint(bill)
    w.cbc(customer, "EndpointID", buyer_id, schemeID=buyer_scheme)
    if buyer_scheme == SCHEME_GLN:
        identification = w.cac(customer, "PartyIdentification")
        w.cbc(identification, "ID", buyer_id, schemeID=SCHEME_GLN)
    w.cbc(w.cac(customer, "PartyName"), "Name", bill.organisation)
    buyer_address = w.cac(customer, "PostalAddress")
    w.cbc(w.cac(buyer_address, "Country"), "IdentificationCode", bill.country or seller_country)
    buyer_legal = w.cac(customer, "PartyLegalEntity")
    w.cbc(buyer_legal, "RegistrationName", bill.organisation)
    if buyer_scheme == SCHEME_NO_ORGNR:
        w.cbc(buyer_legal, "CompanyID", buyer_id, schemeID=SCHEME_NO_ORGNR)

    if invoicing.iban:
        means = w.cac(root, "PaymentMeans")
        # 58: SEPA credit transfer (euro); 31: any other credit transfer to the IBAN.
        w.cbc(means, "PaymentMeansCode", "58" if batch.currency == "EUR" else "31")
        w.cbc(means, "PaymentID", bill.number)
        w.cbc(w.cac(means, "PayeeFinancialAccount"), "ID", invoicing.iban)
    terms = w.cac(root, "PaymentTerms")
    w.cbc(
        terms,
        "Note",
        _(
            "Payment within %(days)s days, by %(date)s.",
            days=invoicing.payment_days,
            date=bill.due_on.isoformat(),
        ),
    )

    category, percent = (
        ("S", cents(batch.vat_rate * 100)) if batch.vat_rate > 0 else ("E", cents(Decimal(0)))
    )
    tax_total = w.cac(root, "TaxTotal")
    w.money(tax_total, "TaxAmount", bill.vat)
    subtotal = w.cac(tax_total, "TaxSubtotal")
    w.money(subtotal, "TaxableAmount", bill.net)
    w.money(subtotal, "TaxAmount", bill.vat)
    _tax_category(w, w.cac(subtotal, "TaxCategory"), category, percent, exemption=True, t=t)

    totals = w.cac(root, "LegalMonetaryTotal")
    w.money(totals, "LineExtensionAmount", bill.net)
    w.money(totals, "TaxExclusiveAmount", bill.net)
    w.money(totals, "TaxInclusiveAmount", bill.total)
    w.money(totals, "PayableAmount", bill.total)

    for index, bill_line in enumerate(bill.lines, start=1):
        line = w.cac(root, "InvoiceLine")
        w.cbc(line, "ID", str(index))
        w.cbc(line, "InvoicedQuantity", "1", unitCode=UNIT_ONE)
        w.money(line, "LineExtensionAmount", bill_line.net)
        item = w.cac(line, "Item")
        w.cbc(item, "Description", _participant(bill_line.line, t))
        w.cbc(item, "Name", _line_name(bill_line.line, batch, t)[:200])
        _tax_category(
            w, w.cac(item, "ClassifiedTaxCategory"), category, percent, exemption=False, t=t
        )
        w.money(w.cac(line, "Price"), "PriceAmount", bill_line.net)

    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _tax_category(
    w: _Writer,
    element: ET.Element,
    category: str,
    percent: Decimal,
    *,
    exemption: bool,
    t: Translator,
) -> None:
    w.cbc(element, "ID", category)
    w.cbc(element, "Percent", f"{percent:.2f}")
    if exemption and category == "E":
        w.cbc(element, "TaxExemptionReason", t.gettext("Exempt from VAT"))
    w.cbc(w.cac(element, "TaxScheme"), "ID", "VAT")


def ubl_filename(bill: Bill) -> str:
    """``invoice-SDG-1001.xml``: the invoice number names the file."""
    assert bill.number is not None
    return f"invoice-{bill.number}.xml"
