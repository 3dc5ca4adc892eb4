"""Colleagues signed up by a member and guests without Slack, end to end.

Signed HTTP to the served bot, the Web API stand-in, a real database (SQLite,
or PostgreSQL with SDGBOT_TEST_DATABASE=postgresql), and a local SMTP server
on 127.0.0.1 that receives the guests' e-mails.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.clock import FixedClock
from bot.config import EmailSettings, Settings
from bot.delivery.scheduler import run_due_work
from bot.delivery.slack_sender import make_delivery_client
from bot.ids import ActionId, BlockId, CallbackId
from bot.models import Delivery, DeliveryKind, Member, Organisation, ProgrammeSession, Registration
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn, validate_message_blocks
from bot.services import guests, manage, registration
from bot.services.change_notices import SessionState, tell_registrants_of_change
from bot.services.exports import session_export
from bot.services.fees import season_invoices
from bot.services.profiles import STORED_PREFIX
from tests.conftest import DEFAULT_NOW, TEAM_ID
from tests.support.conversation import answer_of, buttons_of, text_of
from tests.support.factories import add_member, add_organisation, add_session
from tests.support.signed_client import HttpResult, SignedSlackClient
from tests.support.smtp_server import LocalSmtp, local_smtp_server

AARHUS = "Aarhus Kommune"
KEY = "2027-05-20-temadag"
STARTS = DEFAULT_NOW + timedelta(days=17)


@pytest.fixture
def smtp() -> Iterator[LocalSmtp]:
    with local_smtp_server() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, smtp: LocalSmtp) -> Settings:
    return dataclasses.replace(
        settings, email=EmailSettings(smtp_url=smtp.url, sender="sdg@example.org")
    )


@pytest.fixture(autouse=True)
def valid_block_kit(standin: SlackStandIn) -> Any:
    yield
    assert standin.violations == []


@pytest.fixture
def member(runtime: Runtime, standin: SlackStandIn) -> Callable[..., str]:
    def make(user_id: str, name: str, *, profile: bool = True) -> str:
        with runtime.unit_of_work(write=True) as db:
            org = db.scalar(select(Organisation).where(Organisation.name == AARHUS))
            org = org or add_organisation(db, AARHUS)
            if profile:
                add_member(db, user_id, now=runtime.clock.now(), organisation=org, name=name)
        standin.add_user(user_id, locale="en-GB")
        return user_id

    return make


def session_with(runtime: Runtime, *, capacity: int, price: int | None = None) -> None:
    with runtime.unit_of_work(write=True) as db:
        add_session(
            db,
            KEY,
            starts=STARTS,
            now=runtime.clock.now(),
            title="Temadag om data",
            kind="symposium",
            location="Vejle Rådhus",
            capacity=capacity,
            price=price,
        )


def answer(result: HttpResult, standin: SlackStandIn) -> dict[str, Any]:
    message = answer_of(result, standin)
    assert validate_message_blocks(message.get("blocks")) == []
    return message


def status_of(runtime: Runtime, user_id: str) -> str | None:
    with runtime.unit_of_work() as db:
        return db.scalar(
            select(Registration.status)
            .join(Member, Member.id == Registration.member_id)
            .join(ProgrammeSession, ProgrammeSession.id == Registration.session_id)
            .where(Member.slack_user_id == user_id, ProgrammeSession.key == KEY)
        )


def dms_to(standin: SlackStandIn, user_id: str) -> list[dict[str, Any]]:
    found = []
    for call in standin.calls_to("chat.postMessage"):
        if call.args["channel"] == user_id:
            blocks = call.args.get("blocks")
            found.append(
                {**call.args, "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks}
            )
    return found


def dm_saying(standin: SlackStandIn, user_id: str, needle: str) -> str:
    """Waits for the form's answer, which the lazy part sends to the DM."""
    calls = standin.wait_for(
        "chat.postMessage",
        predicate=lambda c: c.args["channel"] == user_id and needle in json.dumps(c.args),
    )
    return json.dumps(calls[-1].args, ensure_ascii=False)


def colleagues_value(*user_ids: str) -> dict[str, Any]:
    return {
        BlockId.COMPANION_COLLEAGUES: {
            ActionId.COLLEAGUES_SELECT: {
                "type": "multi_users_select",
                "selected_users": list(user_ids),
            }
        }
    }


