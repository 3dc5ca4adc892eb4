"""The profile modal: organisation type-ahead, and the submission that completes a registration.

The submission is acknowledged within Slack's three seconds: the profile and
the registration are two short transactions before the ack (so problems can
be shown in the modal itself), and the confirmation DM is sent by the lazy
listener after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.errors import AttendanceRequired, DomainError, MembersOnly, UnknownOrganisation
from bot.i18n import Translator
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering.errors import domain_error_reply
from bot.rendering.registration import (
    PendingRegistration,
    attendance_choice_reply,
    notice_view,
    organisation_options,
    outcome_reply,
    profile_modal,
)
from bot.rendering.reply import Reply
from bot.runtime import Runtime
from bot.services import members, profiles, registration
from bot.services.profiles import (
    FIELD_NAME,
    FIELD_ORGANISATION,
    FIELD_OTHER,
    FIELD_ROLE,
)
from handlers.membership_offer import members_only_answer

FIELD_BLOCKS: dict[str, str] = {
    FIELD_NAME: BlockId.PROFILE_NAME,
    FIELD_ORGANISATION: BlockId.PROFILE_ORGANISATION,
    FIELD_OTHER: BlockId.PROFILE_ORGANISATION_OTHER,
    FIELD_ROLE: BlockId.PROFILE_ROLE,
}
# Carries the reply from the ack to the lazy listener that sends it.
CONTEXT_REPLY = "sdg_registration_reply"


def open_profile_modal(
    client: WebClient,
    runtime: Runtime,
    team_id: str,
    user_id: str,
    trigger_id: str,
    t: Translator,
    *,
    pending: PendingRegistration | None = None,
    ask_attendance: bool = False,
) -> None:
    """views.open with the member's current profile (name prefilled from Slack)."""
    with runtime.unit_of_work() as db:
        profile = profiles.profile_of(db, team_id, user_id)
        title = ""
        if pending is not None:
            title = registration.session_title(db, team_id, pending.key)
    view = profile_modal(
        t, profile, pending=pending, session_title=title, ask_attendance=ask_attendance
    )
    client.views_open(trigger_id=trigger_id, view=view)


@dataclass(frozen=True)
class ProfileForm:
    name: str | None
    organisation: str | None
    other_organisation: str | None
    role: str | None
    attendance: str | None

    @classmethod
    def from_state(cls, values: dict[str, Any]) -> ProfileForm:
        def field(block_id: str, action_id: str) -> dict[str, Any]:
            return (values.get(block_id) or {}).get(action_id) or {}

        def selected(block_id: str, action_id: str) -> str | None:
            option = field(block_id, action_id).get("selected_option") or {}
            return option.get("value")

        return cls(
            name=field(BlockId.PROFILE_NAME, ActionId.PROFILE_NAME_INPUT).get("value"),
            organisation=selected(BlockId.PROFILE_ORGANISATION, ActionId.ORGANISATION_SELECT),
            other_organisation=field(
                BlockId.PROFILE_ORGANISATION_OTHER, ActionId.PROFILE_OTHER_INPUT
            ).get("value"),
            role=selected(BlockId.PROFILE_ROLE, ActionId.PROFILE_ROLE_SELECT),
            attendance=selected(BlockId.ATTENDANCE, ActionId.ATTENDANCE_CHOICE),
        )


def register(app: App, runtime: Runtime) -> None:
    def reader_for(body: dict[str, Any]) -> tuple[str, str, Translator]:
        user_id = (body.get("user") or {}).get("id", "")
        team = runtime.team_for((body.get("team") or {}).get("id"))
        with runtime.unit_of_work() as db:
            reader = members.load_reader(db, team, user_id, runtime.settings, runtime.clock.now())
        return team, user_id, reader.translator

    def suggest_organisations(ack: Ack, body: dict[str, Any]) -> None:
        team, _user, t = reader_for(body)
        with runtime.unit_of_work() as db:
            choices = profiles.search_organisations(db, team, body.get("value") or "")
        ack(options=organisation_options(choices, t))

    def submit_profile(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        team, user_id, t = reader_for(body)
        view = body.get("view") or {}
        form = ProfileForm.from_state((view.get("state") or {}).get("values") or {})
        pending = PendingRegistration.from_metadata(view.get("private_metadata") or "")
        asked_attendance = any(
            block.get("block_id") == BlockId.ATTENDANCE for block in view.get("blocks") or []
        )
        problems: dict[str, str] = {
            FIELD_BLOCKS[field]: t.gettext(message)
            for field, message in profiles.validate_profile(
                form.name, form.organisation, form.other_organisation, form.role
            ).items()
        }
        if asked_attendance and form.attendance is None:
            problems[BlockId.ATTENDANCE] = t.gettext("Choose in the room or online.")
        if problems:
            ack(response_action="errors", errors=problems)
            return
        now = runtime.clock.now()
        assert form.name is not None and form.role is not None
        try:
            with runtime.unit_of_work(write=True) as db:
                profiles.save_profile(
                    db,
                    team,
                    user_id,
                    name=form.name,
                    organisation=form.organisation,
                    other_organisation=form.other_organisation,
                    role=form.role,
                    now=now,
                )
        except UnknownOrganisation as exc:
            message = t.gettext(exc.message_id)
            ack(response_action="errors", errors={BlockId.PROFILE_ORGANISATION: message})
            return
        if pending is None:
            ack()
            return
        try:
            with runtime.unit_of_work(write=True) as db:
                outcome = registration.register_member(
                    db,
                    team,
                    user_id,
                    pending.key,
                    form.attendance or pending.attendance,
                    now,
                    fees=runtime.settings.fees,
                )
        except AttendanceRequired as needed:
            # The session became hybrid while the modal was open: ask in a DM.
            context[CONTEXT_REPLY] = attendance_choice_reply(needed.key, needed.title, t)
            ack()
            return
        except MembersOnly as refused:
            # The profile is saved; the membership is offered in a DM.
            context[CONTEXT_REPLY] = members_only_answer(runtime, team, user_id, refused, t)
            ack()
            return
        except DomainError as exc:
            ack(response_action="update", view=notice_view(domain_error_reply(exc, t).text, t))
            return
        context[CONTEXT_REPLY] = outcome_reply(outcome, t)
        ack()

    def send_confirmation(body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        reply: Reply | None = context.get(CONTEXT_REPLY)
        if reply is None:
            return
        user_id = (body.get("user") or {}).get("id", "")
        # A modal has no response_url: the answer goes to the member's DM with the bot.
        client.chat_postMessage(channel=user_id, text=reply.text, blocks=reply.blocks)

    app.options(ActionId.ORGANISATION_SELECT)(suggest_organisations)
    app.view(CallbackId.PROFILE)(ack=submit_profile, lazy=[send_confirmation])
