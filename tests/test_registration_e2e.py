"""Registration end to end: signed HTTP to the served bot, the Web API stand-in, a real database."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from slack_bolt.request import request as bolt_request_module
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.ids import ActionId, BlockId, CallbackId
from bot.models import (
    Delivery,
    DeliveryKind,
    Member,
    Organisation,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.runtime import Runtime
from bot.sandbox.slack_standin import RecordedCall, SlackStandIn, validate_message_blocks
from tests.conftest import SIGNING_SECRET, TEAM_ID, ImportText, ServedBot
from tests.support.conversation import answer_of, buttons_of, text_of
from tests.support.factories import add_member, add_organisation
from tests.support.signed_client import HttpResult, SignedSlackClient

PROGRAMME = """
[[session]]
key = "2027-06-01-aarhus"
title = "Netværksmøde i Aarhus"
kind = "network_meeting"
starts = 2027-06-01T10:00:00
ends = 2027-06-01T15:00:00
location = "Aarhus Rådhus"
capacity = 2

[[session]]
key = "2027-06-15-hybrid"
title = "Symposium i Middelfart"
kind = "symposium"
starts = 2027-06-15T13:00:00
ends = 2027-06-15T16:00:00
location = "Middelfart Rådhus"
online_url = "https://teams.example.org/meet/7"
capacity = 1
price = 1500

[[session]]
key = "2027-06-20-webinar"
title = "Webinar om data"
kind = "webinar"
starts = 2027-06-20T09:00:00
ends = 2027-06-20T10:00:00
location = "online"
online_url = "https://teams.example.org/meet/8"
"""

AARHUS = "Aarhus Kommune"


@pytest.fixture(autouse=True)
def valid_block_kit(standin: SlackStandIn) -> Any:
    """Every message and view the bot sent through the Web API passed Slack's limits."""
    yield
    assert standin.violations == []


def answer(result: HttpResult, standin: SlackStandIn) -> dict[str, Any]:
    """The member's answer (ack body or response_url), checked against Block Kit limits."""
    message = answer_of(result, standin)
    assert validate_message_blocks(message.get("blocks")) == []
    return message


@pytest.fixture
def programme(import_programme_text: ImportText) -> None:
    import_programme_text(PROGRAMME)


@pytest.fixture
def member(runtime: Runtime, standin: SlackStandIn) -> Callable[..., str]:
    """A member whose profile is complete and whose Slack profile is cached."""

    def make(user_id: str, organisation: str = AARHUS, name: str = "") -> str:
        now = runtime.clock.now()
        with runtime.unit_of_work(write=True) as db:
            org = db.scalar(select(Organisation).where(Organisation.name == organisation))
            org = org or add_organisation(db, organisation)
            add_member(db, user_id, now=now, organisation=org, name=name)
        standin.add_user(user_id, locale="en-GB")
        return user_id

    return make


def registrations(runtime: Runtime, key: str) -> dict[str, tuple[str, str]]:
    """slack user id -> (status, attendance)."""
    with runtime.unit_of_work() as db:
        rows = db.execute(
            select(Member.slack_user_id, Registration.status, Registration.attendance)
            .join(Registration, Registration.member_id == Member.id)
            .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
            .where(ProgrammeSession.key == key)
        )
        return {user: (status, attendance) for user, status, attendance in rows}


def promotions(runtime: Runtime) -> list[tuple[str, str]]:
    with runtime.unit_of_work() as db:
        rows = db.execute(
            select(Delivery.recipient, Delivery.offset_key)
            .where(Delivery.kind == DeliveryKind.PROMOTION)
            .order_by(Delivery.id)
        )
        return list(rows.tuples().all())


def view_of(call: RecordedCall) -> dict[str, Any]:
    view = call.args["view"]
    return json.loads(view) if isinstance(view, str) else view


def dms_to(standin: SlackStandIn, user_id: str) -> list[dict[str, Any]]:
    return [c.args for c in standin.calls_to("chat.postMessage") if c.args["channel"] == user_id]


