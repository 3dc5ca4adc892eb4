"""Members: who they are, which language and time zone they read in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import LANGUAGES, Settings
from bot.errors import UnknownLanguage
from bot.i18n import Translator, language_from_slack_locale
from bot.models import Member, Workspace

# Slack profiles change rarely; a day-old time zone is good enough to show
# a time, and the refresh happens after the answer, never before it.
PROFILE_MAX_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class Reader:
    """How one member should be spoken to."""

    slack_user_id: str
    language: str
    timezone: str
    profile_known: bool
    profile_stale: bool

    @property
    def translator(self) -> Translator:
        return Translator(self.language, self.timezone)


# Built once: every request from a member looks them up.
_THIS_MEMBER = and_(
    Member.team_id == bindparam("team_id"), Member.slack_user_id == bindparam("user_id")
)
_MEMBER_BY_SLACK_ID = select(Member).where(_THIS_MEMBER)


class ReaderFields(Protocol):
    """What a member's reader is made of: a :class:`Member`, or just those columns."""

    @property
    def language(self) -> str | None: ...
    @property
    def slack_locale(self) -> str | None: ...
    @property
    def slack_tz(self) -> str | None: ...
    @property
    def slack_profile_fetched_at(self) -> datetime | None: ...


# Every request reads these before anything else; four columns, not a Member
# (the mapped object's loading was most of the lookup's cost).
_READER_FIELDS = select(
    Member.language, Member.slack_locale, Member.slack_tz, Member.slack_profile_fetched_at
).where(_THIS_MEMBER)


def find_member(db: Session, team_id: str, slack_user_id: str) -> Member | None:
    return db.scalar(_MEMBER_BY_SLACK_ID, {"team_id": team_id, "user_id": slack_user_id})


def ensure_workspace(db: Session, team_id: str, now: datetime) -> None:
    if db.get(Workspace, team_id) is None:
        try:
            with db.begin_nested():
                db.add(Workspace(team_id=team_id, name="", created_at=now))
        except IntegrityError:
            pass  # another request created it first


def ensure_member(db: Session, team_id: str, slack_user_id: str, now: datetime) -> Member:
    member = find_member(db, team_id, slack_user_id)
    if member is not None:
        return member
    ensure_workspace(db, team_id, now)
    try:
        with db.begin_nested():
            member = Member(team_id=team_id, slack_user_id=slack_user_id, created_at=now)
            db.add(member)
    except IntegrityError:
        # A concurrent request (double click, Slack retry) inserted the same member.
        member = find_member(db, team_id, slack_user_id)
        assert member is not None
    return member


def reader_for(
    member: ReaderFields | None, slack_user_id: str, settings: Settings, now: datetime
) -> Reader:
    """Stored choice, else Slack locale, else the network default; Slack tz, else home tz."""
    default_language = settings.bot.language
    if member is None:
        return Reader(slack_user_id, default_language, settings.bot.timezone, False, True)
    language = (
        member.language or language_from_slack_locale(member.slack_locale) or default_language
    )
    timezone = member.slack_tz if _valid_zone(member.slack_tz) else settings.bot.timezone
    fetched = member.slack_profile_fetched_at
    return Reader(
        slack_user_id,
        language,
        timezone or settings.bot.timezone,
        profile_known=fetched is not None,
        profile_stale=fetched is None or now - fetched > PROFILE_MAX_AGE,
    )


def load_reader(
    db: Session, team_id: str, slack_user_id: str, settings: Settings, now: datetime
) -> Reader:
    query = {"team_id": team_id, "user_id": slack_user_id}
    fields = db.connection().execute(_READER_FIELDS, query).first()
    return reader_for(fields, slack_user_id, settings, now)


def store_slack_profile(
    db: Session,
    team_id: str,
    slack_user_id: str,
    *,
    tz: str | None,
    locale: str | None,
    real_name: str,
    now: datetime,
) -> Member:
    """Cache what users.info said, so answers never wait for the Web API."""
    member = ensure_member(db, team_id, slack_user_id, now)
    member.slack_tz = tz if _valid_zone(tz) else None
    member.slack_locale = locale
    member.slack_real_name = real_name[:200]
    member.slack_profile_fetched_at = now
    return member


def set_language(
    db: Session, team_id: str, slack_user_id: str, language: str, now: datetime
) -> str:
    choice = language.strip().lower()
    aliases = {
        "dansk": "da",
        "norsk": "nb",
        "no": "nb",
        "bokmål": "nb",
        "english": "en",
        "engelsk": "en",
    }
    choice = aliases.get(choice, choice)
    if choice not in LANGUAGES:
        raise UnknownLanguage()
    member = ensure_member(db, team_id, slack_user_id, now)
    member.language = choice
    return choice


def _valid_zone(name: str | None) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
