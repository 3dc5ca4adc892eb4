"""``/sdg membership [SEASON]``: the season membership, what joining costs, Join / Leave.

A facilitator may name a member (``/sdg membership U0123ABC [SEASON]``, the
member's Slack id or mention) to see and change that member's enrolment at
any time of the season; that path runs only after the fresh facilitator check.
"""

from __future__ import annotations

import re

from bot.commands import CommandName
from bot.rendering.membership import membership_reply
from bot.rendering.reply import Reply
from bot.services import membership
from handlers.frame import CommandAnswer, FollowUp, Request, for_facilitators

# A mention (<@U0123ABC> or <@U0123ABC|anna>) or a bare Slack user id.
_MEMBER = re.compile(r"<@([UW][A-Z0-9_]{2,})(?:\|[^>]*)?>|([UW][A-Z0-9_]{5,})")


def _member_of(word: str) -> str | None:
    match = _MEMBER.fullmatch(word)
    return (match.group(1) or match.group(2)) if match else None


def _status_reply(req: Request, user_id: str, season_key: str | None, member: str = "") -> Reply:
    with req.db() as db:
        status = membership.membership_status(
            db, req.team, user_id, req.now, req.settings.bot.zone, req.settings.fees, season_key
        )
    return membership_reply(status, req.t, member=member)


def answer_membership(req: Request, argument: str) -> Reply | FollowUp:
    words = argument.split()
    members = [m for m in map(_member_of, words) if m]
    season_key = next((w for w in words if not _member_of(w)), None)
    if not members:
        return _status_reply(req, req.user_id, season_key)
    member = members[0]

    def facilitator_view(lazy: Request) -> Reply:
        return _status_reply(lazy, member, season_key, member=member)

    return for_facilitators(FollowUp(run=facilitator_view))


ANSWERS: dict[CommandName, CommandAnswer] = {CommandName.MEMBERSHIP: answer_membership}
