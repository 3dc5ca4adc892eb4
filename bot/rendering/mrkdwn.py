"""Escaping for Slack mrkdwn: only ``&``, ``<`` and ``>`` are control characters."""

from __future__ import annotations


class Mrkdwn(str):
    """Text that is already safe to place in a mrkdwn field."""

    __slots__ = ()


def escape(text: object) -> Mrkdwn:
    if isinstance(text, Mrkdwn):
        return text
    value = str(text)
    return Mrkdwn(value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def link(url: str, label: str) -> Mrkdwn:
    """``<url|label>``; a URL with characters that would break the link is shown plain."""
    if not url.startswith(("http://", "https://")) or any(c in url for c in "<>| "):
        return escape(label or url)
    return Mrkdwn(f"<{url}|{escape(label or url)}>")


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut at a line or word boundary so Slack never rejects an over-long field."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis)]
    boundary = max(cut.rfind("\n"), cut.rfind(" "))
    if boundary > limit // 2:
        cut = cut[:boundary]
    # Never leave half an entity (&amp;) or half a link at the end.
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    lt = cut.rfind("<")
    if lt != -1 and ">" not in cut[lt:]:
        cut = cut[:lt]
    return cut.rstrip() + ellipsis
