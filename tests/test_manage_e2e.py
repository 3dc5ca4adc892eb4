"""Facilitators managing sessions over signed HTTP: ``/sdg new`` and ``edit`` in the modal,
``announce`` to a channel, ``cancel-session`` after a confirmation, what registrants are
told (through the real delivery worker), and members refused on every path."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.delivery.scheduler import run_due_work
from bot.delivery.slack_sender import make_delivery_client
from bot.ids import ActionId, BlockId, CallbackId
from bot.models import (
    Delivery,
    DeliveryKind,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.runtime import Runtime
from bot.sandbox.slack_standin import RecordedCall, validate_message_blocks
from tests.support import factories as make
from tests.support.conversation import answer_of, buttons_of, text_of
from tests.support.faulty_standin import FaultyStandIn
from tests.support.signed_client import HttpResult, SignedSlackClient

NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)  # the conftest clock
FACILITATOR = "U0FAC"
GROUP = "S0GROUP"
GROUP_MEMBER = "U0GROUPIE"
MEMBER = "U0PLAIN"
REFUSAL = "Only the network's facilitators can do that."
KEY = "2027-06-10-middelfart"
TITLE = "Netværksmøde i Middelfart"
STARTS = datetime(2027, 6, 10, 11, 30, tzinfo=UTC)  # 13:30 in Copenhagen (CEST)
ANNOUNCE_CHANNEL = "C0ANNOUNCE"


@pytest.fixture
def announce_channel() -> str:
    """``[slack] announce_channel``: none, unless a test parametrizes it."""
    return ""


@pytest.fixture
def usergroup() -> str:
    """``[bot] facilitator_usergroup``: its members are checked with Slack."""
    return GROUP


@pytest.fixture
def settings(settings: Settings, announce_channel: str, usergroup: str) -> Settings:
    """A listed facilitator and a user group."""
    return dataclasses.replace(
        settings,
        bot=dataclasses.replace(
            settings.bot, facilitators=(FACILITATOR,), facilitator_usergroup=usergroup
        ),
        slack=dataclasses.replace(settings.slack, announce_channel=announce_channel),
    )


@pytest.fixture(autouse=True)
def slack_users(standin: FaultyStandIn) -> Any:
    for user_id in (FACILITATOR, GROUP_MEMBER, MEMBER, "U0ANNA", "U0BO", "U0WAIT", "U0GONE"):
        standin.add_user(user_id, locale="en-GB")
    standin.add_usergroup(GROUP, [GROUP_MEMBER])
    yield
    assert standin.violations == []


def build_world(runtime: Runtime, *, capacity: int = 2) -> None:
    """A session with two confirmed members, one waiting and one who cancelled.

    The facilitator reads Danish; Anna Danish, Bo bokmål in Oslo, the waiting
    member English in New York.
    """
    registered = NOW - timedelta(days=1)
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(
            db,
            KEY,
            starts=STARTS,
            now=NOW - timedelta(days=30),
            title=TITLE,
            location="Middelfart Rådhus",
            capacity=capacity,
        )
        make.add_member(db, FACILITATOR, now=NOW, language="da")
        people = [
            ("U0ANNA", "da", "Europe/Copenhagen", RegistrationStatus.CONFIRMED),
            ("U0BO", "nb", "Europe/Oslo", RegistrationStatus.CONFIRMED),
            ("U0WAIT", "en", "America/New_York", RegistrationStatus.WAITING),
            ("U0GONE", "en", "Europe/Copenhagen", RegistrationStatus.CANCELLED),
        ]
        for user_id, language, zone, status in people:
            member = make.add_member(db, user_id, now=NOW, language=language, tz=zone)
            make.add_registration(db, session, member, registered_at=registered, status=status)


def form(
    *,
    key: str | None = "2027-11-18-webinar",
    title: str = "Webinar om <data> & mål",
    kind: str = "webinar",
    date: str = "2027-11-18",
    start: str = "10:00",
    end: str = "11:30",
    end_date: str | None = None,
    location: str = "online",
    online_url: str | None = "https://teams.example.org/meet/9",
    capacity: str | None = None,
    price: str | None = None,
    options: tuple[str, ...] = ("feedback",),
    description: str | None = None,
    members_only: bool = False,
) -> dict[str, Any]:
    """A submitted session modal's ``state.values``, as Slack sends them."""

    def text(action_id: str, value: str | None, kind: str = "plain_text_input") -> dict[str, Any]:
        return {action_id: {"type": kind, "value": value}}

    values: dict[str, Any] = {
        BlockId.SESSION_TITLE: text(ActionId.SESSION_TITLE_INPUT, title),
        BlockId.SESSION_KIND: {
            ActionId.SESSION_KIND_INPUT: {
                "type": "static_select",
                "selected_option": {"value": kind, "text": {"type": "plain_text", "text": kind}},
            }
        },
        BlockId.SESSION_DATE: {
            ActionId.SESSION_DATE_INPUT: {"type": "datepicker", "selected_date": date}
        },
        BlockId.SESSION_START: {
            ActionId.SESSION_START_INPUT: {"type": "timepicker", "selected_time": start}
        },
        BlockId.SESSION_END: {
            ActionId.SESSION_END_INPUT: {"type": "timepicker", "selected_time": end}
        },
        BlockId.SESSION_END_DATE: {
            ActionId.SESSION_END_DATE_INPUT: {"type": "datepicker", "selected_date": end_date}
        },
        BlockId.SESSION_LOCATION: text(ActionId.SESSION_LOCATION_INPUT, location),
        BlockId.SESSION_URL: text(ActionId.SESSION_URL_INPUT, online_url, "url_text_input"),
        BlockId.SESSION_CAPACITY: text(ActionId.SESSION_CAPACITY_INPUT, capacity, "number_input"),
        BlockId.SESSION_PRICE: text(ActionId.SESSION_PRICE_INPUT, price, "number_input"),
        BlockId.SESSION_OPTIONS: {
            ActionId.SESSION_OPTIONS_INPUT: {
                "type": "checkboxes",
                "selected_options": [
                    {"value": o, "text": {"type": "plain_text", "text": o}} for o in options
                ],
            }
        },
        BlockId.SESSION_DESCRIPTION: text(ActionId.SESSION_DESCRIPTION_INPUT, description),
        BlockId.SESSION_AUDIENCE: {
            ActionId.SESSION_AUDIENCE_INPUT: {
                "type": "checkboxes",
                "selected_options": [
                    {"value": "members_only", "text": {"type": "plain_text", "text": "members"}}
                ]
                if members_only
                else [],
            }
        },
    }
    if key is not None:
        values[BlockId.SESSION_KEY] = text(ActionId.SESSION_KEY_INPUT, key)
    return values


