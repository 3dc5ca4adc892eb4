"""Every action_id, callback_id and block_id the bot uses, in one place."""

from __future__ import annotations

import enum


class ActionId(enum.StrEnum):
    REGISTER = "session.register"
    CANCEL_REGISTRATION = "session.cancel_registration"
    ADD_TO_CALENDAR = "session.add_to_calendar"
    SHARE_IN_CHANNEL = "session.share_in_channel"
    SHOW_SESSION = "session.show"
    OPEN_FEEDBACK = "feedback.open"
    ORGANISATION_SELECT = "profile.organisation"


class CallbackId(enum.StrEnum):
    PROFILE = "profile.modal"
    FEEDBACK = "feedback.modal"


class BlockId(enum.StrEnum):
    SESSION_ACTIONS = "session.actions"
    PROFILE_NAME = "profile.name"
    PROFILE_ORGANISATION = "profile.organisation"
    PROFILE_ORGANISATION_OTHER = "profile.organisation_other"
    PROFILE_ROLE = "profile.role"
    ATTENDANCE = "registration.attendance"
