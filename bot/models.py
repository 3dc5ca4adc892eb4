"""The database schema as typed SQLAlchemy 2 models.

Every row that belongs to a Slack workspace carries its ``team_id`` so one
deployment can serve several workspaces.  Times are stored in UTC; the
:class:`UTCDateTime` type hands back aware datetimes on SQLite too.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Refuses naive datetimes on the way in; returns aware UTC on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware one")
        value = value.astimezone(UTC)
        # SQLite has no zone-aware type: store naive UTC text.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class SessionKind(enum.StrEnum):
    SYMPOSIUM = "symposium"
    NETWORK_MEETING = "network_meeting"
    WEBINAR = "webinar"
    REFLECTION = "reflection"


class Role(enum.StrEnum):
    POLITICIAN = "politician"
    LEADER = "leader"
    PRACTITIONER = "practitioner"
    OTHER = "other"


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    # A seat held for a waiting member until they accept or decline, or
    # ``[registration] offer_valid`` after ``promoted_at`` has passed: a promotion
    # to a session that costs money (bot/services/offers.py).
    OFFERED = "offered"
    CANCELLED = "cancelled"


class Attendance(enum.StrEnum):
    ROOM = "room"
    ONLINE = "online"


class DeliveryKind(enum.StrEnum):
    REMINDER = "reminder"
    FEEDBACK_PROMPT = "feedback_prompt"
    FEEDBACK_NUDGE = "feedback_nudge"
    PROMOTION = "promotion"
    SEAT_OFFER = "seat_offer"
    OFFER_LAPSED = "offer_lapsed"
    SESSION_CHANGED = "session_changed"
    SESSION_CANCELLED = "session_cancelled"
    CHANNEL_HEADS_UP = "channel_heads_up"
    # A member signed up by a colleague: Accept / Decline (bot/services/colleagues.py).
    COLLEAGUE_INVITATION = "colleague_invitation"
    # The member who signed a colleague up hears how it ended (colleague_answers.py).
    COLLEAGUE_ANSWER = "colleague_answer"
    # A guest's .ics by e-mail (recipient "guest:<id>", bot/delivery/guest_email.py).
    GUEST_CALENDAR = "guest_calendar"


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"


# Meeting platforms written as a session's location mean the session is online:
# there is no room to count seats in and nothing to ask at registration.
ONLINE_PLATFORMS = frozenset(
    {"online", "microsoft teams", "teams", "zoom", "google meet", "webex", "skype", "whereby"}
)


def is_online_location(location: str) -> bool:
    return not location.strip() or location.strip().casefold() in ONLINE_PLATFORMS


def _str_enum(enum_cls: type[enum.StrEnum], length: int = 32) -> String:
    # Plain strings with a length: portable, and new values need no ALTER TYPE.
    return String(length)


class Workspace(Base):
    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), default="")
    is_municipality: Mapped[bool] = mapped_column(Boolean, default=False)


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True
    )
    role: Mapped[str | None] = mapped_column(_str_enum(Role), nullable=True)
    # The member's own choice; None means "follow the Slack locale".
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    slack_locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    slack_tz: Mapped[str | None] = mapped_column(String(64), nullable=True)
    slack_real_name: Mapped[str] = mapped_column(String(200), default="")
    slack_profile_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    @property
    def has_profile(self) -> bool:
        return bool(self.name and self.organisation_id and self.role)


class ProgrammeSession(Base):
    """One event of the programme: a symposium, network meeting, webinar or reflection."""

    __tablename__ = "programme_sessions"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(_str_enum(SessionKind))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    price: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Open to the season's members only (network meetings); included in the membership.
    members_only: Mapped[bool] = mapped_column(Boolean, default=False)
    feedback: Mapped[bool] = mapped_column(Boolean, default=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="session",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def is_online_only(self) -> bool:
        return is_online_location(self.location)

    @property
    def is_hybrid(self) -> bool:
        return bool(self.online_url) and not self.is_online_only


class AgendaItem(Base):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("programme_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    title: Mapped[str] = mapped_column(Text)
    speakers: Mapped[list[str]] = mapped_column(JSON, default=list)

    session: Mapped[ProgrammeSession] = relationship(back_populates="agenda")


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("session_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("programme_sessions.id", ondelete="CASCADE"), index=True
    )
    # NULL once the member's personal data is erased (forget-me, retention): the
    # row still counts as a participant, but points at no one.
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(_str_enum(RegistrationStatus))
    attendance: Mapped[str] = mapped_column(_str_enum(Attendance), default=Attendance.ROOM)
    # Orders the waiting list; renewed when a cancelled member registers again.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    session: Mapped[ProgrammeSession] = relationship()
    # The organisation the participant registered for, kept for invoicing: it
    # survives a later profile change and the member's erasure.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True, index=True
    )

    member: Mapped[Member | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    # The fee recorded under the per-session rule that came before seasons
    # (migration 0011_recorded_fees); None for registrations priced by the season model.
    recorded_fee: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recorded_full_price: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ProgrammeSeason(Base):
    """A ``[[season]]`` table of the programme file: local dates, both inclusive."""

    __tablename__ = "seasons"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    # None: the network's [fees] member_price.
    membership_price: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Membership(Base):
    """A participant's enrolment in a season's membership (the network meetings).

    Priced in enrolment order per organisation (see :mod:`bot.services.membership`).
    Leaving sets ``left_at``; joining again clears it and takes a new place in
    the order.  Erasing the member keeps the row, detached, for the invoice.
    """

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("team_id", "season_key", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    season_key: Mapped[str] = mapped_column(String(64), index=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # The organisation invoiced, kept as registrations keep theirs.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Slack user id of whoever made the last change (the member, or a facilitator).
    changed_by: Mapped[str] = mapped_column(String(32), default="")

    member: Mapped[Member | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class InvoiceDetails(Base):
    """Where an organisation's invoices go: an EAN/GLN (Denmark) or an organisation
    number (Norway), checked when stored, and the order reference it asks for."""

    __tablename__ = "invoice_details"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    scheme: Mapped[str] = mapped_column(String(8))  # "gln" | "orgnr"
    number: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Slack user id of whoever gave them (a member joining, or a facilitator).
    updated_by: Mapped[str] = mapped_column(String(32), default="")


class InvoiceNumber(Base):
    """A workspace's invoice series: one number per organisation and season, for good.

    Numbers are taken in order without gaps; the two unique constraints keep
    replicas from handing out a number twice or giving an invoice two numbers.
    """

    __tablename__ = "invoice_numbers"
    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_invoice_numbers_number"),
        UniqueConstraint(
            "team_id", "season_key", "organisation_id", name="uq_invoice_numbers_invoice"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    season_key: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # The organisation's name when numbered: the number stays readable if it goes.
    organisation_name: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Delivery(Base):
    """One scheduled DM or post: a reminder, a feedback prompt, a notice.

    The unique key makes a second row for the same message impossible; the
    state machine pending -> sending -> sent|skipped|failed makes sending it
    twice as unlikely as the database allows.
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("session_id", "kind", "recipient", "offset_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("programme_sessions.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), nullable=True, index=True
    )
    # A Slack user id for DMs, a channel id for channel posts.
    recipient: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(_str_enum(DeliveryKind))
    offset_key: Mapped[str] = mapped_column(String(32), default="")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Held back until then (quiet hours, retry backoff); None = send when due.
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    state: Mapped[str] = mapped_column(_str_enum(DeliveryState), default=DeliveryState.PENDING)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    skip_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # What the message needs beyond the session's current state, e.g. a change
    # notice's old time and place (JSON; None for most kinds).
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# Rows still to send, the values written out rather than bound: a query uses
# the partial index below only when its WHERE holds this very term (SQLite
# cannot prove it from bound parameters).
DELIVERY_STILL_TO_SEND = Delivery.state.in_(
    [
        literal_column(f"'{DeliveryState.PENDING.value}'"),
        literal_column(f"'{DeliveryState.SENDING.value}'"),
    ]
)
# In the order workers claim them.  Sent, skipped and failed rows stay in the
# table season after season, and every worker looks for due rows every second
# (bot/delivery/claims.py): the index on due_at alone walked all past ones.
Index(
    "ix_deliveries_to_send",
    Delivery.due_at,
    Delivery.id,
    sqlite_where=DELIVERY_STILL_TO_SEND,
    postgresql_where=DELIVERY_STILL_TO_SEND,
)


