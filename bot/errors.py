"""Domain errors.  Each carries an English message id and values for the reader's catalog."""

from __future__ import annotations

from bot.i18n import N_


class DomainError(Exception):
    """An error the member should see, in their language, privately."""

    message_id = N_("Something is not right.")

    def __init__(self, **values: object) -> None:
        super().__init__(self.message_id % values if values else self.message_id)
        self.values = values


class SessionNotFound(DomainError):
    message_id = N_("There is no session with the key %(key)s.")

    def __init__(self, key: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(key=key)
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
