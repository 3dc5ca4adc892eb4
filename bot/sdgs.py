"""The 17 UN Sustainable Development Goals, by number, with their short official names.

The English names are message ids; ``bot/locales/{da,nb}/feedback.po`` hold the
Danish and Norwegian official short names, so a member picks goals in their
own language.
"""

from __future__ import annotations

from bot.i18n import N_, Translator

GOALS: dict[int, str] = {
    1: N_("No poverty"),
    2: N_("Zero hunger"),
    3: N_("Good health and well-being"),
    4: N_("Quality education"),
    5: N_("Gender equality"),
    6: N_("Clean water and sanitation"),
    7: N_("Affordable and clean energy"),
    8: N_("Decent work and economic growth"),
    9: N_("Industry, innovation and infrastructure"),
    10: N_("Reduced inequalities"),
    11: N_("Sustainable cities and communities"),
    12: N_("Responsible consumption and production"),
    13: N_("Climate action"),
    14: N_("Life below water"),
    15: N_("Life on land"),
    16: N_("Peace, justice and strong institutions"),
    17: N_("Partnerships for the goals"),
}


def goal_name(goal: int, t: Translator) -> str:
    """``13. Klimaindsats`` in the reader's language."""
    return f"{goal}. {t.gettext(GOALS[goal])}"
