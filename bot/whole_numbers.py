"""Whole numbers typed or sent by members: ASCII digits only, within a range.

``str.isdigit()`` is true for "²" and "٣" (``int()`` then fails or reads an
Arabic-Indic digit), and ``int()`` takes "1_000", " 7" and 10**25, which
overflows the databases' INTEGER columns.  Every number that comes from a
form, a button or a select goes through :func:`whole_number`.
"""

from __future__ import annotations

import re

# PostgreSQL's INTEGER (and so every id and count column) holds up to this.
INTEGER_MAX = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def whole_number(text: str | None, *, least: int = 0, most: int = INTEGER_MAX) -> int | None:
    """The number *text* spells in ASCII digits, if it is within [least, most]; else None."""
    if text is None or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if least <= number <= most else None