def profile_values(
    name: str | None,
    organisation: dict[str, Any] | None,
    role: str | None,
    *,
    other: str | None = None,
    attendance: str | None = None,
) -> dict[str, Any]:
    def selected(value: str | None) -> dict[str, Any] | None:
        return {"text": {"type": "plain_text", "text": value}, "value": value} if value else None

    values: dict[str, Any] = {
        BlockId.PROFILE_NAME: {
            ActionId.PROFILE_NAME_INPUT: {"type": "plain_text_input", "value": name}
        },
        BlockId.PROFILE_ORGANISATION: {
            ActionId.ORGANISATION_SELECT: {
                "type": "external_select",
                "selected_option": organisation,
            }
        },
        BlockId.PROFILE_ORGANISATION_OTHER: {
            ActionId.PROFILE_OTHER_INPUT: {"type": "plain_text_input", "value": other}
        },
        BlockId.PROFILE_ROLE: {
            ActionId.PROFILE_ROLE_SELECT: {
                "type": "static_select",
                "selected_option": selected(role),
            }
        },
    }
    if attendance is not None:
        values[BlockId.ATTENDANCE] = {
            ActionId.ATTENDANCE_CHOICE: {
                "type": "radio_buttons",
                "selected_option": selected(attendance),
            }
        }
    return values


def submit(
    slack: SignedSlackClient, opened: dict[str, Any], user_id: str, values: dict[str, Any]
) -> HttpResult:
    return slack.view_submission(
        CallbackId.PROFILE,
        values,
        user_id=user_id,
        private_metadata=opened.get("private_metadata", ""),
        view={"blocks": opened["blocks"], "title": opened["title"]},
    )


def organisation_options(slack: SignedSlackClient, typed: str, user_id: str) -> Any:
    """The profile modal's organisation type-ahead for *typed*."""
    return slack.block_suggestion(
        ActionId.ORGANISATION_SELECT, typed, user_id=user_id, block_id=BlockId.PROFILE_ORGANISATION
    ).json["options"]


# --- the first registration: profile modal --------------------------------------------------


def test_first_registration_opens_the_profile_modal_and_completes_on_submit(
    slack: SignedSlackClient, standin: SlackStandIn, runtime: Runtime, programme: None
) -> None:
    standin.add_user("U_ANNA", locale="en-GB", real_name="Anna Holm")

    result = slack.command("register 2027-06-01-aarhus", user_id="U_ANNA")
    assert result.status == 200
    opened = view_of(standin.wait_for("views.open")[0])
    assert opened["callback_id"] == CallbackId.PROFILE
    inputs = {b["block_id"]: b["element"] for b in opened["blocks"] if b["type"] == "input"}
    assert inputs[BlockId.PROFILE_NAME]["initial_value"] == "Anna Holm"  # from Slack
    assert inputs[BlockId.PROFILE_ORGANISATION]["type"] == "external_select"
    assert BlockId.ATTENDANCE not in inputs  # a place only: no question
    assert registrations(runtime, "2027-06-01-aarhus") == {}

    # Type-ahead over all municipalities, with "Other" always last.
    options = organisation_options(slack, "aarh", "U_ANNA")
    assert options[0]["text"]["text"] == AARHUS and options[-1]["value"] == "other"

    # "Other" without a name is sent back with the problem next to the field.
    other = {"text": {"type": "plain_text", "text": "Other"}, "value": "other"}
    refused = submit(slack, opened, "U_ANNA", profile_values("Anna Holm", other, "leader"))
    assert refused.json["response_action"] == "errors"
    assert set(refused.json["errors"]) == {BlockId.PROFILE_ORGANISATION_OTHER}

    accepted = submit(slack, opened, "U_ANNA", profile_values("Anna Holm", options[0], "leader"))
    assert accepted.status == 200 and accepted.json is None  # the modal closes
    confirmation = standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == "U_ANNA"
    )[0].args
    assert "You are registered for Netværksmøde i Aarhus" in text_of(confirmation)
    assert "Free of charge" in text_of(confirmation)
    assert ActionId.CANCEL_REGISTRATION in buttons_of(confirmation)
    assert registrations(runtime, "2027-06-01-aarhus") == {"U_ANNA": ("confirmed", "room")}
    with runtime.unit_of_work() as db:
        anna = db.scalar(select(Member).where(Member.slack_user_id == "U_ANNA"))
        assert anna is not None and anna.has_profile and anna.role == "leader"
        assert anna.organisation is not None and anna.organisation.name == AARHUS

    # The profile is asked once: the next registration is answered straight away.
    next_one = answer(slack.command("register 2027-06-20-webinar", user_id="U_ANNA"), standin)
    assert "You are registered for Webinar om data" in text_of(next_one)
    assert len(standin.calls_to("views.open")) == 1