def guest_value(row: int, name: str, email: str, role: str) -> dict[str, Any]:
    return {
        f"{BlockId.GUEST_NAME}.{row}": {
            ActionId.GUEST_NAME_INPUT: {"type": "plain_text_input", "value": name}
        },
        f"{BlockId.GUEST_EMAIL}.{row}": {
            ActionId.GUEST_EMAIL_INPUT: {"type": "email_text_input", "value": email}
        },
        f"{BlockId.GUEST_ROLE}.{row}": {
            ActionId.GUEST_ROLE_SELECT: {
                "type": "static_select",
                "selected_option": {"value": role},
            }
        },
    }


def test_a_colleague_signed_up_holds_a_seat_until_they_accept_or_decline(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    clock: FixedClock,
    member,
) -> None:
    session_with(runtime, capacity=3)
    anna = member("U_ANNA", "Anna Berg")
    bo = member("U_BO", "Bo Holm")
    dan = member("U_DAN", "Dan Lund")
    cai = member("U_CAI", "Cai Juul")
    registered = answer(slack.command(f"register {KEY}", user_id=anna), standin)
    form = buttons_of(registered)[ActionId.OPEN_COMPANIONS]
    slack.block_action(ActionId.OPEN_COMPANIONS, form["value"], user_id=anna)
    (opened,) = standin.wait_for("views.open")
    modal = opened.args["view"]
    modal = json.loads(modal) if isinstance(modal, str) else modal
    assert modal["callback_id"] == CallbackId.COMPANIONS and modal["private_metadata"] == KEY
    assert "Colleagues you bring" in json.dumps(modal)

    result = slack.view_submission(
        CallbackId.COMPANIONS, colleagues_value(bo, dan, anna), user_id=anna, private_metadata=KEY
    )
    assert result.status == 200
    assert status_of(runtime, bo) == "offered" and status_of(runtime, dan) == "offered"
    # Two held seats and Anna's fill the room: a third member waits.
    waiting = text_of(answer(slack.command(f"register {KEY}", user_id=cai), standin))
    assert "waiting list" in waiting
    assert status_of(runtime, cai) == "waiting"

    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, clock.now())
    (to_bo,) = dms_to(standin, bo)
    assert "Anna Berg (Aarhus Kommune) has signed you up for Temadag om data" in text_of(to_bo)
    assert {ActionId.ACCEPT_COLLEAGUE_INVITATION, ActionId.DECLINE_COLLEAGUE_INVITATION} <= set(
        buttons_of(to_bo)
    )
    summary = dm_saying(standin, anna, "is asked to accept")
    assert "<@U_BO> is asked to accept" in summary and "that is you" in summary

    # Anna sees the open sign-ups in /sdg my; Cai does not.
    mine = text_of(answer(slack.command("my", user_id=anna), standin))
    assert "<@U_BO> has not answered yet" in mine
    assert "U_BO" not in text_of(answer(slack.command("my", user_id=cai), standin))

    accept = buttons_of(to_bo)[ActionId.ACCEPT_COLLEAGUE_INVITATION]
    accepted = answer(
        slack.block_action(ActionId.ACCEPT_COLLEAGUE_INVITATION, accept["value"], user_id=bo),
        standin,
    )
    assert "You are registered for Temadag om data" in text_of(accepted)
    assert status_of(runtime, bo) == "confirmed"
    again = answer(
        slack.block_action(ActionId.ACCEPT_COLLEAGUE_INVITATION, accept["value"], user_id=bo),
        standin,
    )
    assert "registered" in text_of(again) and status_of(runtime, bo) == "confirmed"
    # Signing up someone already registered is refused.
    slack.view_submission(
        CallbackId.COMPANIONS, colleagues_value(bo), user_id=anna, private_metadata=KEY
    )
    dm_saying(standin, anna, "<@U_BO> is already registered")

    # Dan declines: his seat goes to Cai, the next in line.
    (to_dan,) = dms_to(standin, dan)
    decline = buttons_of(to_dan)[ActionId.DECLINE_COLLEAGUE_INVITATION]
    answer(
        slack.block_action(ActionId.DECLINE_COLLEAGUE_INVITATION, decline["value"], user_id=dan),
        standin,
    )
    assert status_of(runtime, dan) == "cancelled"
    assert status_of(runtime, cai) == "confirmed"

    # Anna hears how each sign-up ended, once each (Bo's second click told nobody).
    run_due_work(runtime, client, clock.now())
    run_due_work(runtime, client, clock.now())
    answers = sorted(dm["text"] for dm in dms_to(standin, anna) if "your sign-up" in dm["text"])
    assert answers == [
        ":wave: <@U_DAN> declined your sign-up for Temadag om data; the seat held for them "
        "is given up.",
        ":white_check_mark: <@U_BO> accepted your sign-up and is registered for Temadag om data.",
    ]
    assert not any("your sign-up" in json.dumps(dm) for dm in dms_to(standin, bo))


