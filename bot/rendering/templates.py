"""Jinja2 templates for member-facing text, escaped for Slack mrkdwn.

Every ``{{ value }}`` is escaped unless it is already :class:`Mrkdwn`
(catalog wording and links built by :mod:`bot.rendering.mrkdwn`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.i18n import Translator
from bot.rendering.mrkdwn import Mrkdwn, escape


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("bot", "templates"),
        autoescape=False,
        finalize=escape,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.do"],
    )
    return env


def gettext_for(t: Translator) -> Any:
    def _(message: str, **values: object) -> Mrkdwn:
        safe = {key: escape(value) for key, value in values.items()}
        return Mrkdwn(t.gettext(message, **safe))

    return _


def ngettext_for(t: Translator) -> Any:
    def ngettext(singular: str, plural: str, n: int, **values: object) -> Mrkdwn:
        safe = {key: escape(value) for key, value in values.items()}
        return Mrkdwn(t.ngettext(singular, plural, n, **safe))

    return ngettext


def render(name: str, t: Translator, **values: Any) -> str:
    template = _environment().get_template(name)
    text = template.render(_=gettext_for(t), ngettext=ngettext_for(t), t=t, **values)
    return text.strip()