def test_a_hybrid_first_registration_asks_room_or_online_in_the_modal(
    slack: SignedSlackClient, standin: SlackStandIn, runtime: Runtime, programme: None
) -> None:
    standin.add_user("U_NEW", locale="da-DK", real_name="Jens Berg")
    slack.command("tilmeld 2027-06-15-hybrid", user_id="U_NEW")
    opened = view_of(standin.wait_for("views.open")[0])
    assert opened["title"]["text"] == "Tilmelding"  # the member's language
    assert any(b.get("block_id") == BlockId.ATTENDANCE for b in opened["blocks"])

    organisation = {"text": {"type": "plain_text", "text": "x"}, "value": "m:NO:Bergen kommune"}
    missing = submit(
        slack, opened, "U_NEW", profile_values("Jens Berg", organisation, "politician")
    )
    assert set(missing.json["errors"]) == {BlockId.ATTENDANCE}
    values = profile_values("Jens Berg", organisation, "politician", attendance="online")
    assert submit(slack, opened, "U_NEW", values).json is None
    dm = standin.wait_for("chat.postMessage", predicate=lambda c: c.args["channel"] == "U_NEW")
    assert "Du er tilmeldt Symposium i Middelfart" in text_of(dm[0].args)
    assert registrations(runtime, "2027-06-15-hybrid") == {"U_NEW": ("confirmed", "online")}


def test_profile_command_edits_the_profile(
    slack: SignedSlackClient, standin: SlackStandIn, runtime: Runtime, member: Callable[..., str]
) -> None:
    member("U_EVA", name="Eva Lund")
    answer(slack.command("help", user_id="U_EVA"), standin)  # known member from here on
    slack.command("profile", user_id="U_EVA")
    opened = view_of(standin.wait_for("views.open")[0])
    inputs = {b["block_id"]: b["element"] for b in opened["blocks"] if b["type"] == "input"}
    assert inputs[BlockId.PROFILE_NAME]["initial_value"] == "Eva Lund"
    assert inputs[BlockId.PROFILE_ORGANISATION]["initial_option"]["text"]["text"] == AARHUS
    assert opened["private_metadata"] == ""

    values = profile_values("Eva Lund", None, "practitioner", other="Region Midtjylland")
    assert submit(slack, opened, "U_EVA", values).json is None
    with runtime.unit_of_work() as db:
        eva = db.scalar(select(Member).where(Member.slack_user_id == "U_EVA"))
        assert eva is not None and eva.organisation is not None
        assert (eva.organisation.name, eva.role) == ("Region Midtjylland", "practitioner")


# --- register, cancel, register again ------------------------------------------------------