def test_an_unanswered_sign_up_lapses_to_the_next_in_line_and_a_new_colleague_gives_a_profile(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    clock: FixedClock,
    member,
) -> None:
    session_with(runtime, capacity=2)
    anna = member("U_ANNA", "Anna Berg")
    eva = member("U_EVA", "", profile=False)  # in Slack, never used the bot
    cai = member("U_CAI", "Cai Juul")
    answer(slack.command(f"register {KEY}", user_id=anna), standin)
    slack.view_submission(
        CallbackId.COMPANIONS, colleagues_value(eva), user_id=anna, private_metadata=KEY
    )
    assert status_of(runtime, eva) == "offered"
    answer(slack.command(f"register {KEY}", user_id=cai), standin)
    assert status_of(runtime, cai) == "waiting"
    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, clock.now())
    (to_eva,) = dms_to(standin, eva)

    # Accepting without a profile asks for it, with Anna's organisation filled in.
    accept = buttons_of(to_eva)[ActionId.ACCEPT_COLLEAGUE_INVITATION]
    slack.block_action(ActionId.ACCEPT_COLLEAGUE_INVITATION, accept["value"], user_id=eva)
    (opened,) = standin.wait_for("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert AARHUS in json.dumps(view, ensure_ascii=False)
    assert status_of(runtime, eva) == "offered"  # nothing changed yet

    # Unanswered for [registration] offer_valid: the seat goes to Cai.
    clock.advance(timedelta(days=2, minutes=1))
    run_due_work(runtime, client, clock.now())
    assert status_of(runtime, eva) == "cancelled"
    assert status_of(runtime, cai) == "confirmed"
    run_due_work(runtime, client, clock.now())
    (lapsed,) = [dm for dm in dms_to(standin, anna) if "your sign-up" in dm["text"]]
    assert lapsed["text"].startswith(
        ":hourglass: <@U_EVA> did not answer your sign-up for Temadag om data in time"
    )


def test_a_guest_without_slack_counts_for_seats_and_fees_and_gets_the_ics_by_email(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    clock: FixedClock,
    smtp: LocalSmtp,
    member,
) -> None:
    session_with(runtime, capacity=2, price=1500)
    anna = member("U_ANNA", "Anna Berg")
    cai = member("U_CAI", "Cai Juul")
    answer(slack.command(f"register {KEY}", user_id=anna), standin)

    bad = slack.view_submission(
        CallbackId.COMPANIONS,
        guest_value(1, "Ole Hansen", "ole(at)example.org", "politician"),
        user_id=anna,
        private_metadata=KEY,
    )
    assert bad.status == 200 and bad.json["response_action"] == "errors"
    assert "e-mail address" in bad.json["errors"][f"{BlockId.GUEST_EMAIL}.1"]
    with runtime.unit_of_work() as db:
        assert db.scalar(select(Registration).where(Registration.member_id.is_(None))) is None

    good = slack.view_submission(
        CallbackId.COMPANIONS,
        guest_value(1, "Ole Hansen", "ole@example.org", "politician"),
        user_id=anna,
        private_metadata=KEY,
    )
    assert good.status == 200
    dm_saying(standin, anna, "Ole Hansen (ole@example.org) is registered")
    # Anna and her guest fill the room.
    assert "waiting list" in text_of(answer(slack.command(f"register {KEY}", user_id=cai), standin))

    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, clock.now())
    (mail,) = smtp.inbox.messages
    assert smtp.inbox.recipients == [["ole@example.org"]]
    assert mail["To"] == "ole@example.org" and mail["From"] == "sdg@example.org"
    assert "Temadag om data" in mail["Subject"]
    (ics,) = [
        part for part in mail.iter_attachments() if part.get_content_type() == "text/calendar"
    ]
    calendar = Calendar.from_ical(ics.get_content())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == STARTS
    run_due_work(runtime, client, clock.now())
    assert len(smtp.inbox.messages) == 1  # exactly once

    # The reminders reach the guest by e-mail too, once each.
    clock.advance(STARTS - clock.now() - timedelta(hours=1))
    run_due_work(runtime, client, clock.now())
    run_due_work(runtime, client, clock.now())
    reminders = [m for m in smtp.inbox.messages if m["Subject"].startswith("Reminder")]
    assert len(reminders) == 1 and "Ole Hansen" in reminders[0].get_content()

    # Fees: the guest is a further participant from Aarhus.
    with runtime.unit_of_work() as db:
        invoices = season_invoices(
            db, TEAM_ID, "2026-2027", runtime.settings.fees, "Europe/Copenhagen"
        )
        (aarhus,) = [o for o in invoices.organisations if o.organisation == AARHUS]
        lines = {(line.participant, line.amount, line.guest) for line in aarhus.lines}
        assert lines == {("Anna Berg", 1500, False), ("Ole Hansen", 1125, True)}
        export = session_export(db, TEAM_ID, KEY, runtime.settings.fees)
        (ole,) = [row for row in export.registrations if row.name == "Ole Hansen"]
        assert (ole.organisation, ole.role, ole.fee, ole.brought_by) == (
            AARHUS,
            "politician",
            1125,
            "Anna Berg",
        )


