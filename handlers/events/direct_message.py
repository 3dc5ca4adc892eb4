"""``message.im``: a member writes to the bot in its Messages tab and gets the short help.

Members answer reminder DMs ("hvordan afmelder jeg?"); silence would leave them
stranded.  The bot's own messages, edits, deletions and other subtypes are
not a member writing, and get nothing.
"""

from __future__ import annotations

from bot.rendering.direct_messages import direct_message_help
from handlers.commands.sdg import ANSWERS
from handlers.frame import Frame, Request


def is_member_writing(event: object) -> bool:
    if not isinstance(event, dict):
        return False
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and not event.get("bot_profile")
        and isinstance(event.get("user"), str)
        and isinstance(event.get("channel"), str)
    )


def answer_direct_message(req: Request) -> None:
    if not is_member_writing(dict(req.event)) or req.event.get("user") != req.user_id:
        return
    reply = direct_message_help(
        req.t, facilitator=req.runtime.known_facilitator(req.user_id), available=set(ANSWERS)
    )
    req.web.chat_postMessage(
        channel=str(req.event["channel"]), text=reply.text, blocks=reply.blocks
    )


def register(frame: Frame) -> None:
    frame.event("message", answer_direct_message)
