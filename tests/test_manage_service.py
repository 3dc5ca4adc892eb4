"""Managing sessions below Slack: the form's rules (the programme file's, word for word),
wall times across DST, create/edit/cancel on a real database, and the notices they queue."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.delivery.outcomes import SkipReason
from bot.delivery.registry import HoldDelivery, OutgoingMessage, SkipDelivery, message_builders
from bot.delivery.reminder_planner import plan_reminders
from bot.errors import FormErrors, SessionCancelled, SessionEnded
from bot.models import (
    AgendaItem,
    Delivery,
    DeliveryKind,
    DeliveryState,
    FeedbackRespondent,
    Member,
    ProgrammeSession,
    Registration,
    RegistrationStatus,
)
from bot.programme_file import ProgrammeError, parse_programme
from bot.runtime import Runtime
from bot.services import manage
from bot.services.change_notices import ChangeNote, SessionState
from bot.services.session_form import SessionDraft, SessionFormInput, form_of, read_draft
from tests.support import factories as make

NOW = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)
ZONE = "Europe/Copenhagen"
KEY = "2027-06-10-middelfart"
STARTS = datetime(2027, 6, 10, 11, 30, tzinfo=UTC)  # 13:30 CEST
TEAM = make.TEAM_ID


def a_form(**changes: object) -> SessionFormInput:
    base = SessionFormInput(
        key=KEY,
        title="Netværksmøde",
        kind="network_meeting",
        date="2027-06-10",
        start="13:30",
        end="15:30",
        location="Middelfart Rådhus",
        capacity="2",
    )
    return dataclasses.replace(base, **changes)


def problems(form: SessionFormInput) -> set[str]:
    with pytest.raises(FormErrors) as raised:
        read_draft(form, ZONE)
    return set(raised.value.errors)


# --- the form -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "start", "end", "end_date", "starts_utc", "ends_utc"),
    [
        (
            "2027-06-10",
            "13:30",
            "15:30",
            None,
            datetime(2027, 6, 10, 11, 30),
            datetime(2027, 6, 10, 13, 30),
        ),
        (
            "2027-11-18",
            "13:30",
            "15:30",
            None,
            datetime(2027, 11, 18, 12, 30),
            datetime(2027, 11, 18, 14, 30),
        ),
        # The night the clocks go back, 02:30 happens twice: the first one (CEST) is meant.
        (
            "2027-10-31",
            "02:30",
            "04:00",
            None,
            datetime(2027, 10, 31, 0, 30),
            datetime(2027, 10, 31, 3, 0),
        ),
        # Across the spring change: a two-day session ends in summer time.
        (
            "2027-03-27",
            "09:00",
            "16:00",
            "2027-03-28",
            datetime(2027, 3, 27, 8, 0),
            datetime(2027, 3, 28, 14, 0),
        ),
    ],
)
def test_wall_times_are_read_in_the_zone(
    date: str, start: str, end: str, end_date: str | None, starts_utc: datetime, ends_utc: datetime
) -> None:
    draft = read_draft(a_form(date=date, start=start, end=end, end_date=end_date), ZONE)
    assert (draft.starts, draft.ends) == (
        starts_utc.replace(tzinfo=UTC),
        ends_utc.replace(tzinfo=UTC),
    )
    assert draft.timezone == ZONE
    assert read_draft(form_of(draft), ZONE) == draft  # the edit form holds the same session


def test_a_time_the_clocks_skip_is_an_error_under_its_field() -> None:
    assert problems(a_form(date="2027-03-28", start="02:30", end="04:00")) == {"start"}
    assert problems(a_form(date="2027-03-28", start="01:00", end="02:15")) == {"end"}


def test_empty_and_wrong_fields_are_each_named() -> None:
    empty = SessionFormInput()
    assert problems(empty) == {"key", "title", "kind", "date", "start", "end", "location"}
    wrong = a_form(capacity="many", price="-5", end_date="soon", description="x" * 3001)
    assert problems(wrong) == {"capacity", "price", "end_date", "description"}
    draft = read_draft(a_form(capacity=None, price="0", feedback=False, anonymous=True), ZONE)
    assert (draft.capacity, draft.price, draft.feedback, draft.anonymous) == (0, 0, False, True)
    assert read_draft(a_form(price=" "), ZONE).price is None  # free


def _file(**values: str) -> str:
    fields = {
        "key": f'"{KEY}"',
        "title": '"Netværksmøde"',
        "kind": '"network_meeting"',
        "starts": "2027-06-10T13:30:00",
        "ends": "2027-06-10T15:30:00",
        "location": '"Middelfart Rådhus"',
        "online_url": '""',
        "capacity": "2",
        **values,
    }
    return "[[session]]\n" + "".join(f"{name} = {value}\n" for name, value in fields.items())


# The same wrong value, written in the programme file and in the form: both refuse it.
SAME_RULES = [
    ("key", {"key": '"bad key!"'}, {"key": "bad key!"}),
    ("title", {"title": f'"{"x" * 201}"'}, {"title": "x" * 201}),
    ("title", {"title": '"  "'}, {"title": "  "}),
    ("kind", {"kind": '"party"'}, {"kind": "party"}),
    ("end", {"ends": "2027-06-10T13:00:00"}, {"end": "13:00"}),
    ("end", {"ends": "2027-06-18T13:30:00"}, {"end_date": "2027-06-18"}),
    ("online_url", {"online_url": '"teams.example.org"'}, {"online_url": "teams.example.org"}),
    ("location", {"location": '""'}, {"location": ""}),
    ("capacity", {"capacity": "-1"}, {"capacity": "-1"}),
    ("price", {"price": "-1"}, {"price": "-1"}),
    (
        "start",
        {"starts": "2027-03-28T02:30:00", "ends": "2027-03-28T04:00:00"},
        {"date": "2027-03-28", "start": "02:30", "end": "04:00"},
    ),
]


@pytest.mark.parametrize(("field", "in_file", "in_form"), SAME_RULES)
def test_the_form_and_the_programme_file_apply_the_same_rules(
    field: str, in_file: dict[str, str], in_form: dict[str, str]
) -> None:
    with pytest.raises(ProgrammeError):
        parse_programme(_file(**in_file), default_timezone=ZONE)
    assert problems(a_form(**in_form)) == {field}


def test_a_change_note_is_plain_json_with_offset_times_and_reads_back() -> None:
    note = ChangeNote(
        fields=frozenset({"time", "place", "link"}),
        before=SessionState(
            starts=datetime(2099, 12, 31, 8, 0, tzinfo=UTC),
            ends=datetime(2100, 1, 7, 8, 0, tzinfo=UTC),
            location="Middelfart Rådhus",
            online_url="https://teams.example.org/x",
        ),
    )
    assert note.details() == {
        "changed": ["link", "place", "time"],
        "old": {
            "starts": "2099-12-31T08:00:00+00:00",
            "ends": "2100-01-07T08:00:00+00:00",
            "location": "Middelfart Rådhus",
            "online_url": "https://teams.example.org/x",
        },
    }
    assert ChangeNote.from_details(note.details()) == note
    assert ChangeNote.from_details(None) is None
    assert ChangeNote.from_details({"changed": ["weather"], "old": note.details()["old"]}) is None


# --- create and edit ------------------------------------------------------------------------


@pytest.fixture
def world(runtime: Runtime) -> int:
    """KEY with two confirmed members, one waiting, one cancelled; and one agenda item."""
    registered = NOW - timedelta(days=1)
    with runtime.unit_of_work(write=True) as db:
        session = make.add_session(
            db, KEY, starts=STARTS, now=NOW - timedelta(days=30), title="Netværksmøde", capacity=2
        )
        session.agenda.append(
            AgendaItem(
                position=0, starts_at=STARTS + timedelta(minutes=5), title="Velkomst", speakers=[]
            )
        )
        people = [
            ("U0ANNA", "da", RegistrationStatus.CONFIRMED),
            ("U0BO", "nb", RegistrationStatus.CONFIRMED),
            ("U0WAIT", "en", RegistrationStatus.WAITING),
            ("U0GONE", "en", RegistrationStatus.CANCELLED),
        ]
        for user_id, language, status in people:
            member = make.add_member(db, user_id, now=NOW, language=language)
            make.add_registration(db, session, member, registered_at=registered, status=status)
        return session.id


def current(runtime: Runtime) -> SessionDraft:
    with runtime.unit_of_work() as db:
        return manage.editable_session(db, TEAM, KEY)


def edit(runtime: Runtime, now: datetime = NOW, **changes: object) -> manage.SavedSession:
    draft = dataclasses.replace(current(runtime), **changes)
    with runtime.unit_of_work(write=True) as db:
        return manage.update_session(db, TEAM, draft, now)


def notices(runtime: Runtime, kind: str = DeliveryKind.SESSION_CHANGED) -> list[Delivery]:
    with runtime.unit_of_work() as db:
        return list(db.scalars(select(Delivery).where(Delivery.kind == kind).order_by(Delivery.id)))


def build(
    runtime: Runtime, delivery: Delivery, now: datetime = NOW
) -> OutgoingMessage | SkipDelivery | HoldDelivery:
    """What the worker would send for *delivery* at *now* (the registered builder)."""
    builder = message_builders()[delivery.kind]
    with runtime.unit_of_work() as db:
        row = db.get(Delivery, delivery.id)
        assert row is not None
        return builder(db, row, runtime.settings, now)


def test_create_refuses_a_key_in_use_in_any_case(runtime: Runtime, world: int) -> None:
    draft = read_draft(a_form(key="2027-06-11-ny", title="Ny"), ZONE)
    with runtime.unit_of_work(write=True) as db:
        saved = manage.create_session(db, TEAM, draft, NOW)
    assert saved.created and saved.view.key == "2027-06-11-ny"
    with runtime.unit_of_work(write=True) as db, pytest.raises(FormErrors) as taken:
        manage.create_session(db, TEAM, dataclasses.replace(draft, key=KEY.upper()), NOW)
    assert set(taken.value.errors) == {"key"}
    with runtime.unit_of_work() as db, pytest.raises(FormErrors):
        manage.check_draft(db, TEAM, dataclasses.replace(draft, key=KEY), editing=False, now=NOW)


def test_moving_a_session_queues_one_notice_per_registrant_and_moves_the_agenda(
    runtime: Runtime, world: int
) -> None:
    with runtime.unit_of_work(write=True) as db:
        plan_reminders(db, runtime.settings, NOW)
    saved = edit(
        runtime, starts=STARTS + timedelta(days=1), ends=STARTS + timedelta(days=1, hours=2)
    )
    assert (saved.changed, saved.told) == (("starts", "ends"), 3)
    rows = notices(runtime)
    assert sorted(r.recipient for r in rows) == ["U0ANNA", "U0BO", "U0WAIT"]
    assert rows[0].details == {
        "changed": ["time"],
        "old": {
            "starts": "2027-06-10T11:30:00+00:00",
            "ends": "2027-06-10T13:30:00+00:00",
            "location": "Middelfart Rådhus",
            "online_url": "",
        },
    }
    # The key is only the change's id: the moment of the change in milliseconds.
    assert {r.offset_key for r in rows} == {str(int(NOW.timestamp() * 1000))}
    with runtime.unit_of_work(write=True) as db:
        item = db.scalar(select(AgendaItem))
        assert item is not None and item.starts_at == STARTS + timedelta(days=1, minutes=5)
        plan_reminders(db, runtime.settings, NOW)
        dues = set(
            db.scalars(select(Delivery.due_at).where(Delivery.kind == DeliveryKind.REMINDER))
        )
    offsets = runtime.settings.reminders.offsets
    assert dues == {STARTS + timedelta(days=1) - offset for offset in offsets}

    # The same values again: nothing changed, nobody told.
    again = edit(
        runtime, starts=STARTS + timedelta(days=1), ends=STARTS + timedelta(days=1, hours=2)
    )
    assert (again.changed, again.told) == ((), 0)
    # A new title alone is no news to send.
    retitled = edit(runtime, title="Netværksmøde i Middelfart")
    assert (retitled.changed, retitled.told) == (("title",), 0)
    assert len(notices(runtime)) == 3


def test_two_quick_edits_become_one_message_from_the_first_time_to_the_last(
    runtime: Runtime, world: int
) -> None:
    edit(runtime, starts=STARTS + timedelta(hours=1), ends=STARTS + timedelta(hours=3))
    edit(runtime, NOW + timedelta(seconds=5), location="Nyborg Strand")
    rows = notices(runtime)
    assert [(r.state, r.skip_reason) for r in rows[:3]] == [
        (DeliveryState.SKIPPED, SkipReason.REPLACED)
    ] * 3
    latest = [r for r in rows if r.state == DeliveryState.PENDING]
    assert len(latest) == 3
    message = build(runtime, next(r for r in latest if r.recipient == "U0WAIT"))
    assert isinstance(message, OutgoingMessage)
    text = message.blocks[0]["text"]["text"]
    assert "New time: Thursday, 10 June 2027, 14:30–16:30" in text
    assert "Before: ~Thursday, 10 June 2027, 13:30–15:30~" in text
    assert "New place: Nyborg Strand" in text
    assert "Before: ~Middelfart Rådhus~" in text


def message_text(runtime: Runtime, delivery: Delivery) -> str:
    message = build(runtime, delivery)
    assert isinstance(message, OutgoingMessage), message
    return str(message.blocks[0]["text"]["text"])


def test_a_new_place_and_link_say_what_they_were_and_are_in_each_language(
    runtime: Runtime, world: int
) -> None:
    edit(runtime, location="Nyborg Strand", online_url="https://teams.example.org/new")
    rows = {r.recipient: r for r in notices(runtime)}
    waiting = message_text(runtime, rows["U0WAIT"])
    assert "New place: Nyborg Strand\nBefore: ~Middelfart Rådhus~" in waiting
    assert (
        "New online link: <https://teams.example.org/new|https://teams.example.org/new>\n"
        "There was no online link before."
    ) in waiting
    assert "New time" not in waiting
    bo = message_text(runtime, rows["U0BO"])
    assert "Nytt sted: Nyborg Strand\nFør: ~Middelfart Rådhus~" in bo
    assert "Det var ingen møtelenke før." in bo

    with runtime.unit_of_work(write=True) as db:
        db.execute(update(Delivery).values(state=DeliveryState.SENT))
    edit(runtime, NOW + timedelta(minutes=1), location="online", online_url="")
    newest = {r.recipient: r for r in notices(runtime) if r.state == DeliveryState.PENDING}
    anna = message_text(runtime, newest["U0ANNA"])
    assert "Nyt sted: Digitalt\nFør: ~Nyborg Strand~" in anna
    assert ("Der er ikke længere et onlinelink.\nFør: ~https://teams.example.org/new~") in anna


@pytest.mark.parametrize(
    ("changed", "back"),
    [
        ({"location": "Nyborg Strand"}, {"location": "Middelfart Rådhus"}),
        ({"online_url": "https://teams.example.org/x"}, {"online_url": ""}),
    ],
    ids=["place", "link"],
)
def test_a_place_or_link_changed_back_before_the_message_went_out_is_not_sent(
    runtime: Runtime, world: int, changed: dict[str, str], back: dict[str, str]
) -> None:
    edit(runtime, **changed)
    edit(runtime, NOW + timedelta(seconds=9), **back)
    newest = [r for r in notices(runtime) if r.state == DeliveryState.PENDING]
    assert len(newest) == 3
    assert {build(runtime, row) for row in newest} == {SkipDelivery("the change was undone")}


def test_only_what_still_differs_is_told(runtime: Runtime, world: int) -> None:
    """Moved and a new place; the place changed back before sending: only the time is news."""
    edit(
        runtime,
        starts=STARTS + timedelta(hours=1),
        ends=STARTS + timedelta(hours=3),
        location="Nyborg Strand",
    )
    edit(runtime, NOW + timedelta(seconds=9), location="Middelfart Rådhus")
    newest = next(
        r for r in notices(runtime) if r.state == DeliveryState.PENDING and r.recipient == "U0WAIT"
    )
    assert newest.details is not None and newest.details["changed"] == ["place", "time"]
    text = message_text(runtime, newest)
    assert "New time: Thursday, 10 June 2027, 14:30–16:30" in text
    assert "New place" not in text and "Middelfart" not in text


def test_a_move_undone_before_the_message_went_out_is_not_sent(
    runtime: Runtime, world: int
) -> None:
    edit(runtime, starts=STARTS + timedelta(hours=1), ends=STARTS + timedelta(hours=3))
    edit(runtime, NOW + timedelta(seconds=9), starts=STARTS, ends=STARTS + timedelta(hours=2))
    newest = [r for r in notices(runtime) if r.state == DeliveryState.PENDING]
    assert len(newest) == 3
    assert {build(runtime, row) for row in newest} == {SkipDelivery("the change was undone")}


def test_changes_at_the_same_instant_are_each_queued(runtime: Runtime, world: int) -> None:
    """A frozen clock (tests, the console) or one millisecond: the key still differs."""
    edit(runtime, starts=STARTS + timedelta(hours=1), ends=STARTS + timedelta(hours=3))
    with runtime.unit_of_work(write=True) as db:
        db.execute(update(Delivery).values(state=DeliveryState.SENT))
    edit(runtime, starts=STARTS, ends=STARTS + timedelta(hours=2))
    edit(runtime, starts=STARTS + timedelta(hours=1), ends=STARTS + timedelta(hours=3))
    anna = [r for r in notices(runtime) if r.recipient == "U0ANNA"]
    assert [r.state for r in anna] == ["sent", "skipped", "pending"]
    assert len({r.offset_key for r in anna}) == 3
    # Told 14:30; moved back to 13:30 and again to 14:30 before that went out: no news.
    assert build(runtime, anna[-1]) == SkipDelivery("the change was undone")


def test_a_notice_being_sent_is_not_taken_back(runtime: Runtime, world: int) -> None:
    edit(runtime, starts=STARTS + timedelta(hours=1), ends=STARTS + timedelta(hours=3))
    with runtime.unit_of_work(write=True) as db:
        db.execute(
            update(Delivery)
            .where(Delivery.recipient == "U0ANNA")
            .values(claimed_by="worker-1", lease_until=NOW + timedelta(minutes=2))
        )
    edit(
        runtime,
        NOW + timedelta(seconds=5),
        starts=STARTS + timedelta(hours=2),
        ends=STARTS + timedelta(hours=4),
    )
    anna = [r for r in notices(runtime) if r.recipient == "U0ANNA"]
    assert [r.state for r in anna] == [DeliveryState.PENDING, DeliveryState.PENDING]
    second = ChangeNote.from_details(anna[1].details)
    assert second is not None and second.before.starts == STARTS + timedelta(hours=1)


def test_change_notices_are_skipped_when_they_no_longer_apply(runtime: Runtime, world: int) -> None:
    edit(runtime, location="Nyborg Strand", online_url="https://teams.example.org/x")
    rows = {r.recipient: r for r in notices(runtime)}
    anna = build(runtime, rows["U0ANNA"])
    assert isinstance(anna, OutgoingMessage)
    assert "Nyt sted: Nyborg Strand" in anna.blocks[0]["text"]["text"]
    assert "Nyt onlinelink" in anna.blocks[0]["text"]["text"]
    with runtime.unit_of_work(write=True) as db:
        db.execute(
            update(Registration)
            .where(
                Registration.member_id.in_(select(Member.id).where(Member.slack_user_id == "U0BO"))
            )
            .values(status=RegistrationStatus.CANCELLED)
        )
    assert build(runtime, rows["U0BO"]) == SkipDelivery("no longer registered")
    assert build(runtime, rows["U0ANNA"], STARTS + timedelta(days=1)) == SkipDelivery(
        "session has ended"
    )
    # A row without details (queued before they were kept) is skipped, not guessed at.
    with runtime.unit_of_work(write=True) as db:
        db.execute(update(Delivery).where(Delivery.id == rows["U0ANNA"].id).values(details=None))
    assert build(runtime, rows["U0ANNA"]) == SkipDelivery("the change is not recorded")
    with runtime.unit_of_work(write=True) as db:
        manage.cancel_session(db, TEAM, KEY, NOW)
    assert build(runtime, rows["U0WAIT"]) == SkipDelivery("session cancelled")


def test_capacity_rises_move_the_waiting_list_up_and_never_take_seats(
    runtime: Runtime, world: int
) -> None:
    with pytest.raises(FormErrors) as lower:
        edit(runtime, capacity=1)
    assert set(lower.value.errors) == {"capacity"}
    assert edit(runtime, capacity=2).changed == ()
    unlimited = edit(runtime, capacity=0)
    assert (unlimited.promoted, unlimited.told) == (1, 0)
    with runtime.unit_of_work() as db:
        waiting = db.scalar(
            select(Registration.status).where(Registration.status == RegistrationStatus.WAITING)
        )
    assert waiting is None
    assert [r.recipient for r in notices(runtime, DeliveryKind.PROMOTION)] == ["U0WAIT"]
    # From no limit down to the seats taken is fine; below them is not.
    assert edit(runtime, capacity=3).changed == ("capacity",)


def test_anonymity_is_fixed_once_feedback_is_given_and_the_agenda_must_fit(
    runtime: Runtime, world: int
) -> None:
    with runtime.unit_of_work(write=True) as db:
        anna = db.scalar(select(Member).where(Member.slack_user_id == "U0ANNA"))
        assert anna is not None
        db.add(FeedbackRespondent(session_id=world, member_id=anna.id))
    with pytest.raises(FormErrors) as locked:
        edit(runtime, anonymous=True)
    assert set(locked.value.errors) == {"options"}
    with pytest.raises(FormErrors) as agenda:
        edit(runtime, ends=STARTS + timedelta(minutes=3))
    assert set(agenda.value.errors) == {"end"}


# --- cancel ---------------------------------------------------------------------------------


def test_cancelling_is_done_once_and_skips_the_reminders(runtime: Runtime, world: int) -> None:
    with runtime.unit_of_work(write=True) as db:
        plan_reminders(db, runtime.settings, NOW)
    with runtime.unit_of_work() as db:
        preview = manage.cancellation_preview(db, TEAM, KEY, NOW)
    assert (preview.confirmed, preview.waiting, preview.already_cancelled) == (2, 1, False)

    with runtime.unit_of_work(write=True) as db:
        first = manage.cancel_session(db, TEAM, KEY, NOW)
    with runtime.unit_of_work(write=True) as db:
        second = manage.cancel_session(db, TEAM, KEY, NOW + timedelta(minutes=1))
    assert (first.already, first.told, second.already, second.told) == (False, 3, True, 0)
    rows = notices(runtime, DeliveryKind.SESSION_CANCELLED)
    assert sorted(r.recipient for r in rows) == ["U0ANNA", "U0BO", "U0WAIT"]
    bo = build(runtime, next(r for r in rows if r.recipient == "U0BO"))
    assert (
        isinstance(bo, OutgoingMessage)
        and "Vi beklager: Netværksmøde er avlyst." in bo.text + bo.blocks[0]["text"]["text"]
    )

    with runtime.unit_of_work(write=True) as db:
        plan_reminders(db, runtime.settings, NOW)
        states = set(
            db.scalars(select(Delivery.state).where(Delivery.kind == DeliveryKind.REMINDER))
        )
        session = db.scalar(select(ProgrammeSession))
        assert session is not None and session.cancelled_at == NOW
    assert states == {DeliveryState.SKIPPED}
    with runtime.unit_of_work() as db, pytest.raises(SessionCancelled):
        manage.editable_session(db, TEAM, KEY)
    with runtime.unit_of_work() as db, pytest.raises(SessionCancelled):
        manage.announceable(db, TEAM, KEY, NOW)


def test_an_ended_session_is_neither_cancelled_nor_announced(runtime: Runtime, world: int) -> None:
    later = STARTS + timedelta(hours=3)
    with runtime.unit_of_work(write=True) as db, pytest.raises(SessionEnded):
        manage.cancel_session(db, TEAM, KEY, later)
    with runtime.unit_of_work() as db, pytest.raises(SessionEnded):
        manage.cancellation_preview(db, TEAM, KEY, later)
    with runtime.unit_of_work() as db, pytest.raises(SessionEnded):
        manage.announceable(db, TEAM, KEY, later)
    # Fixing a typo after the event tells nobody.
    assert edit(runtime, later, location="Middelfart Rådhus, sal 2").told == 0