def edit_form(**changes: Any) -> dict[str, Any]:
    """The world's session as the edit modal holds it, with *changes*."""
    base: dict[str, Any] = {
        "key": None,
        "title": TITLE,
        "kind": "network_meeting",
        "date": "2027-06-10",
        "start": "13:30",
        "end": "15:30",
        "location": "Middelfart Rådhus",
        "online_url": None,
        "capacity": "2",
        "options": ("feedback",),
    }
    return form(**{**base, **changes})


def opened_view(standin: FaultyStandIn, count: int = 1) -> dict[str, Any]:
    view: dict[str, Any] = standin.wait_for("views.open", count)[count - 1].args["view"]
    return view


def modal_outcome(standin: FaultyStandIn, view_id: str) -> str:
    """The text the modal shows once the lazy listener has saved (or refused)."""
    updated = standin.wait_for(
        "views.update", predicate=lambda call: call.args.get("view_id") == view_id
    )
    return text_of({"blocks": updated[-1].args["view"]["blocks"]})


def submit(
    slack: SignedSlackClient,
    values: dict[str, Any],
    *,
    user_id: str = FACILITATOR,
    editing: str = "",
    view_id: str = "V1",
) -> HttpResult:
    return slack.view_submission(
        CallbackId.SESSION_FORM,
        values,
        user_id=user_id,
        private_metadata=editing,
        view_id=view_id,
    )


def dms_to(standin: FaultyStandIn, user_id: str) -> list[RecordedCall]:
    return [c for c in standin.calls_to("chat.postMessage") if c.args.get("channel") == user_id]


def stored_session(runtime: Runtime, key: str) -> ProgrammeSession | None:
    with runtime.unit_of_work() as db:
        return db.scalar(select(ProgrammeSession).where(ProgrammeSession.key == key))


def deliveries(runtime: Runtime, kind: str) -> list[tuple[str, str, datetime]]:
    """(recipient, state, due_at) of every row of *kind*."""
    with runtime.unit_of_work() as db:
        rows = db.execute(
            select(Delivery.recipient, Delivery.state, Delivery.due_at)
            .where(Delivery.kind == kind)
            .order_by(Delivery.recipient, Delivery.due_at)
        ).all()
    return [(recipient, state, due) for recipient, state, due in rows]


