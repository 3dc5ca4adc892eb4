"""Domain errors.  Each carries an English message id and values for the reader's catalog.

A form's wrong fields are one :class:`FormErrors` of typed :class:`FieldError`
(field, :class:`FieldCode`, values): no wording, which ``bot.rendering.form_errors``
takes from the catalogs in the reader's language, for every modal alike.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping

from bot.i18n import N_


class DomainError(Exception):
    """An error the member should see, in their language, privately."""

    message_id = N_("Something is not right.")

    def __init__(self, **values: object) -> None:
        super().__init__(self.message_id % values if values else self.message_id)
        self.values = values


# What a member typed, echoed back in an answer, is cut to this many characters.
MAX_ECHO = 40


def echoed(text: str) -> str:
    return text if len(text) <= MAX_ECHO else text[: MAX_ECHO - 1] + "…"


# --- form errors ---------------------------------------------------------------------


class FieldCode(enum.StrEnum):
    """What is wrong with one field of a form (worded by ``bot.rendering.form_errors``)."""

    # the session form
    KEY_FORMAT = "key_format"
    KEY_TAKEN = "key_taken"  # values: key
    TITLE_EMPTY = "title_empty"
    TITLE_TOO_LONG = "title_too_long"  # values: limit
    KIND_UNKNOWN = "kind_unknown"
    DATE_MISSING = "date_missing"
    START_MISSING = "start_missing"
    END_MISSING = "end_missing"
    TIME_SKIPPED = "time_skipped"
    ENDS_BEFORE_START = "ends_before_start"
    SESSION_TOO_LONG = "session_too_long"
    START_IN_THE_PAST = "start_in_the_past"
    AGENDA_OUTSIDE_SESSION = "agenda_outside_session"
    URL_SCHEME = "url_scheme"
    PLACE_MISSING = "place_missing"
    TEXT_TOO_LONG = "text_too_long"
    CAPACITY_NOT_A_NUMBER = "capacity_not_a_number"
    CAPACITY_TOO_LARGE = "capacity_too_large"
    CAPACITY_BELOW_SEATS = "capacity_below_seats"  # values: seats
    PRICE_NOT_A_NUMBER = "price_not_a_number"
    PRICE_TOO_LARGE = "price_too_large"
    MEMBERS_ONLY_PRICED = "members_only_priced"
    ANONYMITY_LOCKED = "anonymity_locked"
    # the profile form
    NAME_MISSING = "name_missing"
    ORGANISATION_MISSING = "organisation_missing"
    ORGANISATION_UNKNOWN = "organisation_unknown"
    ORGANISATION_NAME_MISSING = "organisation_name_missing"
    ROLE_MISSING = "role_missing"
    ATTENDANCE_MISSING = "attendance_missing"
    # the feedback form
    RATING_MISSING = "rating_missing"
    ANSWER_TOO_LONG = "answer_too_long"
    GOAL_UNKNOWN = "goal_unknown"
    RECOMMEND_UNKNOWN = "recommend_unknown"
    # a learning point
    LEARNING_POINT_EMPTY = "learning_point_empty"
    LEARNING_POINT_TOO_LONG = "learning_point_too_long"  # values: limit
    # a guest row of the colleagues-and-guests form
    GUEST_NAME_MISSING = "guest_name_missing"
    GUEST_NAME_TOO_LONG = "guest_name_too_long"
    GUEST_EMAIL_MISSING = "guest_email_missing"
    GUEST_EMAIL_INVALID = "guest_email_invalid"
    GUEST_ROLE_MISSING = "guest_role_missing"
    # the invoice details form
    INVOICE_NUMBER_MISSING = "invoice_number_missing"
    EAN_CHECK_DIGIT = "ean_check_digit"  # values: number
    EAN_LENGTH = "ean_length"
    ORGNR_CHECK_DIGIT = "orgnr_check_digit"  # values: number
    ORGNR_LENGTH = "orgnr_length"
    REFERENCE_TOO_LONG = "reference_too_long"  # values: limit


@dataclasses.dataclass(frozen=True)
class FieldError:
    """One wrong field: its name in the form, what is wrong, and values for the wording."""

    field: str
    code: FieldCode
    values: Mapping[str, object] = dataclasses.field(default_factory=dict)


class FormErrors(DomainError):
    """A form has wrong fields: field name -> its (first) error.  Nothing was changed."""

    message_id = N_("Please correct the form.")

    def __init__(self, errors: Iterable[FieldError] = ()) -> None:
        super().__init__()
        self.errors: dict[str, FieldError] = {}
        for error in errors:
            self.errors.setdefault(error.field, error)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def add(self, field_name: str, code: FieldCode, **values: object) -> None:
        """Record *code* for *field_name* unless that field already has an error."""
        self.errors.setdefault(field_name, FieldError(field_name, code, values))

    def merged(self, other: FormErrors) -> FormErrors:
        return FormErrors([*self.errors.values(), *other.errors.values()])

    def codes(self) -> dict[str, FieldCode]:
        return {name: error.code for name, error in self.errors.items()}


class SessionNotFound(DomainError):
    message_id = N_("There is no session with the key %(key)s.")

    def __init__(self, key: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(key=echoed(key))
        self.key = key
        self.suggestions = suggestions


class NoUpcomingSession(DomainError):
    message_id = N_("No sessions are planned yet.")


class UnknownLanguage(DomainError):
    message_id = N_("Choose one of the languages da, nb or en (for example /sdg language da).")


class NotAFacilitator(DomainError):
    message_id = N_("Only the network's facilitators can do that.")


class MissingArgument(DomainError):
    message_id = N_("Write it like this: %(usage)s")


class UnreadableRequest(DomainError):
    """A payload field of the wrong type: nothing was changed."""

    message_id = N_("I could not read that. Please try again.")


# --- registration ---------------------------------------------------------------------


class ProfileRequired(DomainError):
    """The member has no profile yet: the listener asks for it in a modal first."""

    message_id = N_("Please tell us your name, organisation and role first: /sdg profile")

    def __init__(self, key: str, ask_attendance: bool) -> None:
        super().__init__()
        self.key = key
        self.ask_attendance = ask_attendance


class AttendanceRequired(DomainError):
    """A session with a place and an online link: the member chooses one first."""

    message_id = N_("Choose whether you take part in the room or online.")

    def __init__(self, key: str, title: str) -> None:
        super().__init__()
        self.key = key
        self.title = title


class SessionCancelled(DomainError):
    message_id = N_("%(title)s has been cancelled.")

    def __init__(self, title: str) -> None:
        super().__init__(title=title)


class RegistrationClosed(DomainError):
    message_id = N_("%(title)s has already started, so registration is closed.")

    def __init__(self, title: str) -> None:
        super().__init__(title=title)


class CancellationClosed(DomainError):
    message_id = N_(
        "%(title)s has already started, so the registration can no longer be cancelled. "
        "Please tell a facilitator if you cannot take part."
    )

    def __init__(self, title: str) -> None:
        super().__init__(title=title)


class NotRegistered(DomainError):
    message_id = N_("You are not registered for %(title)s.")

    def __init__(self, title: str) -> None:
        super().__init__(title=title)


class NothingToCancel(DomainError):
    message_id = N_("You have no registrations for upcoming sessions.")


class UnknownOrganisation(FormErrors):
    """An organisation option that is not (or no longer) one the bot offers."""

    def __init__(self) -> None:
        super().__init__([FieldError("organisation", FieldCode.ORGANISATION_UNKNOWN)])


class UnknownSeason(DomainError):
    message_id = N_("There is no season %(key)s. Known seasons: %(known)s.")

    def __init__(self, key: str, known: tuple[str, ...]) -> None:
        super().__init__(key=key, known=", ".join(known) or "–")
        self.key = key
        self.known = known


# --- membership ---------------------------------------------------------------


class MembershipLocked(DomainError):
    message_id = N_(
        "The season's first network meeting has started, so the membership can no longer "
        "be changed here. Please ask a facilitator."
    )


class NotAMember(DomainError):
    message_id = N_("You are not enrolled in the membership of season %(season)s.")

    def __init__(self, season: str) -> None:
        super().__init__(season=season)


class MembersOnly(DomainError):
    """A members-only session and a reader who is not enrolled: the answer offers the membership."""

    message_id = N_("%(title)s is for the members of the network this season.")

    def __init__(self, key: str, title: str, season_key: str) -> None:
        super().__init__(title=title)
        self.key = key
        self.title = title
        self.season_key = season_key


class NoOpenOffer(DomainError):
    message_id = N_("There is no seat offered to you at %(title)s any more.")

    def __init__(self, title: str) -> None:
        super().__init__(title=title)


class InvalidCapacity(DomainError):
    message_id = N_("The capacity must be a whole number from 0 (no limit) upwards.")


# --- feedback ---------------------------------------------------------------


class NotRegisteredForSession(DomainError):
    message_id = N_("You were not registered for %(title)s, so there is no feedback to give.")


class NoEndedSessionToRate(DomainError):
    message_id = N_(
        "You have not taken part in a session that has ended yet. "
        "For a particular session write /sdg feedback KEY."
    )


class FeedbackNotOpenYet(DomainError):
    message_id = N_("%(title)s has not ended yet; you can give feedback when it is over.")


class FeedbackNotCollected(DomainError):
    message_id = N_("No feedback is collected for %(title)s.")


class FeedbackSessionCancelled(DomainError):
    message_id = N_("%(title)s was cancelled, so there is no feedback to give.")


class AnonymousFeedbackGiven(DomainError):
    message_id = N_(
        "You have already given feedback on %(title)s. The answers to this session are "
        "anonymous, so they are not linked to you and cannot be changed. Thank you!"
    )


class FacilitatorCheckFailed(DomainError):
    message_id = N_(
        "I could not check the facilitator group in Slack just now. Please try again in a minute."
    )


class NoFeedbackSessions(DomainError):
    message_id = N_("No session with feedback has ended yet.")


class CommentNotFound(DomainError):
    message_id = N_(
        "That comment is no longer there (it may have been changed). Open the summary again."
    )


class LearningPointNotFound(DomainError):
    message_id = N_("That learning point has already been removed.")


# --- managing sessions (facilitators) -------------------------------------------------


class SessionNotHeldYet(DomainError):
    message_id = N_(
        "%(title)s has not taken place yet, so there is no feedback to sum up. "
        "Ask again after it has ended."
    )

    def __init__(self, title: str) -> None:
        super().__init__(title=title)


class SessionEnded(DomainError):
    message_id = N_("%(title)s has already ended.")

    def __init__(self, title: str) -> None:
        super().__init__(title=title)
