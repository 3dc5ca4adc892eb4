"""What every listener and scheduled job needs: settings, database, clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import Database, make_engine, upgrade
from bot.services.facilitators import FacilitatorDirectory


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    database: Database
    clock: Clock
    # Config ids + the optional user group; see bot/services/facilitators.py.
    facilitators: FacilitatorDirectory = field(init=False, repr=False, compare=False)

    # Per workspace, for [workspace.T…] facilitators (each keeps its own group cache).
    _directories: dict[str, FacilitatorDirectory] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        directory = FacilitatorDirectory.from_settings(self.settings.bot)
        object.__setattr__(self, "facilitators", directory)

    @property
    def several_workspaces(self) -> bool:
        """OAuth is configured: each request's own team, its own token and settings."""
        return self.settings.slack.oauth_enabled

    def settings_for(self, team_id: str) -> Settings:
        """The settings as workspace *team_id* sees them ([workspace.T…] applied)."""
        return self.settings.for_team(team_id)

    def facilitators_for(self, team_id: str | None) -> FacilitatorDirectory:
        if team_id is None or not any(w.team_id == team_id for w in self.settings.workspaces):
            return self.facilitators
        directory = self._directories.get(team_id)
        if directory is None:
            directory = FacilitatorDirectory.from_settings(self.settings_for(team_id).bot)
            directory = self._directories.setdefault(team_id, directory)
        return directory

    @contextmanager
    def unit_of_work(self, *, write: bool = False) -> Iterator[Session]:
        with self.database.unit_of_work(write=write) as db:
            yield db

    def team_for(self, request_team_id: str | None) -> str:
        """The team id rows are stored under.

        A single-workspace deployment stores everything under its home team, so
        a programme imported from the command line is the one members see.
        With several workspaces every row is the request's own team's: a
        request without one sees nothing.
        """
        if self.several_workspaces:
            return request_team_id or ""
        return self.settings.home_team_id

    def known_facilitator(self, slack_user_id: str, team_id: str | None = None) -> bool:
        """For help texts: listed, or in the user group when Slack last said."""
        return self.facilitators_for(team_id).known(slack_user_id)

    def may_be_facilitator(self, slack_user_id: str, team_id: str | None = None) -> bool:
        """The ack-path gate for facilitator commands: lets user group members
        through to the follow-up, which confirms them; grants nothing itself."""
        return self.facilitators_for(team_id).may_be(slack_user_id, self.clock.now())


def open_runtime(settings: Settings) -> Runtime:
    """The runtime of a process: the database migrated to head, the system clock."""
    engine = make_engine(settings.database.url)
    upgrade(engine)
    return Runtime(settings=settings, database=Database(engine), clock=SystemClock())