# --- /sdg new -------------------------------------------------------------------------------


def test_a_session_for_the_seasons_members_is_set_stored_and_shown_in_the_form(
    runtime: Runtime, slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    key = "2027-11-18-webinar"
    assert slack.command("new", user_id=FACILITATOR).status == 200
    view = opened_view(standin)
    audience = next(b for b in view["blocks"] if b.get("block_id") == BlockId.SESSION_AUDIENCE)
    assert audience["element"]["type"] == "checkboxes"
    assert "initial_options" not in audience["element"]

    # A members' session is included in the membership: no price of its own.
    priced = submit(slack, form(members_only=True, price="250"))
    assert priced.json["response_action"] == "errors"
    assert set(priced.json["errors"]) == {BlockId.SESSION_PRICE}
    assert stored_session(runtime, key) is None

    saving = submit(slack, form(members_only=True, price=""))
    assert saving.json["response_action"] == "update"
    assert "is created" in modal_outcome(standin, "V1")
    stored = stored_session(runtime, key)
    assert stored is not None and stored.members_only is True
    (dm,) = standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == FACILITATOR
    )
    assert "Included in the network membership" in text_of(dm.args)

    # The edit form shows it ticked; unticking it opens the session to everyone.
    assert slack.command(f"edit {key}", user_id=FACILITATOR).status == 200
    editing = opened_view(standin, 2)
    audience = next(b for b in editing["blocks"] if b.get("block_id") == BlockId.SESSION_AUDIENCE)
    assert [o["value"] for o in audience["element"]["initial_options"]] == ["members_only"]
    reopened = submit(slack, form(key=None, members_only=False), editing=key, view_id="V2")
    assert reopened.json["response_action"] == "update"
    modal_outcome(standin, "V2")  # the lazy part has saved
    stored = stored_session(runtime, key)
    assert stored is not None and stored.members_only is False


def test_a_facilitator_creates_a_session_in_the_modal_and_members_see_it(
    runtime: Runtime, slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    assert slack.command("new", user_id=FACILITATOR).status == 200
    view = opened_view(standin)
    assert view["callback_id"] == CallbackId.SESSION_FORM
    assert view["private_metadata"] == ""
    assert view["title"]["text"] == "New session"
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert elements[BlockId.SESSION_DATE]["type"] == "datepicker"
    assert elements[BlockId.SESSION_START] == {
        "type": "timepicker",
        "action_id": ActionId.SESSION_START_INPUT,
        "timezone": "Europe/Copenhagen",
    }
    assert "programme file" in text_of({"blocks": view["blocks"]})

    saving = submit(slack, form(capacity="30", price="0", description="Data & mål"))
    assert saving.json["response_action"] == "update"
    assert "Saving" in text_of({"blocks": saving.json["view"]["blocks"]})
    assert "is created" in modal_outcome(standin, "V1")
    (dm,) = standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == FACILITATOR
    )
    assert "Key: `2027-11-18-webinar`" in text_of(dm.args)
    assert "Webinar om &lt;data&gt; &amp; mål" in text_of(dm.args)

    session = stored_session(runtime, "2027-11-18-webinar")
    assert session is not None
    # 10:00 in Copenhagen on 18 November is winter time: 09:00 UTC.
    assert (session.starts_at, session.ends_at) == (
        datetime(2027, 11, 18, 9, 0, tzinfo=UTC),
        datetime(2027, 11, 18, 10, 30, tzinfo=UTC),
    )
    assert (session.title, session.kind, session.capacity, session.price) == (
        "Webinar om <data> & mål",
        "webinar",
        30,
        0,
    )
    assert (session.feedback, session.anonymous, session.timezone) == (
        True,
        False,
        "Europe/Copenhagen",
    )

    listed = text_of(answer_of(slack.command("list", user_id="U0ANNA"), standin))
    assert "Webinar om &lt;data&gt; &amp; mål" in listed
    upcoming = text_of(answer_of(slack.command("next", user_id="U0ANNA"), standin))
    assert "Webinar om &lt;data&gt; &amp; mål" in upcoming
    assert "10:00" in upcoming


