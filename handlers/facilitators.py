"""The facilitator check every facilitator action makes, in a lazy listener.

``require_facilitator`` asks Slack for the user group's members *now* (see
``bot/services/facilitators.py`` for why a cached answer never grants
access).  It must run before a facilitator action reads or changes anything:
in the command's follow-up, in the button's lazy listener and in the modal
submission's lazy listener.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import FacilitatorCheckFailed, NotAFacilitator
from bot.runtime import Runtime

log = logging.getLogger(__name__)


def require_facilitator(
    runtime: Runtime, client: WebClient, slack_user_id: str, team_id: str | None = None
) -> None:
    """Raise :class:`NotAFacilitator` unless *slack_user_id* is one right now."""

    def group_members(usergroup: str) -> list[str]:
        response = client.usergroups_users_list(usergroup=usergroup)
        return [str(user) for user in response.get("users") or []]

    try:
        directory = runtime.facilitators_for(team_id)
        allowed = directory.confirm(slack_user_id, runtime.clock.now(), group_members)
    except SlackApiError as exc:
        # Fail closed: without Slack's answer only the configured ids get in.
        log.warning("usergroups.users.list failed: %s", exc.response.get("error"))
        raise FacilitatorCheckFailed() from exc
    except OSError as exc:  # connection refused, timeout (after the client's retries)
        log.warning("usergroups.users.list failed: %r", exc)
        raise FacilitatorCheckFailed() from exc
    if not allowed:
        raise NotAFacilitator()
