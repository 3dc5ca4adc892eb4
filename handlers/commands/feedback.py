"""Feedback commands."""

from __future__ import annotations

from bot.commands import CommandName
from handlers.commands.base import Answer

ANSWERS: dict[CommandName, Answer] = {}
