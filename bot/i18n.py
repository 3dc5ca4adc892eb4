"""Languages, translation catalogs and locale-aware date formatting.

Message ids are English; ``bot/locales/<lang>/*.po`` hold the Danish and
Norwegian wording.  Catalogs are read straight from the .po files with
Babel, so there is no compile step to forget.
"""

from __future__ import annotations

import gettext
import io
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_location
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.config import LANGUAGES

LOCALES_DIR = Path(__file__).parent / "locales"
BABEL_LOCALES = {"da": "da_DK", "nb": "nb_NO", "en": "en_GB"}
_ENGLISH_NAMES = Locale.parse("en")
# A value that ends in "?" or "!" placed before the sentence's own mark
# ("hvad lærte vi i år?" + "!"): the sentence's mark goes, also across *bold*.
_MARK_AFTER_VALUE = re.compile(r"(%\((\w+)\)s)([*_]?)[?!.]")


def _without_doubled_marks(template: str, values: dict[str, object]) -> str:
    def keep(match: re.Match[str]) -> str:
        value = values.get(match.group(2))
        if isinstance(value, str) and value.rstrip("*_").endswith(("?", "!")):
            return match.group(1) + match.group(3)
        return match.group(0)

    return _MARK_AFTER_VALUE.sub(keep, template)


def N_(message: str) -> str:
    """Marks a message id for extraction where it is defined; translated where shown."""
    return message


def language_from_slack_locale(locale: str | None) -> str | None:
    """Slack's ``da-DK`` / ``nb-NO`` / ``en-US`` to one of our languages."""
    if not locale:
        return None
    prefix = locale.replace("_", "-").split("-")[0].lower()
    if prefix == "da":
        return "da"
    if prefix in ("nb", "no", "nn"):
        return "nb"
    if prefix == "en":
        return "en"
    return None


@cache
def translations(language: str) -> gettext.NullTranslations:
    """All catalogs of one language merged; English falls through to the ids."""
    if language not in LANGUAGES or language == "en":
        return gettext.NullTranslations()
    merged: Translations | None = None
    for po_path in sorted((LOCALES_DIR / language).glob("*.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=BABEL_LOCALES[language])
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = Translations(fp=buffer)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    return merged or gettext.NullTranslations()


@cache
def _babel_locale(language: str) -> Locale:
    # Parsed once per language: a card's dates and times ask for it a dozen times.
    return Locale.parse(BABEL_LOCALES[language])


@dataclass(frozen=True)
class Translator:
    """Wording and date formats for one reader: language + time zone."""

    language: str
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def locale(self) -> Locale:
        return _babel_locale(self.language)

    def gettext(self, message: str, **values: object) -> str:
        text = translations(self.language).gettext(message)
        return _without_doubled_marks(text, values) % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = translations(self.language).ngettext(singular, plural, n)
        return _without_doubled_marks(text, values) % {"num": n, **values}

    def local(self, moment: datetime, zone: str | None = None) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("naive datetime")
        return moment.astimezone(ZoneInfo(zone or self.timezone))

    def date(self, moment: datetime, zone: str | None = None) -> str:
        """``torsdag den 10. juni 2027`` in the reader's language."""
        return format_date(self.local(moment, zone), "full", locale=self.locale)

    def short_date(self, moment: datetime, zone: str | None = None) -> str:
        """``tors. 10. dec.`` / ``tor. 10. des.`` / ``Thu 10 Dec``: CLDR's pattern for the locale.

        English readers get British order with the common month abbreviations
        ("Sep", not CLDR's British "Sept").
        """
        pattern = self.locale.datetime_skeletons["MMMEd"].pattern
        names = _ENGLISH_NAMES if self.language == "en" else self.locale
        return format_date(self.local(moment, zone), pattern, locale=names)

    def time(self, moment: datetime, zone: str | None = None) -> str:
        """``13.30`` (da) / ``13:30`` (nb, en)."""
        return format_time(self.local(moment, zone), "short", locale=self.locale)

    def zone_city(self, zone: str | None = None) -> str:
        """The zone's city in the reader's language: ``København``, ``New York``."""
        name = zone or self.timezone
        try:
            return str(get_timezone_location(name, locale=self.locale, return_city=True))
        except LookupError:
            return name.rsplit("/", 1)[-1].replace("_", " ")
