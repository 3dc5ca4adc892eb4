"""Privacy commands: ``/sdg mydata`` and ``/sdg forget-me``.

``mydata`` reads, renders and uploads in the follow-up (files upload v2 to
the member's DM).  ``forget-me`` only asks, on the ack path: the erasure runs
when the member presses the button (``handlers/actions/privacy.py``).  Both
act on the user id of the request itself, never on an id from the text.
"""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.commands import CommandName
from bot.rendering.privacy import (
    forget_me_reply,
    mydata_sent_reply,
    personal_data_filename,
    personal_data_json,
    personal_data_title,
)
from bot.rendering.reply import Reply
from bot.runtime import Runtime
from bot.services import erasure, personal_data
from bot.services.members import Reader
from bot.services.personal_data import FacilitatorStatus
from handlers.commands.base import Answer, FollowUp
from handlers.feedback_reports import dm_channel
from handlers.payloads import CommandInput

log = logging.getLogger(__name__)


def facilitator_status(runtime: Runtime, client: WebClient, user_id: str) -> FacilitatorStatus:
    """Listed in the configuration, and in the user group as Slack lists it now."""
    directory = runtime.facilitators
    in_group: bool | None = None
    if directory.usergroup:
        try:
            response = client.usergroups_users_list(usergroup=directory.usergroup)
            in_group = user_id in {str(user) for user in response.get("users") or []}
        except (SlackApiError, OSError) as exc:
            log.warning("usergroups.users.list failed for the data file: %r", exc)
    return FacilitatorStatus(directory.listed(user_id), directory.usergroup, in_group)


def answer_mydata(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> FollowUp:
    def send_file(client: WebClient, respond: Respond) -> Reply:
        now = runtime.clock.now()
        with runtime.unit_of_work() as db:
            data = personal_data.collect_personal_data(
                db,
                runtime.team_for(cmd.team_id),
                cmd.user_id,
                fees=runtime.settings.fees,
                retain=runtime.settings.privacy.retain_personal_data,
            )
        t = reader.translator
        content = personal_data_json(data, facilitator_status(runtime, client, cmd.user_id), t, now)
        client.files_upload_v2(
            channel=dm_channel(client, cmd.user_id),
            file=content,
            filename=personal_data_filename(now, t),
            title=personal_data_title(t),
        )
        return mydata_sent_reply(t)

    return FollowUp(run=send_file)


def answer_forget_me(runtime: Runtime, cmd: CommandInput, argument: str, reader: Reader) -> Reply:
    with runtime.unit_of_work() as db:
        preview = erasure.erasure_preview(
            db, runtime.team_for(cmd.team_id), cmd.user_id, runtime.clock.now()
        )
    return forget_me_reply(preview, cmd.user_id, reader.translator)


ANSWERS: dict[CommandName, Answer] = {
    CommandName.MYDATA: answer_mydata,
    CommandName.FORGET_ME: answer_forget_me,
}
