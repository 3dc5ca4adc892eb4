"""What a ``/sdg`` answer is: a reply now, or work for the lazy follow-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.rendering.reply import Reply
from bot.runtime import Runtime
from bot.services.members import Reader
from handlers.payloads import CommandInput


@dataclass(frozen=True)
class FollowUp:
    """Work that needs the Web API (a modal, an upload): runs after the ack.

    ``ack`` is shown at once (may be None for an empty ack); ``run`` gets the
    Web API client and ``respond`` and may return a reply to send via
    response_url.
    """

    run: Callable[[WebClient, Respond], Reply | None]
    ack: Reply | None = None


Answer = Callable[[Runtime, CommandInput, str, Reader], "Reply | FollowUp"]
