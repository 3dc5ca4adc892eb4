"""Learning points in a session's summary: the marked list, the comments' buttons, the modal."""

from __future__ import annotations

from typing import Any

from bot.i18n import Translator
from bot.ids import ActionId, BlockId, CallbackId
from bot.models import LearningPointSource
from bot.rendering import blocks as bk
from bot.rendering.mrkdwn import clip, escape
from bot.rendering.templates import gettext_for
from bot.services.learning_points import (
    MAX_OWN_TEXT,
    CommentRef,
    LearningPointView,
    PointRef,
    fingerprint,
)
from bot.services.summaries import Comment

_COMMENT_TEXT = 1200
MAX_POINTS_SHOWN = 15  # the rest are in the season report; the message has 50 blocks
STAR = ":star:"
# Form field (as named by bot.services.learning_points.own_text) -> its input block.
FIELD_BLOCKS = {"text": BlockId.LEARNING_POINT_TEXT}


def _quote(text: str) -> str:
    return "> " + escape(clip(text, _COMMENT_TEXT)).replace("\n", "\n> ")


def point_blocks(key: str, points: list[LearningPointView], t: Translator) -> list[bk.Block]:
    """The session's learning points, each with "Unmark", and "Add a learning point"."""
    _ = gettext_for(t)
    out: list[bk.Block] = [bk.section(f"{STAR} *" + _("Learning points") + "*")]
    if not points:
        out.append(
            bk.context(_("None yet: mark comments below, or add a learning point of your own."))
        )
    for point in points[:MAX_POINTS_SHOWN]:
        out.append(
            bk.section(
                _quote(point.text),
                accessory=bk.button(
                    t.gettext("Unmark"),
                    ActionId.UNMARK_LEARNING_POINT,
                    PointRef(key, point.id).encode(),
                ),
            )
        )
    if len(points) > MAX_POINTS_SHOWN:
        out.append(
            bk.context(
                t.ngettext(
                    "%(num)d more learning point is in the season report (/sdg report).",
                    "%(num)d more learning points are in the season report (/sdg report).",
                    len(points) - MAX_POINTS_SHOWN,
                )
            )
        )
    out.append(
        bk.actions(
            bk.button(t.gettext("Add a learning point"), ActionId.ADD_LEARNING_POINT, key),
            block_id=BlockId.SUMMARY_ACTIONS + ".learning_points",
        )
    )
    return out


def comment_blocks(
    key: str, comments: list[Comment], points: list[LearningPointView], t: Translator, room: int
) -> tuple[list[bk.Block], bool]:
    """One section per comment, each with Mark / Unmark; at most *room* blocks.

    Returns the blocks and whether some comments did not fit.
    """
    _ = gettext_for(t)
    marked = {fingerprint(p.source, p.text): p for p in points}
    out: list[bk.Block] = []
    parts = [
        (comment, source, text)
        for comment in comments
        for source, text in (
            (LearningPointSource.MOST_VALUABLE, comment.most_valuable),
            (LearningPointSource.SHOULD_CHANGE, comment.should_change),
        )
        if text
    ]
    for comment, source, text in parts[:room]:
        shown = clip(text, _COMMENT_TEXT)
        line = (
            _("*Most valuable:* %(text)s", text=shown)
            if source is LearningPointSource.MOST_VALUABLE
            else _("*Change:* %(text)s", text=shown)
        )
        body = "> " + line.replace("\n", "\n> ")
        if comment.name:
            who = comment.name + (f", {comment.organisation}" if comment.organisation else "")
            body += f"\n— _{escape(who)}_"
        point = marked.get(fingerprint(source, text))
        if point is not None:
            body = f"{STAR} {body}"
            button = bk.button(
                t.gettext("Unmark"),
                ActionId.UNMARK_LEARNING_POINT,
                PointRef(key, point.id).encode(),
            )
        else:
            button = bk.button(
                t.gettext("Mark as learning point"),
                ActionId.MARK_LEARNING_POINT,
                CommentRef(key, comment.response_id, source).encode(),
            )
        out.append(bk.section(body, accessory=button))
    return out, len(parts) > room


def learning_point_modal(key: str, title: str, t: Translator) -> dict[str, Any]:
    """A facilitator writes a learning point of their own for session *key*."""
    _ = gettext_for(t)
    return {
        "type": "modal",
        "callback_id": CallbackId.LEARNING_POINT,
        "private_metadata": key,
        "title": bk.plain(t.gettext("Learning point"), bk.MAX_MODAL_TITLE),
        "submit": bk.plain(t.gettext("Add"), 24),
        "close": bk.plain(t.gettext("Cancel"), 24),
        "blocks": [
            bk.section("*" + escape(clip(title, 200)) + "*"),
            bk.input_block(
                BlockId.LEARNING_POINT_TEXT,
                t.gettext("What did the network learn?"),
                {
                    "type": "plain_text_input",
                    "action_id": ActionId.LEARNING_POINT_INPUT,
                    "multiline": True,
                    "max_length": MAX_OWN_TEXT,
                },
            ),
        ],
    }


def saved_point_text(point: LearningPointView, title: str, t: Translator) -> str:
    _ = gettext_for(t)
    return (
        f"{STAR} "
        + _("Learning point added to %(title)s:", title=title)
        + "\n"
        + _quote(point.text)
    )


def adding_point_text(t: Translator) -> str:
    return ":hourglass_flowing_sand: " + t.gettext("Saving…")
