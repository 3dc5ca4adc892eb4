"""Money for the reader's locale, with Babel: the one formatter every message uses.

``10.000 kr.`` (da), ``10 000 DKK`` (nb), ``DKK 10,000`` (en): the locale's
own currency pattern and symbol.  Whole amounts (every price the network
sets) are shown without decimals; a space is kept between a currency code
and the digits, as CLDR's currency spacing asks (Babel leaves it out).
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal

from bot.i18n import Translator

_CODE_NEXT_TO_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def format_money(amount: int | Decimal, currency: str, locale: Locale | str) -> str:
    """*amount* in *currency* (ISO 4217) as a reader of *locale* writes it."""
    loc = Locale.parse(locale) if isinstance(locale, str) else locale
    value = Decimal(amount)
    if value == value.to_integral_value():
        pattern = copy.copy(loc.currency_formats["standard"])
        pattern.frac_prec = (0, 0)
        text = pattern.apply(value, loc, currency=currency, currency_digits=False)
    else:
        text = format_currency(value, currency, locale=loc)
    return _CODE_NEXT_TO_DIGIT.sub("\u00a0", text)


def money(amount: int | Decimal, currency: str, t: Translator) -> str:
    return format_money(amount, currency, t.locale)


def format_amount(amount: int | Decimal, locale: Locale | str) -> str:
    """The number alone (a table whose heading names the currency)."""
    return format_decimal(
        amount, locale=Locale.parse(locale) if isinstance(locale, str) else locale
    )
