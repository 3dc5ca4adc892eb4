"""Privacy commands: ``/sdg mydata`` and ``/sdg forget-me``.

``mydata`` reads, renders and uploads in the follow-up (files upload v2 to
the member's DM).  ``forget-me`` only asks, on the ack path: the erasure runs
when the member presses the button (``handlers/actions/privacy.py``).  Both
act on the user id of the request itself, never on an id from the text.
"""

from __future__ import annotations

import logging

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
from bot.services import erasure, personal_data
from bot.services.personal_data import FacilitatorStatus
from handlers.feedback_reports import dm_channel
from handlers.frame import CommandAnswer, FollowUp, Request

log = logging.getLogger(__name__)


def facilitator_status(req: Request) -> FacilitatorStatus:
    """Listed in the configuration, and in the user group as Slack lists it now."""
    directory = req.runtime.facilitators_for(req.team)
    in_group: bool | None = None
    if directory.usergroup:
        try:
            response = req.web.usergroups_users_list(usergroup=directory.usergroup)
            in_group = req.user_id in {str(user) for user in response.get("users") or []}
        except (SlackApiError, OSError) as exc:
            log.warning("usergroups.users.list failed for the data file: %r", exc)
    return FacilitatorStatus(directory.listed(req.user_id), directory.usergroup, in_group)


def send_personal_data(req: Request) -> Reply:
    with req.db() as db:
        data = personal_data.collect_personal_data(
            db,
            req.team,
            req.user_id,
            fees=req.settings.fees,
            retain=req.settings.privacy.retain_personal_data,
        )
    content = personal_data_json(data, facilitator_status(req), req.t, req.now)
    req.web.files_upload_v2(
        channel=dm_channel(req),
        file=content,
        filename=personal_data_filename(req.now, req.t),
        title=personal_data_title(req.t),
    )
    return mydata_sent_reply(req.t)


def answer_mydata(req: Request, argument: str) -> FollowUp:
    return FollowUp(run=send_personal_data)


def answer_forget_me(req: Request, argument: str) -> Reply:
    with req.db() as db:
        preview = erasure.erasure_preview(db, req.team, req.user_id, req.now)
    return forget_me_reply(preview, req.user_id, req.t)


ANSWERS: dict[CommandName, CommandAnswer] = {
    CommandName.MYDATA: answer_mydata,
    CommandName.FORGET_ME: answer_forget_me,
}