def test_the_form_shows_each_error_under_its_field_in_the_facilitators_language(
    runtime: Runtime, slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    build_world(runtime)
    wrong = submit(
        slack,
        form(
            key="bad key!",
            title=" ",
            start="14:00",
            end="13:00",
            online_url="teams.example.org/meet",
            capacity="-1",
        ),
    )
    body = wrong.json
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {
        BlockId.SESSION_KEY,
        BlockId.SESSION_TITLE,
        BlockId.SESSION_END,
        BlockId.SESSION_URL,
        BlockId.SESSION_CAPACITY,
    }
    assert body["errors"][BlockId.SESSION_END] == "Arrangementet skal slutte, efter det begynder."

    taken = submit(slack, form(key=KEY.upper()))
    assert taken.json == {
        "response_action": "errors",
        "errors": {
            BlockId.SESSION_KEY: f"Der er allerede et arrangement med nøglen {KEY.upper()}."
        },
    }
    # The clocks jump from 02:00 to 03:00 on 28 March 2027 in Copenhagen.
    skipped = submit(slack, form(key="2027-03-28-night", date="2027-03-28", start="02:30"))
    assert set(skipped.json["errors"]) == {BlockId.SESSION_START}

    with runtime.unit_of_work() as db:
        keys = list(db.scalars(select(ProgrammeSession.key)))
    assert keys == [KEY]
    assert standin.calls_to("views.update") == []


# --- /sdg edit ------------------------------------------------------------------------------


def test_moving_a_session_tells_each_registrant_once_and_moves_their_reminders(
    runtime: Runtime, slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    build_world(runtime)
    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, NOW)  # plans the reminders of the two confirmed members
    before = deliveries(runtime, DeliveryKind.REMINDER)
    assert {(r, s) for r, s, _ in before} == {("U0ANNA", "pending"), ("U0BO", "pending")}

    slack.command(f"edit {KEY}", user_id=FACILITATOR)
    view = opened_view(standin)
    assert (view["private_metadata"], view["title"]["text"]) == (KEY, "Rediger arrangement")
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert BlockId.SESSION_KEY not in elements
    assert elements[BlockId.SESSION_DATE]["initial_date"] == "2027-06-10"
    assert elements[BlockId.SESSION_START]["initial_time"] == "13:30"
    assert elements[BlockId.SESSION_END]["initial_time"] == "15:30"
    assert elements[BlockId.SESSION_CAPACITY]["initial_value"] == "2"
    assert elements[BlockId.SESSION_TITLE]["initial_value"] == TITLE

    submit(slack, edit_form(start="14:30", end="16:30"), editing=KEY)
    outcome = modal_outcome(standin, "V1")
    assert "er gemt" in outcome and "3 tilmeldte får besked" in outcome

    moved = STARTS + timedelta(hours=1)
    session = stored_session(runtime, KEY)
    assert session is not None and session.starts_at == moved
    standin.clear()
    report = run_due_work(runtime, client, NOW)
    assert report.sent == 3
    anna = dms_to(standin, "U0ANNA")[0].args
    assert "Nyt tidspunkt: torsdag den 10. juni 2027 kl. 14.30–16.30" in text_of(anna)
    assert "Før: ~torsdag den 10. juni 2027 kl. 13.30–15.30~" in text_of(anna)
    bo = dms_to(standin, "U0BO")[0].args
    assert "Nytt tidspunkt" in text_of(bo)
    waiting = text_of(dms_to(standin, "U0WAIT")[0].args)
    # New York is six hours behind Copenhagen in June.
    assert "New time: Thursday, 10 June 2027, 08:30–10:30 (New York)" in waiting
    assert "You are still on the waiting list." in waiting
    assert dms_to(standin, "U0GONE") == []

    after = deliveries(runtime, DeliveryKind.REMINDER)
    assert [due for _, _, due in after] == [due + timedelta(hours=1) for _, _, due in before]
    assert {s for _, s, _ in after} == {"pending"}

    # Nothing is sent twice, and saving the same values again changes nothing.
    assert run_due_work(runtime, client, NOW).sent == 0
    submit(slack, edit_form(start="14:30", end="16:30"), editing=KEY, view_id="V2")
    assert "Intet blev ændret" in modal_outcome(standin, "V2")
    assert len(deliveries(runtime, DeliveryKind.SESSION_CHANGED)) == 3


def test_more_seats_move_the_waiting_list_up_and_fewer_than_taken_are_refused(
    runtime: Runtime, slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    build_world(runtime)
    refused = submit(slack, edit_form(capacity="1"), editing=KEY)
    assert set(refused.json["errors"]) == {BlockId.SESSION_CAPACITY}
    assert "2" in refused.json["errors"][BlockId.SESSION_CAPACITY]

    submit(slack, edit_form(capacity="3"), editing=KEY)
    assert "1 medlem rykkede op fra ventelisten" in modal_outcome(standin, "V1")
    with runtime.unit_of_work() as db:
        statuses = dict(
            db.execute(
                select(Registration.member_id, Registration.status).where(
                    Registration.status == RegistrationStatus.CONFIRMED
                )
            ).all()
        )
    assert len(statuses) == 3
    standin.clear()
    run_due_work(runtime, make_delivery_client(runtime.settings), NOW)
    assert "a seat has become free" in text_of(dms_to(standin, "U0WAIT")[0].args)
    # A seat count is no news for the others.
    assert deliveries(runtime, DeliveryKind.SESSION_CHANGED) == []


# --- /sdg announce --------------------------------------------------------------------------


def announced(standin: FaultyStandIn, channel: str) -> dict[str, Any]:
    post = standin.wait_for("chat.postMessage", predicate=lambda c: c.args["channel"] == channel)
    message: dict[str, Any] = post[0].args
    assert validate_message_blocks(message.get("blocks")) == []
    return message


@pytest.mark.parametrize("announce_channel", [ANNOUNCE_CHANNEL])
def test_announce_posts_the_public_card_to_the_configured_channel(
    runtime: Runtime, slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    build_world(runtime)
    reply = answer_of(slack.command(f"announce {KEY}", user_id=FACILITATOR), standin)
    post = announced(standin, ANNOUNCE_CHANNEL)
    assert set(buttons_of(post)) == {ActionId.REGISTER, ActionId.ADD_TO_CALENDAR}
    assert TITLE in text_of(post) and "Tilmeld" in text_of(post)  # the network's language
    assert reply["response_type"] == "ephemeral"
    assert f"<#{ANNOUNCE_CHANNEL}>" in text_of(reply)


def test_announce_posts_where_the_command_was_typed_or_says_how_to_invite_the_bot(
    runtime: Runtime, slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    build_world(runtime)
    answer_of(slack.command(f"announce {KEY}", user_id=FACILITATOR, channel_id="C0HERE"), standin)
    assert TITLE in text_of(announced(standin, "C0HERE"))

    standin.clear()
    standin.fail_next("chat.postMessage", status=200, error="not_in_channel")
    told = answer_of(
        slack.command(f"announce {KEY}", user_id=FACILITATOR, channel_id="C0ELSEWHERE"), standin
    )
    assert "<#C0ELSEWHERE>" in text_of(told) and "/invite @sdgbot" in text_of(told)
    assert told["response_type"] == "ephemeral"
    (attempt,) = standin.calls_to("chat.postMessage")
    assert attempt.response == {"ok": False, "error": "not_in_channel"}


# --- /sdg cancel-session --------------------------------------------------------------------


def test_cancelling_asks_first_then_tells_each_registrant_once(
    runtime: Runtime, slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    build_world(runtime)
    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, NOW)
    question = answer_of(slack.command(f"cancel-session {KEY}", user_id=FACILITATOR), standin)
    button = buttons_of(question)[ActionId.CONFIRM_CANCEL_SESSION]
    assert button["style"] == "danger" and button["confirm"]["style"] == "danger"
    assert "2 er tilmeldt, 1 er på ventelisten" in text_of(question)
    session = stored_session(runtime, KEY)
    assert session is not None and session.cancelled_at is None  # asking changed nothing

    pressed = slack.block_action(
        ActionId.CONFIRM_CANCEL_SESSION, button["value"], user_id=FACILITATOR
    )
    done = answer_of(pressed, standin)
    assert done["replace_original"] is True
    assert "er aflyst" in text_of(done) and "3 tilmeldte får besked" in text_of(done)
    session = stored_session(runtime, KEY)
    assert session is not None and session.cancelled_at == NOW

    standin.clear()
    assert run_due_work(runtime, client, NOW).sent == 3
    assert "Vi beklager: Netværksmøde i Middelfart er aflyst." in text_of(
        dms_to(standin, "U0ANNA")[0].args
    )
    assert "beklager" in text_of(dms_to(standin, "U0BO")[0].args)
    assert "We are sorry" in text_of(dms_to(standin, "U0WAIT")[0].args)
    assert {s for _, s, _ in deliveries(runtime, DeliveryKind.REMINDER)} == {"skipped"}

    again = answer_of(
        slack.block_action(ActionId.CONFIRM_CANCEL_SESSION, KEY, user_id=FACILITATOR), standin
    )
    assert "var allerede aflyst" in text_of(again)
    assert run_due_work(runtime, client, NOW).sent == 0
    assert len(deliveries(runtime, DeliveryKind.SESSION_CANCELLED)) == 3

    card = text_of(answer_of(slack.command(f"show {KEY}", user_id="U0ANNA"), standin))
    assert "Aflyst" in card
    ended = answer_of(slack.command(f"cancel-session {KEY}", user_id=FACILITATOR), standin)
    assert "var allerede aflyst" in text_of(ended)


def test_a_session_that_has_ended_cannot_be_cancelled(
    runtime: Runtime, slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    with runtime.unit_of_work(write=True) as db:
        make.add_session(db, "2027-04-01-old", starts=NOW - timedelta(days=30), now=NOW)
    told = answer_of(slack.command("cancel-session 2027-04-01-old", user_id=FACILITATOR), standin)
    assert "has already ended" in text_of(told)
    pressed = slack.block_action(
        ActionId.CONFIRM_CANCEL_SESSION, "2027-04-01-old", user_id=FACILITATOR
    )
    assert "has already ended" in text_of(answer_of(pressed, standin))
    session = stored_session(runtime, "2027-04-01-old")
    assert session is not None and session.cancelled_at is None


# --- who may ----------------------------------------------------------------------------------


# Without a user group the ack-path gate knows who is no facilitator (with one, it
# lets everyone through to Slack's check until it has an answer).
@pytest.mark.parametrize("usergroup", [""])
def test_help_lists_the_session_commands_to_facilitators_only(
    slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    facilitator = text_of(answer_of(slack.command("help", user_id=FACILITATOR), standin))
    for word in ("new", "edit", "announce", "cancel-session"):
        assert f"/sdg {word}`" in facilitator
    member = text_of(answer_of(slack.command("help", user_id=MEMBER), standin))
    assert "/sdg new`" not in member and "cancel-session" not in member


def refused_in_modal(result: HttpResult, standin: FaultyStandIn, view_id: str) -> bool:
    """Refused at the ack (the modal says so at once) or after Slack's check (updated)."""
    assert result.json["response_action"] == "update"
    if REFUSAL in text_of({"blocks": result.json["view"]["blocks"]}):
        return True
    return REFUSAL in modal_outcome(standin, view_id)


def test_a_member_is_refused_on_commands_the_button_and_forged_modals(
    runtime: Runtime, slack: SignedSlackClient, standin: FaultyStandIn
) -> None:
    build_world(runtime)
    # A user group member is a facilitator while Slack says so ...
    asked = answer_of(slack.command(f"cancel-session {KEY}", user_id=GROUP_MEMBER), standin)
    assert ActionId.CONFIRM_CANCEL_SESSION in buttons_of(asked)
    # ... and refused the moment Slack says otherwise, though the ack-path gate
    # still remembers the last answer and lets the forged form through to the check.
    standin.add_usergroup(GROUP, [])
    forged = submit(slack, form(), user_id=GROUP_MEMBER, view_id="Vgroup")
    assert "Saving" in text_of({"blocks": forged.json["view"]["blocks"]})
    assert REFUSAL in modal_outcome(standin, "Vgroup")

    for user_id in (GROUP_MEMBER, MEMBER):
        for text in ("new", f"edit {KEY}", f"announce {KEY}", f"cancel-session {KEY}"):
            refused = answer_of(slack.command(text, user_id=user_id), standin)
            assert REFUSAL in text_of(refused), (user_id, text)
            assert refused["response_type"] == "ephemeral"

        pressed = slack.block_action(ActionId.CONFIRM_CANCEL_SESSION, KEY, user_id=user_id)
        assert REFUSAL in text_of(answer_of(pressed, standin))

        created = submit(slack, form(), user_id=user_id, view_id=f"Vnew{user_id}")
        assert refused_in_modal(created, standin, f"Vnew{user_id}")
        edited = submit(
            slack, edit_form(start="09:00"), user_id=user_id, editing=KEY, view_id=f"Vedit{user_id}"
        )
        assert refused_in_modal(edited, standin, f"Vedit{user_id}")

    session = stored_session(runtime, KEY)
    assert session is not None
    assert (session.starts_at, session.cancelled_at) == (STARTS, None)
    assert stored_session(runtime, "2027-11-18-webinar") is None
    with runtime.unit_of_work() as db:
        assert list(db.scalars(select(Delivery.kind))) == []
    assert standin.calls_to("views.open") == []
    assert standin.calls_to("chat.postMessage") == []
