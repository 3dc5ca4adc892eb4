"""Pure builders: the session card within Slack's limits, escaping, zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import CommandName
from bot.i18n import Translator
from bot.rendering.mrkdwn import clip, escape, link
from bot.rendering.sessions import help_reply, session_card
from bot.services.sessions import AgendaEntry, SessionView

STARTS = datetime(2027, 6, 10, 11, 30, tzinfo=UTC)


def view(**changes: object) -> SessionView:
    base: dict[str, object] = dict(
        key="k",
        title="Titel",
        kind="symposium",
        starts=STARTS,
        ends=STARTS + timedelta(hours=2),
        timezone="Europe/Copenhagen",
        location="Aarhus Rådhus",
        online_url="",
        capacity=0,
        price=None,
        feedback=True,
        anonymous=False,
        description="",
        agenda=(),
        cancelled=False,
    )
    base.update(changes)
    return SessionView(**base)  # type: ignore[arg-type]


def test_escape_only_touches_slack_control_characters() -> None:
    assert escape("A & B <C> *D*") == "A &amp; B &lt;C&gt; *D*"
    assert escape(escape("<x>")) == "&lt;x&gt;"


def test_link_refuses_urls_that_would_break_mrkdwn() -> None:
    assert link("https://x.org/a", "Join") == "<https://x.org/a|Join>"
    assert link("https://x.org/a|b>", "Join") == "Join"
    assert link("javascript:alert(1)", "<Join>") == "&lt;Join&gt;"


@given(st.text(min_size=0, max_size=5000), st.integers(min_value=10, max_value=3000))
@settings(max_examples=200, deadline=None)
def test_clip_never_exceeds_the_limit_or_cuts_an_entity(text: str, limit: int) -> None:
    clipped = clip(str(escape(text)), limit)
    assert len(clipped) <= limit
    tail = clipped[clipped.rfind("&") :] if "&" in clipped else ""
    assert not tail or ";" in tail or tail == "&"


@given(
    st.lists(
        st.tuples(st.text(min_size=1, max_size=400), st.lists(st.text(max_size=80), max_size=4)),
        max_size=100,
    ),
    st.text(max_size=4000),
)
@settings(max_examples=60, deadline=None)
def test_any_agenda_fits_in_one_message(
    items: list[tuple[str, list[str]]], description: str
) -> None:
    agenda = tuple(
        AgendaEntry(STARTS + timedelta(minutes=i), title, tuple(speakers))
        for i, (title, speakers) in enumerate(items)
    )
    blocks = session_card(
        view(agenda=agenda, description=description, title="T" * 300), Translator("da", "UTC")
    )
    assert len(blocks) <= 50
    for block in blocks:
        if block["type"] in ("section", "header"):
            limit = 3000 if block["type"] == "section" else 150
            assert 0 < len(block["text"]["text"]) <= limit
    assert blocks[-2]["type"] == "actions"  # the buttons always survive the cut


def test_both_zones_shown_only_when_they_differ() -> None:
    copenhagen = session_card(view(), Translator("en", "Europe/Copenhagen"))
    oslo = session_card(view(), Translator("en", "Europe/Oslo"))
    london = session_card(view(), Translator("en", "Europe/London"))
    assert "Your time" not in copenhagen[1]["text"]["text"]
    assert "Your time" not in oslo[1]["text"]["text"]  # same offset, different name
    assert "Your time: Thu 10 Jun, 12:30–14:30 (London)" in london[1]["text"]["text"]


def test_public_card_has_no_personal_buttons() -> None:
    blocks = session_card(view(my_status="confirmed"), Translator("da", "UTC"), public=True)
    action_ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert action_ids == ["session.register", "session.add_to_calendar"]


def test_cancelled_session_has_no_buttons_and_says_so() -> None:
    blocks = session_card(view(cancelled=True), Translator("da", "UTC"))
    assert not [b for b in blocks if b["type"] == "actions"]
    assert "Aflyst" in blocks[1]["text"]["text"]


def test_help_lists_only_available_commands_and_facilitator_part_for_facilitators() -> None:
    t = Translator("en", "UTC")
    member = help_reply(t, facilitator=False, available={CommandName.NEXT, CommandName.SUMMARY})
    text = member.blocks[-1]["text"]["text"]
    assert "`/sdg next`" in text and "`/sdg list`" not in text and "summary" not in text
    facilitator = help_reply(t, facilitator=True, available={CommandName.NEXT, CommandName.SUMMARY})
    assert "`/sdg summary`" in facilitator.blocks[-1]["text"]["text"]
