"""What every listener and scheduled job needs: settings, database, clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    database: Database
    clock: Clock

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

    def is_facilitator(self, slack_user_id: str) -> bool:
        return slack_user_id in self.settings.bot.facilitators