def test_register_cancel_and_register_again(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    clock: FixedClock,
    programme: None,
    member: Callable[..., str],
) -> None:
    user = member("U_OLE")
    key = "2027-06-01-aarhus"
    registered = answer(slack.command(f"register {key}", user_id=user), standin)
    assert "You are registered for Netværksmøde i Aarhus" in text_of(registered)
    cancel_button = buttons_of(registered)[ActionId.CANCEL_REGISTRATION]
    assert cancel_button["value"] == key and "confirm" in cancel_button

    cancelled = answer(slack.block_action(ActionId.CANCEL_REGISTRATION, key, user_id=user), standin)
    assert cancelled["replace_original"] is False and cancelled["response_type"] == "ephemeral"
    assert "Your registration for Netværksmøde i Aarhus is cancelled" in text_of(cancelled)
    assert registrations(runtime, key) == {user: ("cancelled", "room")}

    again = answer(slack.block_action(ActionId.REGISTER, key, user_id=user), standin)
    assert "You are registered" in text_of(again)
    assert registrations(runtime, key) == {user: ("confirmed", "room")}

    mine = answer(slack.command("my", user_id=user), standin)
    assert "Netværksmøde i Aarhus" in text_of(mine)
    assert ActionId.CANCEL_REGISTRATION in buttons_of(mine)

    asked_by_command = answer(slack.command("afmeld", user_id=user), standin)
    assert "Cancel your place at *Netværksmøde i Aarhus*" in text_of(asked_by_command)
    assert registrations(runtime, key) == {user: ("confirmed", "room")}

    clock.set(datetime.fromisoformat("2027-06-01T10:30:00+02:00"))
    refused = answer(slack.command(f"cancel {key}", user_id=user), standin)
    assert "has already started" in text_of(refused)
    refused = answer(slack.block_action(ActionId.CANCEL_REGISTRATION, key, user_id=user), standin)
    assert "has already started" in text_of(refused)
    assert registrations(runtime, key) == {user: ("confirmed", "room")}


