"""Domain errors.  Each carries an English message id and values for the reader's catalog."""

from __future__ import annotations

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


class UnknownOrganisation(DomainError):
    message_id = N_("Choose your organisation from the list, or choose “Other” and write it.")


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


class LearningPointTooLong(DomainError):
    message_id = N_("Please keep a learning point under %(limit)s characters.")

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit)


class LearningPointEmpty(DomainError):
    message_id = N_("Write the learning point first.")


# --- managing sessions (facilitators) -------------------------------------------------


class InvalidField(DomainError):
    """One field of the session form is wrong; the message is chosen per problem."""

    def __init__(self, message_id: str, **values: object) -> None:
        self.message_id = message_id
        super().__init__(**values)


class SessionFormErrors(DomainError):
    """The session form has errors: field name -> what is wrong with it."""

    message_id = N_("Please correct the session form.")

    def __init__(self, errors: dict[str, DomainError]) -> None:
        super().__init__()
        self.errors = errors


class SessionKeyTaken(DomainError):
    message_id = N_("There is already a session with the key %(key)s.")

    def __init__(self, key: str) -> None:
        super().__init__(key=key)


class CapacityBelowSeats(DomainError):
    message_id = N_(
        "Seats already taken in the room: %(seats)s. The capacity cannot be lower "
        "(0 means no limit)."
    )

    def __init__(self, seats: int) -> None:
        super().__init__(seats=seats)


class AnonymityLocked(DomainError):
    message_id = N_(
        "Feedback has already been given on this session, so whether it is anonymous "
        "can no longer be changed."
    )


class SessionNotHeldYet(DomainError):
    message_id = N_(
        "%(title)s has not taken place yet, so there is no feedback to sum up. "
        "Ask again after it has ended."
    )

    def __init__(self, title: str) -> None:
        super().__init__(title=title)


class StartInThePast(DomainError):
    message_id = N_("This start has already passed. Choose a date and time ahead.")


class AgendaOutsideSession(DomainError):
    message_id = N_(
        "The agenda has items outside these times. Change the agenda in the programme file first."
    )


class SessionEnded(DomainError):
    message_id = N_("%(title)s has already ended.")

    def __init__(self, title: str) -> None:
        super().__init__(title=title)
