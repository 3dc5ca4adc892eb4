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

    def __post_init__(self) -> None:
        directory = FacilitatorDirectory.from_settings(self.settings.bot)
        object.__setattr__(self, "facilitators", directory)

    @contextmanager
    def unit_of_work(self, *, write: bool = False) -> Iterator[Session]:
        with self.database.unit_of_work(write=write) as db:
            yield db

    def team_for(self, request_team_id: str | None) -> str:
        """The team id rows are stored under.

        A single-workspace deployment stores everything under its home team, so
        a programme imported from the command line is the one members see.
        """
        return self.settings.home_team_id

    def known_facilitator(self, slack_user_id: str) -> bool:
        """For help texts: listed, or in the user group when Slack last said."""
        return self.facilitators.known(slack_user_id)

    def may_be_facilitator(self, slack_user_id: str) -> bool:
        """The ack-path gate for facilitator commands: lets user group members
        through to the follow-up, which confirms them; grants nothing itself."""
        return self.facilitators.may_be(slack_user_id, self.clock.now())


def open_runtime(settings: Settings) -> Runtime:
    """The runtime of a process: the database migrated to head, the system clock."""
    engine = make_engine(settings.database.url)
    upgrade(engine)
    return Runtime(settings=settings, database=Database(engine), clock=SystemClock())
