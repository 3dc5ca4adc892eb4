"""The summary chart: rating distribution and SDG counts as one PNG.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global
figure state), so listener threads can draw at the same time.  matplotlib is
imported when a chart is drawn, not when the bot starts.
"""

from __future__ import annotations

import io

from bot.i18n import Translator
from bot.rendering.mrkdwn import clip
from bot.sdgs import goal_name
from bot.services.summaries import FeedbackSummary

# The UN's colour for each goal, so the bars look like the familiar icons.
GOAL_COLOURS = {
    1: "#E5243B",
    2: "#DDA63A",
    3: "#4C9F38",
    4: "#C5192D",
    5: "#FF3A21",
    6: "#26BDE2",
    7: "#FCC30B",
    8: "#A21942",
    9: "#FD6925",
    10: "#DD1367",
    11: "#FD9D24",
    12: "#BF8B2E",
    13: "#3F7E44",
    14: "#0A97D9",
    15: "#56C02B",
    16: "#00689D",
    17: "#19486A",
}
RATING_COLOUR = "#19486A"


def summary_chart_png(summary: FeedbackSummary, t: Translator) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    goals = summary.goals
    figure = Figure(figsize=(10, 4.8 + 0.18 * len(goals)), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, width_ratios=(2, 3))

    ratings = sorted(summary.distribution)
    counts = [summary.distribution[r] for r in ratings]
    left.bar([str(r) for r in ratings], counts, color=RATING_COLOUR)
    left.set_title(t.gettext("Ratings"))
    left.set_xlabel(t.gettext("Rating (1–5)"))
    left.set_ylabel(t.gettext("Responses"))
    left.yaxis.get_major_locator().set_params(integer=True)
    for x, count in enumerate(counts):
        if count:
            left.annotate(str(count), (x, count), ha="center", va="bottom")

    right.set_title(t.gettext("SDGs the session helped with"))
    if goals:
        shown = list(reversed(goals))  # most named at the top
        labels = [clip(goal_name(goal, t), 40) for goal, _n in shown]
        right.barh(
            labels,
            [n for _goal, n in shown],
            color=[GOAL_COLOURS[goal] for goal, _n in shown],
        )
        right.set_xlabel(t.gettext("Times named"))
        right.xaxis.get_major_locator().set_params(integer=True)
    else:
        right.set_axis_off()
        right.text(0.5, 0.5, t.gettext("No goals named yet."), ha="center", va="center")

    figure.suptitle(clip(summary.title, 90))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
