"""Who is a facilitator: the ``[bot] facilitators`` ids plus an optional Slack user group.

Two questions, answered differently on purpose:

* :meth:`FacilitatorDirectory.may_be` runs on the ack path, where no Web API
  call is allowed.  It only *lets a request through* to a facilitator
  command; it never grants anything.  For a user group it relies on the last
  fresh answer Slack gave (at most ``ttl`` old) and only to *refuse* someone
  that answer showed outside the group.  Unknown means "may be".
* :meth:`FacilitatorDirectory.confirm` is the check every facilitator action
  makes (command follow-up, button, modal submission) before it reads or
  changes anything.  Listed ids pass at once; everyone else is checked against
  a list fetched from Slack *now* (``usergroups.users.list``), never against
  the cache.  So someone removed from the group loses access at once, and a
  stale cache can only ever make the ack-path gate refuse a newly added
  member for up to ``ttl``, never grant access.

The fetch is passed in as a function, so this module knows nothing of Slack.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from bot.config import BotSettings

GROUP_ANSWER_TTL = timedelta(minutes=10)

FetchGroupMembers = Callable[[str], Iterable[str]]


class FacilitatorDirectory:
    def __init__(
        self, ids: Iterable[str], usergroup: str = "", ttl: timedelta = GROUP_ANSWER_TTL
    ) -> None:
        self.ids = frozenset(ids)
        self.usergroup = usergroup
        self.ttl = ttl
        self._lock = threading.Lock()
        self._members: frozenset[str] = frozenset()
        self._fetched_at: datetime | None = None

    @classmethod
    def from_settings(cls, bot: BotSettings) -> FacilitatorDirectory:
        return cls(bot.facilitators, bot.facilitator_usergroup)

    def listed(self, slack_user_id: str) -> bool:
        """Named in the configuration: certain without asking Slack."""
        return slack_user_id in self.ids

    def may_be(self, slack_user_id: str, now: datetime) -> bool:
        """The ack-path gate: False only when we know the answer is no."""
        if self.listed(slack_user_id):
            return True
        if not self.usergroup:
            return False
        with self._lock:
            fresh = self._fetched_at is not None and now - self._fetched_at < self.ttl
            return not fresh or slack_user_id in self._members

    def known(self, slack_user_id: str) -> bool:
        """Listed, or in the group the last time Slack was asked: for showing
        facilitator help, never for letting anyone act."""
        if self.listed(slack_user_id):
            return True
        with self._lock:
            return slack_user_id in self._members

    def confirm(self, slack_user_id: str, now: datetime, fetch: FetchGroupMembers) -> bool:
        """The authoritative check: config ids, else the user group as Slack lists it now.

        ``fetch`` errors propagate: when Slack cannot answer, nobody outside
        the configured ids is let in.
        """
        if self.listed(slack_user_id):
            return True
        if not self.usergroup:
            return False
        members = frozenset(fetch(self.usergroup))
        with self._lock:
            self._members = members
            self._fetched_at = now
        return slack_user_id in members
