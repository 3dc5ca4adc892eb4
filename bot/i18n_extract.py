"""Finding every message id in the code and templates (for catalog upkeep and tests).

``python -m bot.i18n_extract`` adds missing ids to every language's
``missing.po`` so a translator sees what is left; the test-suite asserts that
nothing is missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [
    ("bot/**.py", "python"),
    ("handlers/**.py", "python"),
    ("bot/templates/**.j2", "jinja2"),
]
TRANSLATED_LANGUAGES = ("da", "nb")


def extract_message_ids(root: Path = ROOT) -> dict[str, list[str]]:
    """msgid -> where it is used.  A plural entry is keyed by its singular."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(root),
        method_map=METHODS,
        keywords=KEYWORDS,
        options_map={"bot/templates/**.j2": {"extensions": "jinja2.ext.do"}},
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def translated_ids(language: str, root: Path = ROOT) -> set[str]:
    ids: set[str] = set()
    for po_path in (root / "bot" / "locales" / language).glob("*.po"):
        with po_path.open("rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            text = message.string
            complete = all(text) if isinstance(text, tuple | list) else bool(text)
            if msgid and complete:
                ids.add(str(msgid))
    return ids


def missing_ids(language: str, root: Path = ROOT) -> dict[str, list[str]]:
    have = translated_ids(language, root)
    return {m: where for m, where in extract_message_ids(root).items() if m not in have}


def main() -> int:
    for language in TRANSLATED_LANGUAGES:
        missing = missing_ids(language)
        catalog = Catalog(locale=language)
        for msgid, where in sorted(missing.items()):
            catalog.add(
                msgid,
                "",
                locations=[(w.rsplit(":", 1)[0], int(w.rsplit(":", 1)[1])) for w in where],
            )
        path = ROOT / "bot" / "locales" / language / "missing.po"
        with path.open("wb") as fh:
            write_po(fh, catalog, omit_header=False)
        print(f"{language}: {len(missing)} missing -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