def test_a_payload_is_parsed_once_and_only_work_left_after_the_ack_starts_a_thread(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    programme: None,
    served_bot: ServedBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """bolt's lazy listeners parsed a submission's (or a click's) whole form body a
    second time for their copy of the request, and started a thread for every one."""
    parsed: list[str] = []
    parse_body = bolt_request_module.parse_body

    def counted(body: str, content_type: str | None) -> dict[str, Any]:
        parsed.append(body[:16])
        return parse_body(body, content_type)

    monkeypatch.setattr(bolt_request_module, "parse_body", counted)
    pool = served_bot.bolt_app.listener_runner.listener_executor
    started: list[str] = []
    submit_to_pool = pool.submit

    def counted_submit(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        started.append(getattr(args[0], "__name__", "") if args else fn.__name__)
        return submit_to_pool(fn, *args, **kwargs)

    monkeypatch.setattr(pool, "submit", counted_submit)
    standin.add_user("U_ANNA", locale="en-GB", real_name="Anna Holm")
    slack.command("register 2027-06-01-aarhus", user_id="U_ANNA")
    opened = view_of(standin.wait_for("views.open")[0])
    parsed.clear()
    started.clear()

    refused = submit(slack, opened, "U_ANNA", profile_values("Anna Holm", None, "leader"))
    assert refused.json["response_action"] == "errors"
    assert len(parsed) == 1 and started == []  # the ack said it all: no thread

    options = organisation_options(slack, "aarh", "U_ANNA")
    parsed.clear()
    submit(slack, opened, "U_ANNA", profile_values("Anna Holm", options[0], "leader"))
    confirmation = standin.wait_for(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == "U_ANNA"
    )[0].args
    assert len(parsed) == 1 and len(started) == 1  # the DM, after the ack

    parsed.clear()
    clicked = slack.block_action(
        ActionId.CANCEL_REGISTRATION,
        buttons_of(confirmation)[ActionId.CANCEL_REGISTRATION]["value"],
        user_id="U_ANNA",
    )
    assert clicked.status == 200
    assert len(parsed) == 1 and len(started) == 2


def test_a_double_click_leaves_one_registration(
    slack: SignedSlackClient, standin: SlackStandIn, runtime: Runtime, programme: None, member
) -> None:
    user = member("U_TWICE")
    with ThreadPoolExecutor(max_workers=2) as pool:
        clicks = list(
            pool.map(
                lambda _n: slack.block_action(ActionId.REGISTER, "2027-06-01-aarhus", user_id=user),
                range(2),
            )
        )
    answers = [text_of(answer(click, standin)) for click in clicks]
    assert sorted("already" in a for a in answers) == [False, True]
    with runtime.unit_of_work() as db:
        assert db.scalar(select(func.count()).select_from(Registration)) == 1


def test_registering_from_app_home_answers_by_dm_and_redraws_the_tab(
    slack: SignedSlackClient, standin: SlackStandIn, runtime: Runtime, programme: None, member
) -> None:
    user = member("U_HOME")
    slack.block_action(
        ActionId.REGISTER, "2027-06-20-webinar", user_id=user, view={"id": "VHOME", "type": "home"}
    )
    dm = standin.wait_for("chat.postMessage", predicate=lambda c: c.args["channel"] == user)
    assert "You are registered for Webinar om data" in text_of(dm[0].args)
    home = view_of(standin.wait_for("views.publish")[0])
    assert "Webinar om data" in json.dumps(home)
    assert registrations(runtime, "2027-06-20-webinar") == {user: ("confirmed", "online")}


# --- the waiting list ------------------------------------------------------------------------


def test_the_waiting_list_and_the_automatic_promotion_with_its_dm(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    clock: FixedClock,
    programme: None,
    member,
) -> None:
    key = "2027-06-01-aarhus"  # two seats
    first, second, third = member("U_1"), member("U_2"), member("U_3")
    for user in (first, second):
        answer(slack.command(f"register {key}", user_id=user), standin)
        clock.advance(timedelta(seconds=5))
    waiting = answer(slack.command(f"register {key}", user_id=third), standin)
    assert "You are number 1 on the waiting list" in text_of(waiting)
    assert "Fee" not in text_of(waiting)

    answer(slack.block_action(ActionId.CANCEL_REGISTRATION, key, user_id=first), standin)
    assert registrations(runtime, key)[third] == ("confirmed", "room")
    assert promotions(runtime) == [(third, "1")]
    # The same cancellation again (a retry) promotes nobody else and queues nothing.
    answer(slack.block_action(ActionId.CANCEL_REGISTRATION, key, user_id=first), standin)
    assert promotions(runtime) == [(third, "1")]

    from bot.delivery.scheduler import run_due_work
    from bot.delivery.slack_sender import make_delivery_client

    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, clock.now())
    run_due_work(runtime, client, clock.now() + timedelta(minutes=1))
    notices = [m for m in dms_to(standin, third) if "seat has become free" in text_of(m)]
    assert len(notices) == 1
    assert "Netværksmøde i Aarhus" in text_of(notices[0])
    assert ActionId.CANCEL_REGISTRATION in buttons_of(notices[0])


def test_raising_capacity_moves_the_list_up(
    slack: SignedSlackClient, standin: SlackStandIn, runtime: Runtime, programme: None, member
) -> None:
    from bot.services import registration

    key = "2027-06-01-aarhus"
    users = [member(f"U_R{n}") for n in range(4)]
    for user in users:
        answer(slack.command(f"register {key}", user_id=user), standin)
    with runtime.unit_of_work(write=True) as db:
        registration.raise_capacity(db, runtime.settings.home_team_id, key, 3, runtime.clock.now())
    assert [s for s, _a in registrations(runtime, key).values()].count("confirmed") == 3
    assert promotions(runtime) == [(users[2], "1")]


# --- in the room or online -----------------------------------------------------------------


def test_hybrid_session_counts_room_seats_only(
    slack: SignedSlackClient, standin: SlackStandIn, runtime: Runtime, programme: None, member
) -> None:
    key = "2027-06-15-hybrid"  # one room seat
    room, online, late_room, late_online = (member(f"U_H{n}") for n in range(4))

    choice = answer(slack.command(f"register {key}", user_id=room), standin)
    buttons = buttons_of(choice)
    assert set(buttons) == {ActionId.REGISTER_IN_ROOM, ActionId.REGISTER_ONLINE}
    assert registrations(runtime, key) == {}

    in_room = answer(slack.block_action(ActionId.REGISTER_IN_ROOM, key, user_id=room), standin)
    assert "In the room: Middelfart Rådhus" in text_of(in_room)
    assert "Fee: DKK\xa01,500" in text_of(in_room)
    online_answer = answer(
        slack.block_action(ActionId.REGISTER_ONLINE, key, user_id=online), standin
    )
    assert "Online" in text_of(online_answer) and "teams.example.org/meet/7" in text_of(
        online_answer
    )
    assert "25% discount: a colleague from Aarhus Kommune" in text_of(online_answer)
    full = answer(slack.block_action(ActionId.REGISTER_IN_ROOM, key, user_id=late_room), standin)
    assert "You are number 1 on the waiting list" in text_of(full)
    never_full = answer(
        slack.block_action(ActionId.REGISTER_ONLINE, key, user_id=late_online), standin
    )
    assert "You are registered" in text_of(never_full)
    assert registrations(runtime, key) == {
        room: ("confirmed", "room"),
        online: ("confirmed", "online"),
        late_room: ("waiting", "room"),
        late_online: ("confirmed", "online"),
    }


# --- fees ------------------------------------------------------------------------------------


def test_a_webinar_is_free_for_everyone_from_one_municipality(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    clock: FixedClock,
    programme: None,
    member,
) -> None:
    # The season membership and its discount: tests/test_membership_e2e.py.
    key = "2027-06-20-webinar"
    for user in (member("U_F1", name="Anna"), member("U_F2", name="Bo")):
        text = text_of(answer(slack.command(f"register {key}", user_id=user), standin))
        assert "Free of charge" in text and "DKK" not in text
        clock.advance(timedelta(seconds=1))


# --- no overbooking under load -------------------------------------------------------------


def test_200_concurrent_registrations_for_20_seats(
    served_bot: Any, standin: SlackStandIn, runtime: Runtime, import_programme_text: ImportText
) -> None:
    import_programme_text(
        """
[[session]]
key = "2027-06-03-rush"
title = "Populært netværksmøde"
kind = "network_meeting"
starts = 2027-06-03T10:00:00
ends = 2027-06-03T15:00:00
location = "Vejle Rådhus"
capacity = 20
"""
    )
    now = runtime.clock.now()
    users = [f"U_RUSH{n:03d}" for n in range(200)]
    with runtime.unit_of_work(write=True) as db:
        organisations = [add_organisation(db, f"Kommune {n}") for n in range(10)]
        for n, user in enumerate(users):
            add_member(db, user, now=now, organisation=organisations[n % 10])
    # Generous timeout: SQLite takes the 200 write transactions one at a time.
    client = SignedSlackClient(
        served_bot.url, SIGNING_SECRET, team_id=TEAM_ID, standin=standin, timeout=120
    )
    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        results = list(
            pool.map(lambda u: client.command("register 2027-06-03-rush", user_id=u), users)
        )

    assert [r.status for r in results] == [200] * 200
    assert all(validate_message_blocks(r.json["blocks"]) == [] for r in results)
    answers = [text_of(r.json) for r in results]
    assert sum("You are registered" in a for a in answers) == 20
    places = sorted(
        int(a.split("You are number ")[1].split()[0]) for a in answers if "You are number" in a
    )
    assert places == list(range(1, 181))
    with runtime.unit_of_work() as db:
        counts = dict(
            db.execute(
                select(Registration.status, func.count()).group_by(Registration.status)
            ).all()
        )
    assert counts == {RegistrationStatus.CONFIRMED: 20, RegistrationStatus.WAITING: 180}
