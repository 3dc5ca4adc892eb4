"""Every form's field errors, worded in the reader's language.

Services raise :class:`~bot.errors.FormErrors` (field, code, values) and know
no wording; this table is the one place a code becomes a message.  A modal
shows the messages under their input blocks (``response_action: errors``,
each form names its field -> block table); once the modal is closed they are
one private message instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.errors import FieldCode, FieldError, FormErrors
from bot.i18n import N_, Translator
from bot.rendering import blocks as bk
from bot.rendering.mrkdwn import escape
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for

FIELD_MESSAGES: dict[FieldCode, str] = {
    # the session form
    FieldCode.KEY_FORMAT: N_(
        "Use a–z, 0–9, . _ or - (no æ, ø, å; at most 64, starting with a letter or digit), "
        "for example 2027-06-10-symposium."
    ),
    FieldCode.KEY_TAKEN: N_("There is already a session with the key %(key)s."),
    FieldCode.TITLE_EMPTY: N_("Write a title."),
    FieldCode.TITLE_TOO_LONG: N_("The title can be at most %(limit)s characters."),
    FieldCode.KIND_UNKNOWN: N_("Choose the kind of session."),
    FieldCode.DATE_MISSING: N_("Choose a date."),
    FieldCode.START_MISSING: N_("Choose a start time."),
    FieldCode.END_MISSING: N_("Choose an end time."),
    FieldCode.TIME_SKIPPED: N_(
        "This time does not exist on that day: the clocks jump forward that night."
    ),
    FieldCode.ENDS_BEFORE_START: N_("The session must end after it starts."),
    FieldCode.SESSION_TOO_LONG: N_("A session can last at most 7 days."),
    FieldCode.START_IN_THE_PAST: N_("This start has already passed. Choose a date and time ahead."),
    FieldCode.AGENDA_OUTSIDE_SESSION: N_(
        "The agenda has items outside these times. Change the agenda in the programme file first."
    ),
    FieldCode.URL_SCHEME: N_("The link must start with https:// or http://."),
    FieldCode.PLACE_MISSING: N_("Write a place, or give an online link."),
    FieldCode.TEXT_TOO_LONG: N_("This text is too long."),
    FieldCode.CAPACITY_NOT_A_NUMBER: N_("Write a whole number: 0 or more (0 means no limit)."),
    FieldCode.CAPACITY_TOO_LARGE: N_("Write a number up to 10,000 (0 means no limit)."),
    FieldCode.CAPACITY_BELOW_SEATS: N_(
        "Seats already taken in the room: %(seats)s. The capacity cannot be lower "
        "(0 means no limit)."
    ),
    FieldCode.PRICE_NOT_A_NUMBER: N_("Write a whole number, or leave it empty (free)."),
    FieldCode.PRICE_TOO_LARGE: N_("Write a price up to 1,000,000."),
    FieldCode.MEMBERS_ONLY_PRICED: N_(
        "A session for the members is included in the membership: leave the price empty."
    ),
    FieldCode.ANONYMITY_LOCKED: N_(
        "Feedback has already been given on this session, so whether it is anonymous "
        "can no longer be changed."
    ),
    # the profile form
    FieldCode.NAME_MISSING: N_("Write your name."),
    FieldCode.ORGANISATION_MISSING: N_("Choose your organisation."),
    FieldCode.ORGANISATION_UNKNOWN: N_(
        "Choose your organisation from the list, or choose “Other” and write it."
    ),
    FieldCode.ORGANISATION_NAME_MISSING: N_("Write the name of your organisation."),
    FieldCode.ROLE_MISSING: N_("Choose your role."),
    FieldCode.ATTENDANCE_MISSING: N_("Choose in the room or online."),
    # the feedback form
    FieldCode.RATING_MISSING: N_("Choose a rating from 1 to 5."),
    FieldCode.ANSWER_TOO_LONG: N_("Please keep it under 2000 characters."),  # MAX_TEXT
    FieldCode.GOAL_UNKNOWN: N_("Choose goals from the list."),
    FieldCode.RECOMMEND_UNKNOWN: N_("Choose yes or no."),
    # a learning point
    FieldCode.LEARNING_POINT_EMPTY: N_("Write the learning point first."),
    FieldCode.LEARNING_POINT_TOO_LONG: N_(
        "Please keep a learning point under %(limit)s characters."
    ),
    # a guest row
    FieldCode.GUEST_NAME_MISSING: N_("Write the guest's name."),
    FieldCode.GUEST_NAME_TOO_LONG: N_("The name is too long."),
    FieldCode.GUEST_EMAIL_MISSING: N_("Write the guest's e-mail address."),
    FieldCode.GUEST_EMAIL_INVALID: N_(
        "That does not look like an e-mail address (name@example.org)."
    ),
    FieldCode.GUEST_ROLE_MISSING: N_("Choose the guest's role."),
    # the invoice details form
    FieldCode.INVOICE_NUMBER_MISSING: N_("Please fill in the number."),
    FieldCode.EAN_CHECK_DIGIT: N_(
        "The EAN number %(number)s has a wrong check digit: please check it."
    ),
    FieldCode.EAN_LENGTH: N_("An EAN number has 13 digits, e.g. 5798000416604."),
    FieldCode.ORGNR_CHECK_DIGIT: N_(
        "The organisation number %(number)s has a wrong check digit: please check it."
    ),
    FieldCode.ORGNR_LENGTH: N_("An organisation number has 9 digits, e.g. 974 760 673."),
    FieldCode.REFERENCE_TOO_LONG: N_("Please keep the reference under %(limit)s characters."),
}


def field_message(error: FieldError, t: Translator) -> str:
    """One field's error as plain text (Slack shows it under the field)."""
    return t.gettext(FIELD_MESSAGES[error.code], **error.values)


def modal_errors(
    errors: FormErrors, field_blocks: Mapping[str, str], t: Translator
) -> dict[str, str] | None:
    """``response_action: errors``: input block id -> message; None when a field has no block."""
    if not errors.errors or any(name not in field_blocks for name in errors.errors):
        return None
    return {field_blocks[name]: field_message(error, t) for name, error in errors.errors.items()}


def form_errors_reply(errors: FormErrors, t: Translator) -> Reply:
    """The same errors as one private message, for when the modal is no longer open."""
    _ = gettext_for(t)
    lines = [escape(field_message(error, t)) for error in errors.errors.values()]
    text = "\n".join([":warning: " + _("Nothing was saved:"), *(f"• {line}" for line in lines)])
    return Reply(text, [bk.section(text)])
