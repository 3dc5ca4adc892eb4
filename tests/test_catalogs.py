"""Every message id has Danish and Norwegian wording, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n_extract import TRANSLATED_LANGUAGES, extract_message_ids, missing_ids

LOCALES = Path(__file__).parent.parent / "bot" / "locales"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_message_ids_are_found() -> None:
    ids = extract_message_ids()
    assert "Register" in ids and "sdgbot help" in ids


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    missing = missing_ids(language)
    assert not missing, "\n".join(f"{m!r} ({w[0]})" for m, w in sorted(missing.items()))


@pytest.mark.parametrize(
    "po_path", sorted(LOCALES.glob("*/*.po")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_translations_keep_their_placeholders(po_path: Path) -> None:
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if text:
                assert set(PLACEHOLDER.findall(text)) <= expected, (message.id, text)
                if "num" not in expected:
                    assert set(PLACEHOLDER.findall(text)) == expected, (message.id, text)
