"""The App Home tab: the member's registrations and the coming sessions."""

from __future__ import annotations

from bot.i18n import Translator
from bot.ids import ActionId
from bot.rendering import blocks as bk
from bot.rendering.cancellation import cancel_registration_button
from bot.rendering.sessions import kind_label, offsets_differ, price_text, show_command, zone_note
from bot.rendering.templates import gettext_for, render
from bot.services.sessions import SessionView

# Three blocks a session keeps the tab within Slack's 100 even for a long season.
MAX_HOME_SESSIONS = 25


def _session_blocks(
    view: SessionView, t: Translator, currency: str, discount: float
) -> list[bk.Block]:
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
    buttons: list[bk.Block] = [bk.button(t.gettext("Show"), ActionId.SHOW_SESSION, view.key)]
    if not view.cancelled:
        if view.my_status in ("confirmed", "waiting"):
            buttons.append(cancel_registration_button(view.key, view.title, t))
        else:
            buttons.append(
                bk.button(t.gettext("Register"), ActionId.REGISTER, view.key, style="primary")
            )
        buttons.append(bk.button(t.gettext("Add to calendar"), ActionId.ADD_TO_CALENDAR, view.key))
    return [bk.section(line), bk.actions(*buttons, block_id=f"home.{view.key}"[:255])]


def home_view(
    views: list[SessionView], t: Translator, *, currency: str = "DKK", discount: float = 0.0
) -> dict[str, object]:
    _ = gettext_for(t)
    blocks: list[bk.Block] = [
        bk.header(t.gettext("SDG network")),
        bk.section(render("home_intro.md.j2", t)),
    ]
    mine = [v for v in views if v.my_status in ("confirmed", "waiting", "offered")]
    if mine:
        blocks += [bk.divider(), bk.section("*" + _("Your registrations") + "*")]
        for view in mine[:10]:
            blocks.append(
                bk.context(
                    _("%(title)s, %(date)s", title=view.title, date=t.short_date(view.starts))
                    + (" · " + _("waiting list") if view.my_status == "waiting" else "")
                    + (" · " + _("seat offered to you") if view.my_status == "offered" else "")
                )
            )
    blocks += [bk.divider(), bk.section("*" + _("Upcoming sessions") + "*")]
    if any(offsets_differ(view, t) for view in views[:MAX_HOME_SESSIONS]):
        blocks.append(zone_note(t))
    if not views:
        blocks.append(bk.section(_("No sessions are planned yet.")))
    for view in views[:MAX_HOME_SESSIONS]:
        blocks += _session_blocks(view, t, currency, discount)
    if len(views) > MAX_HOME_SESSIONS:
        blocks.append(bk.context(_("More sessions follow later in the season.")))
    return {"type": "home", "blocks": blocks[: bk.MAX_VIEW_BLOCKS]}
