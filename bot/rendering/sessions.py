"""Builders for sessions: the session card, the upcoming list and help."""

from __future__ import annotations

import json
from collections.abc import Collection

from babel.numbers import format_percent

from bot.commands import COMMANDS, CommandName, CommandSpec, spec_of
from bot.errors import echoed
from bot.i18n import N_, Translator
from bot.ids import ActionId, BlockId
from bot.rendering import blocks as bk
from bot.rendering.cancellation import cancel_registration_button
from bot.rendering.labels import kind_label
from bot.rendering.money import money
from bot.rendering.mrkdwn import clip, escape, link
from bot.rendering.reply import Reply
from bot.rendering.templates import gettext_for, render
from bot.services.membership import discounted_price
from bot.services.sessions import SessionView

# Agenda sections are packed up to this size, well under Slack's 3000.
_AGENDA_SECTION_BUDGET = 2800
_DESCRIPTION_LIMIT = 1500


def command_word(spec: CommandSpec, language: str) -> str:
    """The word shown in help: the member's own language where we have one."""
    return spec.words.get(language, spec.name.value)


# What follows the word in a usage hint; KEY is translated (NØGLE, NØKKEL).
KEY_PLACEHOLDER = N_("KEY")


def usage_text(name: CommandName, t: Translator, argument: str = KEY_PLACEHOLDER) -> str:
    """``/sdg vis NØGLE``: how to write a command, in the reader's words."""
    word = command_word(spec_of(name), t.language)
    shown = t.gettext(argument) if argument == KEY_PLACEHOLDER else argument
    return f"/sdg {word} {shown}"


def show_command(key: str, t: Translator) -> str:
    """``/sdg vis 2027-06-10-symposium`` for the list's lines."""
    return usage_text(CommandName.SHOW, t, key)


def price_text(view: SessionView, t: Translator, currency: str, discount: float = 0.0) -> str:
    """What taking part costs the reader, on every card, list line and App Home entry.

    *discount* is ``[fees] extra_participant_discount``: a reader whose
    organisation has a participant confirmed already pays that much less.
    """
    if view.members_only:
        return t.gettext("Included in the network membership")
    if not view.price:
        return t.gettext("Free")
    if view.colleague_confirmed and discount:
        return t.gettext(
            "%(price)s for you (%(percent)s off: a colleague from your organisation is registered)",
            price=money(discounted_price(view.price, discount), currency, t),
            percent=format_percent(discount, locale=t.locale),
        )
    return t.gettext("%(price)s per participant", price=money(view.price, currency, t))


def session_card(
    view: SessionView,
    t: Translator,
    *,
    currency: str = "DKK",
    discount: float = 0.0,
    public: bool = False,
    registration_open: bool = True,
    running: bool = False,
) -> list[bk.Block]:
    """The card for one session; a public card shows no reader-specific facts.

    A *running* session's card is for the member who is late: when it started
    and its join link, no seat count and no Register or Cancel button.
    """
    other_zone = not public and t.timezone != view.timezone and offsets_differ(view, t)
    facts = render(
        "session_facts.md.j2",
        t,
        s=view,
        kind=kind_label(view.kind, t),
        other_zone=other_zone,
        online_link=link(view.online_url, t.gettext("Join online")) if view.online_url else "",
        # A public card (a channel post) shows the price everyone pays.
        price_text=price_text(view, t, currency, 0.0 if public else discount),
        my_status=None if public else view.my_status,
        running=running,
    )
    out: list[bk.Block] = [bk.header(view.title), bk.section(facts)]
    if view.description:
        out.append(bk.section(clip(escape(view.description), _DESCRIPTION_LIMIT)))

    _ = gettext_for(t)
    action_row = _card_actions(
        view, t, public=public, registration_open=registration_open and not running
    )
    footer = bk.context(_("Key: `%(key)s`", key=view.key))
    reserved = 2 + (1 if action_row else 0)  # footer + overflow pointer + actions

    if view.agenda:
        out.append(bk.divider())
        out.append(bk.section("*" + t.gettext("Agenda") + "*"))
        if other_zone:
            out.append(zone_note(t))
        zone = view.timezone if public else t.timezone
        lines = [render("agenda_item.md.j2", t, item=item, zone=zone) for item in view.agenda]
        sections = _pack(lines)
        room = bk.MAX_MESSAGE_BLOCKS - len(out) - reserved
        if len(sections) > room:
            sections = sections[:room]
            shown = sum(chunk.count("\n*") + 1 for chunk in sections)
            out.extend(bk.section(chunk) for chunk in sections)
            out.append(
                bk.context(
                    _(
                        "%(count)s more agenda items are in the calendar file.",
                        count=len(view.agenda) - shown,
                    )
                )
            )
        else:
            out.extend(bk.section(chunk) for chunk in sections)
    if action_row:
        out.append(action_row)
    out.append(footer)
    return bk.fit_message(out)


def zone_note(t: Translator) -> bk.Block:
    """Times below are the reader's, not the sessions' own: say in which zone."""
    return bk.context(t.gettext("Times are in %(zone)s.", zone=t.zone_city()))


def offsets_differ(view: SessionView, t: Translator) -> bool:
    return t.local(view.starts).utcoffset() != t.local(view.starts, view.timezone).utcoffset()