def test_the_member_sees_and_cancels_their_guests_in_sdg_my_and_nobody_else_does(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    clock: FixedClock,
    member,
) -> None:
    session_with(runtime, capacity=2)
    anna = member("U_ANNA", "Anna Berg")
    cai = member("U_CAI", "Cai Juul")
    answer(slack.command(f"register {KEY}", user_id=anna), standin)
    slack.view_submission(
        CallbackId.COMPANIONS,
        guest_value(1, "Ole Hansen", "ole@example.org", "politician"),
        user_id=anna,
        private_metadata=KEY,
    )
    answer(slack.command(f"register {KEY}", user_id=cai), standin)
    assert status_of(runtime, cai) == "waiting"
    assert "Ole Hansen" not in text_of(answer(slack.command("my", user_id=cai), standin))
    mine = answer(slack.command("my", user_id=anna), standin)
    assert "Ole Hansen" in text_of(mine)
    cancel = buttons_of(mine)[ActionId.CANCEL_GUEST]
    # Another member cannot cancel Anna's guest.
    refused = answer(
        slack.block_action(ActionId.CANCEL_GUEST, cancel["value"], user_id=cai), standin
    )
    assert "no guest of yours" in text_of(refused)
    done = answer(slack.block_action(ActionId.CANCEL_GUEST, cancel["value"], user_id=anna), standin)
    assert "Ole Hansen is no longer registered" in text_of(done)
    assert status_of(runtime, cai) == "confirmed"  # the guest's seat went to the next in line
    assert "Ole Hansen" not in text_of(answer(slack.command("my", user_id=anna), standin))


def test_a_first_registration_brings_colleagues_in_the_profile_modal(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    clock: FixedClock,
    smtp: LocalSmtp,
    member,
) -> None:
    session_with(runtime, capacity=5)
    nils = member("U_NILS", "", profile=False)
    bo = member("U_BO", "Bo Holm")
    slack.command(f"register {KEY}", user_id=nils)
    (opened,) = standin.wait_for("views.open")
    modal = opened.args["view"]
    modal = json.loads(modal) if isinstance(modal, str) else modal
    assert BlockId.COMPANION_COLLEAGUES in {block.get("block_id") for block in modal["blocks"]}
    with runtime.unit_of_work() as db:
        aarhus = db.scalar(select(Organisation.id).where(Organisation.name == AARHUS))
    values = {
        BlockId.PROFILE_NAME: {
            ActionId.PROFILE_NAME_INPUT: {"type": "plain_text_input", "value": "Nils Dahl"}
        },
        BlockId.PROFILE_ORGANISATION: {
            ActionId.ORGANISATION_SELECT: {
                "type": "external_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": AARHUS},
                    "value": f"{STORED_PREFIX}{aarhus}",
                },
            }
        },
        BlockId.PROFILE_ROLE: {
            ActionId.PROFILE_ROLE_SELECT: {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "leader"},
            }
        },
        **colleagues_value(bo),
    }
    result = slack.view_submission(
        CallbackId.PROFILE,
        values,
        user_id=nils,
        private_metadata=modal["private_metadata"],
        view={"blocks": modal["blocks"]},
    )
    assert result.status == 200, result.body
    dm_saying(standin, nils, "<@U_BO> is asked to accept")
    assert status_of(runtime, nils) == "confirmed"
    assert status_of(runtime, bo) == "offered"
    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, clock.now())
    assert "Nils Dahl (Aarhus Kommune) has signed you up" in text_of(dms_to(standin, bo)[0])