class Worker(Base):
    """One running ``sdgbot serve`` process and its heartbeat.

    A delivery claimed by a worker whose ``last_seen`` is fresh belongs to
    it; once the heartbeat is older than ``[reminders] worker_timeout_seconds``
    any process may take the claim over.  The live rows are also the
    replicas that share the workspace's sending budget.
    """

    __tablename__ = "workers"

    # The claimer id written to ``deliveries.claimed_by``.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The live replicas this process paced its share of the budget for at its last
    # heartbeat (0: not sending yet).  A newcomer sends once every other live
    # process paces for it too, so the shares never add up past the budget.
    pacing_for: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class FeedbackResponse(Base):
    """One member's answers.  ``member_id`` is NULL for anonymous sessions."""

    __tablename__ = "feedback_responses"
    # Stored in key (random id) order on SQLite, never in insertion order.
    __table_args__ = (UniqueConstraint("session_id", "member_id"), {"sqlite_with_rowid": False})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("programme_sessions.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    )
    rating: Mapped[int] = mapped_column(Integer)
    most_valuable: Mapped[str] = mapped_column(Text, default="")
    should_change: Mapped[str] = mapped_column(Text, default="")
    would_recommend: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Snapshot of role/organisation for breakdowns (kept when anonymous: group sizes >= 5 only).
    role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    organisation_name: Mapped[str | None] = mapped_column(String(200), nullable=True)

    sdgs: Mapped[list[FeedbackSdg]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class FeedbackSdg(Base):
    __tablename__ = "feedback_sdgs"
    __table_args__ = {"sqlite_with_rowid": False}

    response_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_responses.id", ondelete="CASCADE"), primary_key=True
    )
    goal: Mapped[int] = mapped_column(Integer, primary_key=True)


class LearningPointSource(enum.StrEnum):
    MOST_VALUABLE = "most_valuable"  # a participant's "most valuable" comment
    SHOULD_CHANGE = "should_change"  # a participant's "should change" comment
    FACILITATOR = "facilitator"  # written by a facilitator


class LearningPoint(Base):
    """A comment a facilitator marked as one of the session's learning points, or wrote.

    Only the text is kept, never a link to the answer or its author: the point
    outlives a rewrite of an anonymous session's answers and the author's
    ``forget-me`` as plain text.  ``fingerprint`` (a digest of source and
    text) makes marking the same comment twice one point.
    """

    __tablename__ = "learning_points"
    __table_args__ = (UniqueConstraint("session_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("programme_sessions.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(_str_enum(LearningPointSource))
    text: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedbackRespondent(Base):
    """Who has answered a session, kept apart from the answers (anonymity, nudges)."""

    __tablename__ = "feedback_respondents"
    # Stored in (session, member) order on SQLite, never in the order people answered.
    __table_args__ = {"sqlite_with_rowid": False}

    session_id: Mapped[int] = mapped_column(
        ForeignKey("programme_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )


class SlackRequestSeen(Base):
    """A request from Slack that has been let through once (see bot/edge/replays.py).

    ``key`` is ``event:`` + the Events API's event id, or ``signed:`` + a digest
    of the request's timestamp and signature.  Rows are purged after 10 minutes,
    twice Slack's 5-minute signature window.
    """

    __tablename__ = "slack_requests_seen"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class CalendarLink(Base):
    """A member's private calendar address: a random token in the feed's URL.

    Like a calendar service's "secret address", whoever holds the URL can
    read the feed, so it is the member's alone, replaced on request, and
    deleted with the member.
    """

    __tablename__ = "calendar_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), unique=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Guest(Base):
    """A participant without Slack a member brings (name, e-mail, role).

    The guest's seat is an ordinary registration without a member
    (``registration_id``), so it counts wherever seats and fees are counted;
    at a members-only session the guest is enrolled in the season's
    membership as well (``membership_id``).  Invoiced to the organisation of
    the member who brought them; deleted with that member's personal data.
    """

    __tablename__ = "guests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("programme_sessions.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    brought_by_member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("memberships.id", ondelete="SET NULL"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(_str_enum(Role))
    # The language of the member who brought them: the e-mails' language.
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    registration: Mapped[Registration] = relationship()


class ColleagueInvitation(Base):
    """A member signed up by a colleague: their registration is OFFERED (the seat
    is held) until they accept, decline, or ``[registration] offer_valid`` passes."""

    __tablename__ = "colleague_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    invited_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), nullable=True, index=True
    )
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # accepted | declined | lapsed | withdrawn (bot/services/colleague_answers.py);
    # None while open.
    answer: Mapped[str | None] = mapped_column(String(16), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    registration: Mapped[Registration] = relationship()


# --- several workspaces: slack_sdk's SQLAlchemy installation and OAuth state stores ---
# The stores read and write these tables themselves (bot/workspaces.py); they are
# declared here, column for column as slack_sdk builds them, so the schema has one
# home and migrations are checked against it (tests/test_workspaces.py compares
# them with slack_sdk's own builders).

slack_installations = Table(
    "slack_installations",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(200)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(200)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)

slack_bots = Table(
    "slack_bots",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(200)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(200)),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

slack_oauth_states = Table(
    "slack_oauth_states",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)
