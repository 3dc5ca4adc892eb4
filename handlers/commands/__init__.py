"""Slash command listeners."""

from __future__ import annotations

from handlers.frame import Frame


def register(frame: Frame) -> None:
    from handlers.commands import sdg

    sdg.register(frame)
