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
    EXPORT_FEEDBACK = "feedback.export"
    FEEDBACK_RATING_INPUT = "feedback.rating_input"
    FEEDBACK_VALUABLE_INPUT = "feedback.most_valuable_input"
    FEEDBACK_CHANGE_INPUT = "feedback.should_change_input"
    FEEDBACK_GOALS_INPUT = "feedback.goals_input"
    FEEDBACK_RECOMMEND_INPUT = "feedback.recommend_input"
    REPORT_SESSION_SELECT = "feedback.report_session_select"
    ORGANISATION_SELECT = "profile.organisation"
    PROFILE_NAME_INPUT = "profile.name_input"
    PROFILE_OTHER_INPUT = "profile.organisation_other_input"
    PROFILE_ROLE_SELECT = "profile.role_select"
    ATTENDANCE_CHOICE = "registration.attendance_choice"
    REGISTER_IN_ROOM = "registration.register_in_room"
    REGISTER_ONLINE = "registration.register_online"


class CallbackId(enum.StrEnum):
    PROFILE = "profile.modal"
    FEEDBACK = "feedback.modal"
    FEEDBACK_REPORT = "feedback.report_modal"


class BlockId(enum.StrEnum):
    SESSION_ACTIONS = "session.actions"
    FEEDBACK_ACTIONS = "feedback.actions"
    FEEDBACK_RATING = "feedback.rating"
    FEEDBACK_VALUABLE = "feedback.most_valuable"
    FEEDBACK_CHANGE = "feedback.should_change"
    FEEDBACK_GOALS = "feedback.goals"
    FEEDBACK_RECOMMEND = "feedback.recommend"
    SUMMARY_ACTIONS = "feedback.summary_actions"
    REPORT_SESSION = "feedback.report_session"
    PROFILE_NAME = "profile.name"
    PROFILE_ORGANISATION = "profile.organisation"
    PROFILE_ORGANISATION_OTHER = "profile.organisation_other"
    PROFILE_ROLE = "profile.role"
    ATTENDANCE = "registration.attendance"
    ATTENDANCE_CHOICE = "registration.attendance_choice"
    REGISTRATION = "registration.outcome"