def _pack(lines: list[str]) -> list[str]:
    """Pack agenda lines into as few sections as fit the size budget."""
    sections: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, _AGENDA_SECTION_BUDGET)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > _AGENDA_SECTION_BUDGET:
            sections.append(current)
            current = line
        else:
            current = candidate
    if current:
        sections.append(current)
    return sections


def _card_actions(
    view: SessionView, t: Translator, *, public: bool, registration_open: bool
) -> bk.Block | None:
    if view.cancelled:
        return None
    elements: list[bk.Block] = []
    if registration_open:
        if not public and view.my_status in ("confirmed", "waiting"):
            elements.append(cancel_registration_button(view.key, view.title, t))
        else:
            elements.append(
                bk.button(t.gettext("Register"), ActionId.REGISTER, view.key, style="primary")
            )
    elements.append(bk.button(t.gettext("Add to calendar"), ActionId.ADD_TO_CALENDAR, view.key))
    if not public:
        elements.append(
            bk.button(t.gettext("Share in channel"), ActionId.SHARE_IN_CHANNEL, view.key)
        )
    return bk.actions(*elements, block_id=BlockId.SESSION_ACTIONS)


def session_reply(
    view: SessionView,
    t: Translator,
    *,
    currency: str,
    discount: float = 0.0,
    public: bool = False,
) -> Reply:
    _ = gettext_for(t)
    text = _("%(title)s, %(date)s", title=view.title, date=t.date(view.starts))
    card = session_card(view, t, currency=currency, discount=discount, public=public)
    return Reply(text, card, public=public)


def now_and_next_reply(
    running: list[SessionView],
    upcoming: SessionView | None,
    t: Translator,
    *,
    currency: str,
    discount: float = 0.0,
) -> Reply:
    """``/sdg next``: what is going on now (to find the join link), then the next session."""
    _ = gettext_for(t)
    blocks: list[bk.Block] = []
    texts: list[str] = []
    for view in running:
        blocks += session_card(view, t, currency=currency, discount=discount, running=True)
        texts.append(
            _("%(title)s started at %(start)s", title=view.title, start=t.time(view.starts))
        )
    if upcoming is not None:
        if blocks:
            blocks += [bk.divider(), bk.section("*" + t.gettext("Next") + "*")]
        blocks += session_card(upcoming, t, currency=currency, discount=discount)
        texts.append(_("%(title)s, %(date)s", title=upcoming.title, date=t.date(upcoming.starts)))
    return Reply("; ".join(texts), bk.fit_message(blocks))


def session_list_reply(
    views: list[SessionView], t: Translator, *, currency: str = "DKK", discount: float = 0.0
) -> Reply:
    if not views:
        text = t.gettext("No sessions are planned yet.")
        return Reply(text, [bk.section(text)])
    heading = t.gettext("Upcoming sessions")
    out: list[bk.Block] = [bk.header(heading)]
    if any(offsets_differ(view, t) for view in views):
        out.append(zone_note(t))
    shown = views[: bk.MAX_MESSAGE_BLOCKS - len(out) - 1]
    for view in shown:
        place = (view.platform or t.gettext("Online")) if view.is_online_only else view.location
        line = render(
            "session_line.md.j2",
            t,
            s=view,
            kind=kind_label(view.kind, t),
            place=place,
            my_status=view.my_status,
            show=show_command(view.key, t),
            price_text=price_text(view, t, currency, discount),
        )
        out.append(
            bk.section(
                line,
                accessory=bk.button(t.gettext("Show"), ActionId.SHOW_SESSION, view.key),
            )
        )
    if len(views) > len(shown):
        out.append(bk.context(t.gettext("More sessions follow later in the season.")))
    return Reply(heading, out)


def help_reply(
    t: Translator,
    *,
    facilitator: bool,
    available: Collection[CommandName],
    unknown_word: str | None = None,
) -> Reply:
    """Help lists only the commands that have an answer."""
    _ = gettext_for(t)

    def rows(specs: list[CommandSpec]) -> list[tuple[str, str]]:
        return [(command_word(s, t.language), t.gettext(s.help)) for s in specs]

    shown = [s for s in COMMANDS if s.name in available or s.name is CommandName.HELP]
    text = render(
        "help.md.j2",
        t,
        commands=rows([s for s in shown if not s.facilitator_only]),
        facilitator_commands=rows([s for s in shown if s.facilitator_only]) if facilitator else [],
    )
    out: list[bk.Block] = []
    if unknown_word is not None:
        out.append(
            bk.section(
                ":grey_question: "
                + _("I don't know the command “%(word)s”.", word=echoed(unknown_word))
            )
        )
    out.append(bk.section(text))
    fallback = t.gettext("sdgbot help")
    return Reply(fallback, out)


def message_reply(text: str) -> Reply:
    return Reply(text, [bk.section(text)])


def value_of(payload_value: str) -> str:
    """Button values are session keys; accept the JSON form older cards used."""
    try:
        data = json.loads(payload_value)
    except (ValueError, TypeError):
        return payload_value
    return str(data.get("key", payload_value)) if isinstance(data, dict) else payload_value


def calendar_sent_reply(t: Translator, *, season_feed: str) -> Reply:
    _ = gettext_for(t)
    text = ":calendar: " + _("I have sent you the calendar file in a direct message.")
    if season_feed:
        label = t.gettext("season calendar")
        text += "\n" + _(
            "Subscribe to the whole programme: %(link)s", link=link(season_feed, label)
        )
    return Reply(text, [bk.section(text)])
