"""Every modal's wrong fields: typed errors from the services, worded from the catalogs
in the reader's language, under the field (``response_action: errors``), over signed HTTP."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.config import Settings
from bot.errors import FieldCode, FormErrors, UnknownOrganisation
from bot.i18n import Translator
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering.errors import domain_error_reply
from bot.rendering.form_errors import FIELD_MESSAGES, modal_errors
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from tests.support import factories as make
from tests.support.signed_client import SignedSlackClient

LANGUAGES = ("da", "nb", "en")
READERS = {"da": "U0FORMDA", "nb": "U0FORMNB", "en": "U0FORMEN"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, bot=dataclasses.replace(settings.bot, facilitators=tuple(READERS.values()))
    )


@pytest.fixture
def readers(runtime: Runtime, standin: SlackStandIn) -> dict[str, str]:
    """One facilitator per language, with no name yet (so the profile form asks for it)."""
    with runtime.unit_of_work(write=True) as db:
        for language, user_id in READERS.items():
            make.add_member(db, user_id, now=runtime.clock.now(), language=language, role=None)
    for user_id in READERS.values():
        standin.add_user(user_id, locale="en-GB")
    return READERS


def errors_of(result: Any) -> dict[str, str]:
    assert result.status == 200, result.body
    body = result.json
    assert body is not None and body["response_action"] == "errors", body
    errors: dict[str, str] = body["errors"]
    return errors


SESSION_TITLE = {"da": "Skriv en titel.", "nb": "Skriv en tittel.", "en": "Write a title."}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_session_form(slack: SignedSlackClient, readers: dict[str, str], language: str) -> None:
    from tests.test_manage_e2e import form

    result = slack.view_submission(
        CallbackId.SESSION_FORM, form(title="  "), user_id=readers[language]
    )
    assert errors_of(result) == {BlockId.SESSION_TITLE: SESSION_TITLE[language]}


PROFILE_NAME = {"da": "Skriv dit navn.", "nb": "Skriv navnet ditt.", "en": "Write your name."}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_profile_form(slack: SignedSlackClient, readers: dict[str, str], language: str) -> None:
    from tests.test_registration_e2e import profile_values

    organisation = {
        "text": {"type": "plain_text", "text": "Aarhus Kommune"},
        "value": "m:DK:Aarhus Kommune",
    }
    result = slack.view_submission(
        CallbackId.PROFILE,
        profile_values(" ", organisation, "politician"),
        user_id=readers[language],
    )
    assert errors_of(result) == {BlockId.PROFILE_NAME: PROFILE_NAME[language]}


PROFILE_ORGANISATION = {
    "da": "Vælg din organisation på listen, eller vælg “Andet”, og skriv den.",
    "nb": "Velg organisasjonen din fra listen, eller velg «Annet» og skriv den.",
    "en": "Choose your organisation from the list, or choose “Other” and write it.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_profile_forms_organisation_checked_by_the_service(
    slack: SignedSlackClient, readers: dict[str, str], language: str
) -> None:
    """A forged option passes the form's own check; the service refuses it, as a field error."""
    from tests.test_registration_e2e import profile_values

    organisation = {"text": {"type": "plain_text", "text": "x"}, "value": "m:DK:Atlantis"}
    result = slack.view_submission(
        CallbackId.PROFILE,
        profile_values("Ada", organisation, "politician"),
        user_id=readers[language],
    )
    assert errors_of(result) == {BlockId.PROFILE_ORGANISATION: PROFILE_ORGANISATION[language]}


FEEDBACK_RATING = {
    "da": "Vælg en bedømmelse fra 1 til 5.",
    "nb": "Velg en vurdering fra 1 til 5.",
    "en": "Choose a rating from 1 to 5.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_feedback_form(
    slack: SignedSlackClient, readers: dict[str, str], language: str
) -> None:
    values = {
        BlockId.FEEDBACK_RATING: {
            ActionId.FEEDBACK_RATING_INPUT: {"type": "radio_buttons", "selected_option": None}
        }
    }
    result = slack.view_submission(
        CallbackId.FEEDBACK, values, user_id=readers[language], private_metadata="any-key"
    )
    assert errors_of(result) == {BlockId.FEEDBACK_RATING: FEEDBACK_RATING[language]}


LEARNING_POINT_TOO_LONG = {
    "da": "Hold et læringspunkt under 500 tegn.",
    "nb": "Hold et læringspunkt under 500 tegn.",
    "en": "Please keep a learning point under 500 characters.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_learning_point_form(
    slack: SignedSlackClient, readers: dict[str, str], language: str
) -> None:
    values = {
        BlockId.LEARNING_POINT_TEXT: {
            ActionId.LEARNING_POINT_INPUT: {"type": "plain_text_input", "value": "x" * 501}
        }
    }
    result = slack.view_submission(
        CallbackId.LEARNING_POINT, values, user_id=readers[language], private_metadata="any-key"
    )
    assert errors_of(result) == {BlockId.LEARNING_POINT_TEXT: LEARNING_POINT_TOO_LONG[language]}


# --- the renderer ------------------------------------------------------------------------


def test_every_code_has_wording() -> None:
    assert set(FIELD_MESSAGES) == set(FieldCode)


@pytest.mark.parametrize("language", ("da", "nb"))
def test_every_code_is_translated(language: str) -> None:
    t = Translator(language, "Europe/Copenhagen")
    values = {"key": "k", "limit": 1, "seats": 2, "number": "5798000416605"}
    untranslated = [
        code
        for code, msgid in FIELD_MESSAGES.items()
        if t.gettext(msgid, **values) == msgid % values
    ]
    assert untranslated == []


def test_a_field_without_a_block_is_not_shown_as_a_field_error() -> None:
    t = Translator("en", "Europe/Copenhagen")
    assert modal_errors(UnknownOrganisation(), {"name": BlockId.PROFILE_NAME}, t) is None
    shown = modal_errors(UnknownOrganisation(), {"organisation": BlockId.PROFILE_ORGANISATION}, t)
    assert shown == {BlockId.PROFILE_ORGANISATION: PROFILE_ORGANISATION["en"]}


def test_once_the_modal_is_closed_the_errors_are_one_private_message() -> None:
    errors = FormErrors()
    errors.add("key", FieldCode.KEY_TAKEN, key="<b>")
    errors.add("capacity", FieldCode.CAPACITY_BELOW_SEATS, seats=3)
    errors.add("key", FieldCode.KEY_FORMAT)  # a field keeps its first error
    reply = domain_error_reply(errors, Translator("nb", "Europe/Oslo"))
    lines = reply.text.splitlines()
    assert len(lines) == 3 and lines[0].startswith(":warning: ")
    assert "&lt;b&gt;" in lines[1] and "3" in lines[2]
