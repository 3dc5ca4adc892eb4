"""The season report's charts: ratings across the season, SDGs per session, municipalities.

Drawn like :mod:`bot.rendering.charts` (matplotlib's object API on the Agg
canvas, imported when drawn), as PNG bytes sized for an A4 page.  The
DejaVu fonts matplotlib ships have æ, ø and å.
"""

from __future__ import annotations

import io
from typing import Any

from bot.i18n import Translator
from bot.rendering.charts import GOAL_COLOURS, RATING_COLOUR
from bot.rendering.mrkdwn import clip
from bot.rendering.summaries import average_text
from bot.services.season_report import ReportSession

DPI = 130
WIDTH = 7.5  # inches, the page's text width
MUTED = "#6B7280"


def _figure(height: float, *, constrained: bool = True) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained" if constrained else None)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def session_label(session: ReportSession, t: Translator, width: int = 34) -> str:
    return f"{t.short_date(session.starts, session.timezone)} · {clip(session.title, width)}"


def _hex_rgb(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return r, g, b


def ratings_chart(sessions: list[ReportSession], t: Translator) -> bytes:
    """Each session's average rating (1-5), in date order, with its number of answers."""
    rated = [s for s in sessions if s.responses and s.average is not None]
    figure = _figure(3.2)
    axes = figure.subplots()
    labels = [t.short_date(s.starts, s.timezone) for s in rated]
    averages = [float(s.average or 0) for s in rated]
    axes.bar(range(len(rated)), averages, color=RATING_COLOUR, width=0.6)
    axes.plot(range(len(rated)), averages, color="#FD6925", marker="o", linewidth=1.5)
    for x, session in enumerate(rated):
        axes.annotate(
            average_text(session.average, t),
            (x, float(session.average or 0)),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    many = len(rated) > 6
    axes.set_xticks(
        range(len(rated)),
        labels,
        rotation=60 if many else 0,
        ha="right" if many else "center",
        fontsize=7 if len(rated) > 12 else 9,
    )
    axes.set_ylim(0, 5.6)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.set_ylabel(t.gettext("Average rating"))
    axes.set_title(t.gettext("Ratings across the season"))
    axes.spines[["top", "right"]].set_visible(False)
    if not rated:
        axes.text(0.5, 0.5, t.gettext("No answers yet."), ha="center", va="center")
    return _png(figure)


def sdg_heat_map(sessions: list[ReportSession], t: Translator) -> bytes:
    """Sessions x 17 goals: each cell in its goal's colour, as strong as the share naming it."""
    import numpy as np

    rows = [s for s in sessions if s.responses]
    height = 1.0 + 0.36 * (len(rows) + 1)
    # Fixed margins: constrained layout re-measures every cell's label, slow for 17 x n.
    figure = _figure(height, constrained=False)
    figure.subplots_adjust(left=0.36, right=0.98, top=1 - 0.45 / height, bottom=0.15 / height)
    axes = figure.subplots()
    cells = np.ones((len(rows) + 1, 17, 4))
    for goal in range(1, 18):
        cells[0, goal - 1, :3] = _hex_rgb(GOAL_COLOURS[goal])  # the header row: the goal's icon
    for y, session in enumerate(rows, start=1):
        for goal in range(1, 18):
            share = session.goals.get(goal, 0) / session.responses
            cells[y, goal - 1, :3] = _hex_rgb(GOAL_COLOURS[goal])
            cells[y, goal - 1, 3] = 0.15 + 0.85 * share if share else 0.04
    axes.imshow(cells, aspect="auto", interpolation="nearest")
    for goal in range(1, 18):
        axes.text(
            goal - 1,
            0,
            str(goal),
            ha="center",
            va="center",
            color="white",
            fontsize=9,
            fontweight="bold",
        )
    for y, session in enumerate(rows, start=1):
        for goal, n in session.goals.items():
            share = n / session.responses
            axes.text(
                goal - 1,
                y,
                str(n),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if share > 0.45 else "#111827",
            )
    axes.set_yticks(
        range(len(rows) + 1), [t.gettext("SDG")] + [session_label(s, t) for s in rows], fontsize=8
    )
    axes.set_xticks([])
    axes.set_title(t.gettext("SDGs named per session"), fontsize=11)
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.tick_params(length=0)
    return _png(figure)


def municipality_chart(
    per_municipality: list[tuple[str, int]], others: int, t: Translator, top: int = 15
) -> bytes:
    """Participants per municipality, most first; the rest and other organisations summed."""
    shown = per_municipality[:top]
    rest = sum(n for _name, n in per_municipality[top:])
    bars = [(clip(name, 40), n, RATING_COLOUR) for name, n in shown]
    if rest:
        bars.append((t.gettext("Other municipalities"), rest, MUTED))
    if others:
        bars.append((t.gettext("Other organisations"), others, MUTED))
    figure = _figure(1.2 + 0.3 * max(1, len(bars)))
    axes = figure.subplots()
    bars.reverse()  # most at the top
    axes.barh([b[0] for b in bars], [b[1] for b in bars], color=[b[2] for b in bars])
    for y, (_label, n, _colour) in enumerate(bars):
        axes.annotate(
            str(n), (n, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8
        )
    axes.set_title(t.gettext("Participants per municipality"))
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="y", labelsize=8)
    if not bars:
        axes.set_axis_off()
        axes.text(0.5, 0.5, t.gettext("No participants yet."), ha="center", va="center")
    return _png(figure)
