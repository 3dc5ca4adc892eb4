"""Events API listeners, one module per event."""

from __future__ import annotations

from handlers.frame import Frame


def register(frame: Frame) -> None:
    from handlers.events import app_home, direct_message

    app_home.register(frame)
    direct_message.register(frame)
