"""The season report as a PDF, in the reader's language.

Written with fpdf2 (pure Python, no system libraries) with the DejaVu fonts
matplotlib ships embedded, so æ, ø and å render in any viewer.  Pages: a
cover with the headline figures; a table of every session; the charts; one
section per session (learning points first, then the other comments, never
attributed); a comparison with the previous season where there is one.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.dates import format_date
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from bot.i18n import N_, Translator
from bot.models import LearningPointSource
from bot.rendering.labels import kind_label, role_label
from bot.rendering.report_charts import municipality_chart, ratings_chart, sdg_heat_map
from bot.rendering.summaries import average_text, percent_text
from bot.services.season_report import ReportSession, SeasonFigures, SeasonReport
from bot.services.summaries import MIN_GROUP

FONT = "DejaVu"
Colour = tuple[int, int, int]
INK: Colour = (17, 24, 39)
MUTED: Colour = (107, 114, 128)
ACCENT: Colour = (25, 72, 106)  # SDG 17's blue
PALE: Colour = (232, 240, 246)
LINE = 5.2  # mm per line of body text
COVER_LIST_MAX = 14  # more sessions than fit under the figures: the table lists them

FIGURES = (
    ("sessions_held", N_("Sessions held")),
    ("participants", N_("Participants")),
    ("municipalities", N_("Municipalities")),
    ("response_rate", N_("Response rate")),
    ("average", N_("Average rating")),
)


@cache
def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


class _Document(FPDF):
    def __init__(self, t: Translator, running_title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.t = t
        self.running_title = running_title
        fonts = _font_dir()
        self.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.add_font(FONT, "I", str(fonts / "DejaVuSans-Oblique.ttf"))
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_text_color(*INK)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.running_title, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, str(self.page_no()), align="R")
        self.set_text_color(*INK)

    # --- text helpers ---------------------------------------------------------------

    def heading(self, text: str, size: int = 16) -> None:
        self.set_font(FONT, "B", size)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.ln(2)

    def paragraph(self, text: str, size: float = 10, style: str = "", colour: Colour = INK) -> None:
        self.set_font(FONT, style, size)
        self.set_text_color(*colour)
        self.multi_cell(0, LINE * size / 10, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)

    def bullet(self, text: str, mark: str = "•", size: float = 10) -> None:
        self.set_font(FONT, "", size)
        self.cell(6, LINE, mark)
        self.multi_cell(0, LINE, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(0.8)

    def image_bytes(self, png: bytes, title: str) -> None:
        self.image(io.BytesIO(png), w=self.epw, title=title, alt_text=title)
        self.ln(4)


def _network(report: SeasonReport, t: Translator) -> str:
    """The workspace's name, else a programme season's own title, else "the SDG network"."""
    season = report.season
    named = season.title if season.title != season.key else ""
    return report.network or named or t.gettext("The SDG network")


def _figure_text(figures: SeasonFigures, name: str, t: Translator) -> str:
    if name == "response_rate":
        return percent_text(figures.response_rate, t)
    if name == "average":
        return average_text(figures.average, t)
    return str(getattr(figures, name))


def _place(session: ReportSession, t: Translator) -> str:
    return t.gettext("Online") if session.online else session.location


def _cover(pdf: _Document, report: SeasonReport, t: Translator) -> None:
    pdf.add_page()
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, 70, style="F")
    pdf.set_xy(pdf.l_margin, 22)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(FONT, "", 13)
    pdf.cell(0, 8, _network(report, t))
    pdf.set_xy(pdf.l_margin, 32)
    pdf.set_font(FONT, "B", 26)
    pdf.cell(0, 12, t.gettext("Season report %(season)s", season=report.season.key))
    pdf.set_xy(pdf.l_margin, 48)
    pdf.set_font(FONT, "", 11)
    season = report.season
    pdf.cell(
        0,
        6,
        t.gettext(
            "%(first)s to %(last)s",
            first=format_date(season.first_day, "long", locale=t.locale),
            last=format_date(season.last_day, "long", locale=t.locale),
        ),
    )
    pdf.set_text_color(*INK)
    pdf.set_y(86)
    pdf.heading(t.gettext("The season in figures"), 14)
    box_w = (pdf.epw - 4 * 4) / 5
    top = pdf.get_y() + 2
    for index, (name, label) in enumerate(FIGURES):
        x = pdf.l_margin + index * (box_w + 4)
        pdf.set_fill_color(*PALE)
        pdf.rect(x, top, box_w, 30, style="F")
        pdf.set_xy(x, top + 4)
        pdf.set_font(FONT, "B", 20)
        pdf.set_text_color(*ACCENT)
        pdf.cell(box_w, 12, _figure_text(report.figures, name, t), align="C")
        pdf.set_xy(x, top + 18)
        pdf.set_font(FONT, "", 8.5)
        pdf.set_text_color(*INK)
        pdf.multi_cell(box_w, 4, t.gettext(label), align="C")
    pdf.set_y(top + 38)
    figures = report.figures
    pdf.paragraph(
        t.gettext(
            "%(responses)s answers from %(registrations)s participants in sessions that asked "
            "for feedback. Ratings run from 1 to 5.",
            responses=figures.responses,
            registrations=figures.registrations,
        ),
        9.5,
        colour=MUTED,
    )
    pdf.ln(6)
    if 0 < len(report.sessions) <= COVER_LIST_MAX:
        pdf.heading(t.gettext("Sessions"), 12)
        for session in report.sessions:
            pdf.bullet(f"{t.date(session.starts, session.timezone)}: {session.title}")
    pdf.set_y(-30)
    pdf.paragraph(
        t.gettext("Made by sdgbot on %(date)s.", date=t.date(report.made_at)), 8.5, colour=MUTED
    )


def _session_table(pdf: _Document, report: SeasonReport, t: Translator) -> None:
    pdf.add_page()
    pdf.heading(t.gettext("Every session"))
    headings = (
        t.gettext("Date"),
        t.gettext("Session"),
        t.gettext("Place"),
        t.gettext("Registered"),
        t.gettext("Responses"),
        t.gettext("Rating"),
        t.gettext("Would recommend"),
    )
    pdf.set_font(FONT, "", 8.5)
    pdf.set_draw_color(209, 213, 219)
    with pdf.table(
        col_widths=(17, 54, 27, 18, 16, 24, 22),
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        line_height=4.4,
        headings_style=_heading_style(),
        cell_fill_color=(247, 249, 251),
        cell_fill_mode="ROWS",
        padding=1.2,
    ) as table:
        row = table.row()
        for text in headings:
            row.cell(text)
        for session in report.sessions:
            row = table.row()
            row.cell(t.short_date(session.starts, session.timezone))
            row.cell(f"{session.title}\n{kind_label(session.kind, t)}")
            row.cell(_place(session, t))
            row.cell(str(session.registered))
            row.cell(str(session.responses) if session.feedback else "–")
            row.cell(average_text(session.average, t))
            row.cell(percent_text(session.recommend_share, t))
    pdf.ln(3)
    pdf.paragraph(
        t.gettext(
            "Registered: confirmed places. Attendance on the day is not recorded, so it is "
            "not shown."
        ),
        8.5,
        colour=MUTED,
    )


def _heading_style() -> FontFace:
    return FontFace(
        family=FONT, emphasis="BOLD", color=(255, 255, 255), fill_color=ACCENT, size_pt=7.5
    )


def _charts(pdf: _Document, report: SeasonReport, t: Translator) -> None:
    pdf.add_page()
    pdf.heading(t.gettext("Charts"))
    if not report.sessions:
        pdf.paragraph(t.gettext("No session of this season has ended yet."), 10, colour=MUTED)
        return
    pdf.image_bytes(ratings_chart(report.sessions, t), t.gettext("Ratings across the season"))
    if any(s.responses for s in report.sessions):
        pdf.image_bytes(sdg_heat_map(report.sessions, t), t.gettext("SDGs named per session"))
        pdf.set_y(pdf.get_y() - 3)
        pdf.paragraph(
            t.gettext(
                "The stronger a cell's colour, the larger the share of the session's "
                "respondents who named that goal; the number is how many did."
            ),
            8.5,
            colour=MUTED,
        )
        pdf.ln(3)
    if report.per_municipality or report.other_organisations:
        pdf.image_bytes(
            municipality_chart(report.per_municipality, report.other_organisations, t),
            t.gettext("Participants per municipality"),
        )


def _breakdown(
    pdf: _Document, title: str, groups: list[tuple[str, int, str]], t: Translator
) -> None:
    if not groups:
        return
    pdf.paragraph(title, 10, "B")
    for name, n, average in groups:
        pdf.bullet(
            t.ngettext(
                "%(name)s: %(num)d response, average %(average)s",
                "%(name)s: %(num)d responses, average %(average)s",
                n,
                name=name,
                average=average,
            )
        )
    pdf.ln(1)


def _session_pages(pdf: _Document, report: SeasonReport, t: Translator) -> None:
    for index, session in enumerate(report.sessions):
        if index == 0 or pdf.get_y() > pdf.h - 90:
            pdf.add_page()
        else:
            pdf.ln(6)
            pdf.set_draw_color(*ACCENT)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
            pdf.ln(4)
        pdf.heading(session.title, 14)
        facts = [
            t.date(session.starts, session.timezone),
            kind_label(session.kind, t),
            _place(session, t),
        ]
        pdf.paragraph(" · ".join(facts), 9.5, colour=MUTED)
        if session.feedback:
            pdf.paragraph(
                t.gettext(
                    "%(responses)s of %(participants)s participants answered · average rating "
                    "%(average)s · would recommend %(share)s",
                    responses=session.responses,
                    participants=session.registered,
                    average=average_text(session.average, t),
                    share=percent_text(session.recommend_share, t),
                ),
                9.5,
                colour=MUTED,
            )
        if session.anonymous:
            pdf.paragraph(
                t.gettext("Anonymous session: answers are linked to no one."), 9, "I", MUTED
            )
        pdf.ln(2)
        if session.learning_points:
            pdf.paragraph(t.gettext("Learning points"), 11, "B", ACCENT)
            for number, point in enumerate(session.learning_points, start=1):
                pdf.bullet(point.text, f"{number}.")
            pdf.ln(1)
        valuable = [
            c.text for c in session.comments if c.source is LearningPointSource.MOST_VALUABLE
        ]
        change = [c.text for c in session.comments if c.source is LearningPointSource.SHOULD_CHANGE]
        for title, texts in (
            (t.gettext("Most valuable"), valuable),
            (t.gettext("Should change"), change),
        ):
            if texts:
                pdf.paragraph(title, 10, "B")
                for text in texts:
                    pdf.bullet(text, "–", 9.5)
                pdf.ln(1)
        if session.more_comments:
            pdf.paragraph(t.gettext("More comments are in the export."), 8.5, "I", MUTED)
        _breakdown(
            pdf,
            t.gettext("By role (groups of %(min)s or more)", min=MIN_GROUP),
            [
                (role_label(g.name, t), g.responses, average_text(g.average, t))
                for g in session.by_role
            ],
            t,
        )
        _breakdown(
            pdf,
            t.gettext("By organisation (groups of %(min)s or more)", min=MIN_GROUP),
            [(g.name, g.responses, average_text(g.average, t)) for g in session.by_organisation],
            t,
        )
        if not session.feedback:
            pdf.paragraph(
                t.gettext("No feedback is collected for %(title)s.", title=session.title),
                9.5,
                "I",
                MUTED,
            )
        elif not session.responses:
            pdf.paragraph(t.gettext("No answers yet."), 9.5, "I", MUTED)


def _comparison(pdf: _Document, report: SeasonReport, t: Translator) -> None:
    if report.previous is None:
        return
    before, previous = report.previous
    pdf.add_page()
    pdf.heading(t.gettext("Compared with %(season)s", season=before.key))
    current = report.figures
    pdf.set_font(FONT, "", 10)
    with pdf.table(
        col_widths=(60, 35, 35, 30),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=_heading_style(),
        line_height=6,
        padding=1.5,
    ) as table:
        row = table.row()
        for text in ("", before.key, report.season.key, t.gettext("Change")):
            row.cell(text)
        for name, label in FIGURES:
            row = table.row()
            row.cell(t.gettext(label))
            row.cell(_figure_text(previous, name, t))
            row.cell(_figure_text(current, name, t))
            row.cell(_change(previous, current, name, t))


def _change(before: SeasonFigures, now: SeasonFigures, name: str, t: Translator) -> str:
    from babel.numbers import format_decimal

    old, new = getattr(before, name), getattr(now, name)
    if old is None or new is None:
        return "–"
    if name == "response_rate":
        points = round((new - old) * 100)
        return t.gettext("%(points)s points", points=f"{points:+d}")
    if name == "average":
        return format_decimal(new - old, "+0.0;-0.0", locale=t.locale)
    return f"{new - old:+d}"


def season_report_pdf(report: SeasonReport, t: Translator) -> bytes:
    """The whole report, as the bytes of one PDF file."""
    title = t.gettext("Season report %(season)s", season=report.season.key)
    pdf = _Document(t, f"{_network(report, t)} · {title}")
    pdf.set_title(title)
    pdf.set_author("sdgbot")
    pdf.set_lang(t.language)
    _cover(pdf, report, t)
    _session_table(pdf, report, t)
    _charts(pdf, report, t)
    _session_pages(pdf, report, t)
    _comparison(pdf, report, t)
    return bytes(pdf.output())
