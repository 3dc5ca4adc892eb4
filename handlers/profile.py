"""Keeping each member's Slack time zone and locale cached (users.info)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime import Runtime
from bot.services.members import store_slack_profile

log = logging.getLogger(__name__)


def refresh_slack_profile(client: WebClient, runtime: Runtime, team_id: str, user_id: str) -> bool:
    """Fetch users.info and cache tz + locale; False when Slack could not tell us."""
    try:
        response = client.users_info(user=user_id, include_locale=True)
    except SlackApiError as exc:
        log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
        return False
    user = response.get("user") or {}
    profile = user.get("profile") or {}
    with runtime.unit_of_work(write=True) as db:
        store_slack_profile(
            db,
            team_id,
            user_id,
            tz=user.get("tz"),
            locale=user.get("locale"),
            real_name=profile.get("real_name") or user.get("real_name") or "",
            now=runtime.clock.now(),
        )
    return True
