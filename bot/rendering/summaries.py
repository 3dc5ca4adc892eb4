"""Builders for the facilitator's side of feedback: summaries, the season, the picker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from babel.numbers import format_decimal, format_percent

from bot.i18n import N_, Translator
from bot.ids import ActionId, BlockId, CallbackId
from bot.rendering import blocks as bk
from bot.rendering.labels import role_label
from bot.rendering.learning_points import comment_blocks, point_blocks
from bot.rendering.mrkdwn import clip
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for, ngettext_for, render
from bot.sdgs import goal_name
from bot.services.learning_points import LearningPointView
from bot.services.summaries import MIN_GROUP, FeedbackSummary, SeasonSummary

REPORT_TITLES = {"summary": N_("Feedback summary"), "export": N_("Export to Excel and CSV")}

_BAR = "█"
_BAR_WIDTH = 20
_COMMENT_SECTION_BUDGET = 2800


def average_text(value: float | None, t: Translator) -> str:
    return "–" if value is None else format_decimal(value, "0.0", locale=t.locale)


def percent_text(value: float | None, t: Translator) -> str:
    return "–" if value is None else format_percent(value, locale=t.locale)


def _bar(count: int, largest: int) -> str:
    if count == 0 or largest == 0:
        return ""
    return _BAR * max(1, round(_BAR_WIDTH * count / largest))


def summary_reply(
    summary: FeedbackSummary, t: Translator, points: Sequence[LearningPointView] = ()
) -> Reply:
    """The private summary of one session's feedback, with its learning points."""
    _ = gettext_for(t)
    heading = t.gettext("Feedback: %(title)s", title=summary.title)  # plain text
    out: list[bk.Block] = [bk.header(heading)]
    largest = max(summary.distribution.values(), default=0)
    facts = render(
        "summary.md.j2",
        t,
        s=summary,
        date=t.date(summary.starts),
        rate=percent_text(summary.response_rate, t),
        average=average_text(summary.average, t),
        recommend=percent_text(summary.recommend_share, t),
        ratings=[
            (rating, summary.distribution[rating], _bar(summary.distribution[rating], largest))
            for rating in sorted(summary.distribution, reverse=True)
        ],
        goals=[(goal_name(goal, t), n) for goal, n in summary.goals],
        by_role=[
            (role_label(g.name, t), g.responses, average_text(g.average, t))
            for g in summary.by_role
        ],
        by_organisation=[
            (g.name, g.responses, average_text(g.average, t)) for g in summary.by_organisation
        ],
        min_group=MIN_GROUP,
    )
    out.extend(bk.section(chunk) for chunk in _split(facts))
    if summary.anonymous:
        out.append(
            bk.context(
                _(
                    "Anonymous session: answers are not linked to anyone, and there is no "
                    "breakdown by role or organisation."
                )
            )
        )
    out.append(bk.divider())
    out.extend(point_blocks(summary.key, list(points), t))
    if summary.comments:
        out.append(bk.divider())
        out.append(bk.section("*" + t.gettext("Comments") + "*"))
        # Room for the closing context and the export button.
        room = max(0, bk.MAX_MESSAGE_BLOCKS - len(out) - 2)
        shown, cut = comment_blocks(summary.key, summary.comments, list(points), t, room)
        out.extend(shown)
        if cut or summary.more_comments:
            out.append(bk.context(_("More comments are in the export.")))
    if summary.responses:
        out.append(
            bk.actions(
                bk.button(
                    t.gettext("Export to Excel and CSV"), ActionId.EXPORT_FEEDBACK, summary.key
                ),
                block_id=BlockId.SUMMARY_ACTIONS,
            )
        )
    return Reply(_("Feedback: %(title)s", title=summary.title), bk.fit_message(out))


def _split(text: str, budget: int = _COMMENT_SECTION_BUDGET) -> list[str]:
    """Facts go in one section when they fit, else one per paragraph."""
    if len(text) <= budget:
        return [text]
    return [clip(part, budget) for part in text.split("\n\n") if part.strip()]


def season_reply(season: SeasonSummary, t: Translator) -> Reply:
    ngettext = ngettext_for(t)
    heading = t.gettext(
        "Season %(first)s–%(second)s: feedback",
        first=season.starts.year,
        second=season.starts.year + 1,
    )
    out: list[bk.Block] = [bk.header(heading)]
    if not season.rows:
        out.append(bk.section(t.gettext("No session of this season has ended yet.")))
    for row in season.rows[: bk.MAX_MESSAGE_BLOCKS - 3]:
        out.append(
            bk.section(
                render(
                    "summary_season_row.md.j2",
                    t,
                    row=row,
                    date=t.short_date(row.starts),
                    average=average_text(row.average, t),
                    rate=percent_text(row.response_rate, t),
                    goals=[(goal_name(goal, t), n) for goal, n in row.top_goals],
                )
            )
        )
    if season.upcoming:
        out.append(
            bk.context(
                ngettext(
                    "%(num)d more session later this season.",
                    "%(num)d more sessions later this season.",
                    season.upcoming,
                )
            )
        )
    return Reply(heading, bk.fit_message(out))


def report_picker_view(mode: str, sessions: list[tuple[str, str]], t: Translator) -> dict[str, Any]:
    """A facilitator picks a session for a summary or an export (``mode``)."""
    options = [bk.option(label, key) for key, label in sessions[:100]]
    return {
        "type": "modal",
        "callback_id": CallbackId.FEEDBACK_REPORT,
        "private_metadata": mode,
        "title": bk.plain(t.gettext(REPORT_TITLES[mode]), bk.MAX_MODAL_TITLE),
        "submit": bk.plain(t.gettext("Show") if mode == "summary" else t.gettext("Export"), 24),
        "close": bk.plain(t.gettext("Cancel"), 24),
        "blocks": [
            bk.input_block(
                BlockId.REPORT_SESSION,
                t.gettext("Session"),
                {
                    "type": "static_select",
                    "action_id": ActionId.REPORT_SESSION_SELECT,
                    "placeholder": bk.plain(t.gettext("Choose a session"), 150),
                    "options": options,
                },
            )
        ],
    }


def report_working_text(t: Translator) -> str:
    return ":hourglass_flowing_sand: " + t.gettext("Working on it: the result comes in your DM.")


def sent_to_dm_text(mode: str, t: Translator) -> str:
    if mode == "export":
        return ":white_check_mark: " + t.gettext("The export (Excel and CSV) is in your DM.")
    return ":white_check_mark: " + t.gettext("The summary is in your DM.")