def test_an_email_the_server_refuses_for_now_is_retried_like_a_slack_failure_and_sent_once(
    runtime: Runtime, clock: FixedClock, smtp: LocalSmtp, member
) -> None:
    session_with(runtime, capacity=5)
    anna = member("U_ANNA", "Anna Berg")
    with runtime.unit_of_work(write=True) as db:
        registration.register_member(
            db, TEAM_ID, anna, KEY, None, clock.now(), fees=runtime.settings.fees
        )
        guests.add_guests(
            db,
            TEAM_ID,
            anna,
            KEY,
            [guests.GuestInput("Ole Hansen", "ole@example.org", "politician")],
            clock.now(),
            language="da",
        )
    smtp.inbox.refuse_next = 1  # 451: try again later
    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, clock.now())
    assert smtp.inbox.messages == []
    with runtime.unit_of_work() as db:
        row = db.scalar(select(Delivery).where(Delivery.kind == DeliveryKind.GUEST_CALENDAR))
        assert row is not None
        assert (row.state, row.attempts, row.last_error) == ("pending", 1, "SMTP 451")
    clock.advance(timedelta(minutes=30))
    run_due_work(runtime, client, clock.now())
    run_due_work(runtime, client, clock.now())
    (mail,) = smtp.inbox.messages
    # In the language of the member who brought the guest.
    assert mail["Subject"] == "Tilmeldt: Temadag om data"
    body = mail.get_body(("plain",))
    assert body is not None and "Anna Berg har tilmeldt dig Temadag om data" in body.get_content()


def test_a_guest_is_emailed_when_the_session_moves_and_when_it_is_cancelled(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    runtime: Runtime,
    clock: FixedClock,
    smtp: LocalSmtp,
    member,
) -> None:
    session_with(runtime, capacity=5)
    anna = member("U_ANNA", "Anna Berg")
    answer(slack.command(f"register {KEY}", user_id=anna), standin)
    slack.view_submission(
        CallbackId.COMPANIONS,
        guest_value(1, "Ole Hansen", "ole@example.org", "politician"),
        user_id=anna,
        private_metadata=KEY,
    )
    dm_saying(standin, anna, "Ole Hansen (ole@example.org) is registered")
    client = make_delivery_client(runtime.settings)
    run_due_work(runtime, client, clock.now())
    assert [m["Subject"] for m in smtp.inbox.messages] == ["Registered: Temadag om data"]

    # The session moves a day later: the guest's e-mail says so and carries the new event.
    moved = STARTS + timedelta(days=1)
    with runtime.unit_of_work(write=True) as db:
        session = db.scalar(select(ProgrammeSession).where(ProgrammeSession.key == KEY))
        assert session is not None
        before = SessionState.of(session)
        session.starts_at, session.ends_at = moved, moved + (session.ends_at - session.starts_at)
        session.updated_at = clock.now()
        db.flush()
        assert tell_registrants_of_change(db, session, before, clock.now()) == 1  # Anna
    run_due_work(runtime, client, clock.now())
    run_due_work(runtime, client, clock.now())
    changed = [m for m in smtp.inbox.messages if m["Subject"] == "Changed: Temadag om data"]
    assert len(changed) == 1 and changed[0]["To"] == "ole@example.org"
    body = changed[0].get_body(preferencelist=("plain",)).get_content()
    assert "Dear Ole Hansen," in body
    assert "has moved to Friday, 21 May 2027 at 10:00 (it was Thursday, 20 May 2027" in body
    (ics,) = [p for p in changed[0].iter_attachments() if p.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(ics.get_content()).walk("VEVENT")
    assert event.decoded("dtstart") == moved

    # Cancelled: one more e-mail, and the event it carries is marked cancelled.
    clock.advance(timedelta(minutes=5))
    with runtime.unit_of_work(write=True) as db:
        outcome = manage.cancel_session(db, TEAM_ID, KEY, clock.now())
        assert outcome.told == 1  # Anna in Slack; Ole by e-mail
    run_due_work(runtime, client, clock.now())
    run_due_work(runtime, client, clock.now())
    cancelled = [m for m in smtp.inbox.messages if m["Subject"] == "Cancelled: Temadag om data"]
    assert len(cancelled) == 1
    body = cancelled[0].get_body(preferencelist=("plain",)).get_content()
    assert "Temadag om data on Friday, 21 May 2027 at 10:00 has been cancelled." in body
    (ics,) = [p for p in cancelled[0].iter_attachments() if p.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(ics.get_content()).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert len(smtp.inbox.messages) == 3
    # Anna has her DM about each, as before.
    assert any("has been cancelled" in text_of(dm) for dm in dms_to(standin, anna))
