"""Learning points: the comments a facilitator marks in a session's summary, and their own.

A marked comment is copied as text (see :class:`bot.models.LearningPoint`):
no answer id and no member is kept, so an anonymous session's points are as
unlinked as its comments, and a point stays, without an author, when the
member who wrote the comment asks to be forgotten.

What a button says is only a reference (session key, answer id, which of the
two comments).  The text is always read from the database, and the answer
must belong to that session of the clicker's workspace, so a forged click
cannot mark another team's or another session's comment, nor plant a text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import CommentNotFound, FieldCode, FormErrors, LearningPointNotFound
from bot.models import FeedbackResponse, LearningPoint, LearningPointSource, ProgrammeSession
from bot.services.sessions import find_session

MAX_OWN_TEXT = 500
_ID_LIMIT = 2**31 - 1  # the INTEGER column on both backends
# One letter per comment field keeps button values short.
_FIELD_CODES = {"v": LearningPointSource.MOST_VALUABLE, "c": LearningPointSource.SHOULD_CHANGE}
_CODE_OF = {source: code for code, source in _FIELD_CODES.items()}


@dataclass(frozen=True)
class LearningPointView:
    id: int
    source: LearningPointSource
    text: str


@dataclass(frozen=True)
class CommentRef:
    """Which comment a "Mark as learning point" button means: ``KEY|answer id|v|c``."""

    key: str
    response_id: int
    source: LearningPointSource

    def encode(self) -> str:
        return f"{self.key}|{self.response_id}|{_CODE_OF[self.source]}"

    @classmethod
    def parse(cls, value: str) -> CommentRef | None:
        parts = value.split("|")
        if len(parts) != 3:
            return None
        key, number, code = parts
        if not key or not (number.isascii() and number.isdigit()) or code not in _FIELD_CODES:
            return None
        response_id = int(number)
        if not 1 <= response_id <= _ID_LIMIT:
            return None
        return cls(key, response_id, _FIELD_CODES[code])


@dataclass(frozen=True)
class PointRef:
    """Which learning point an "Unmark" button means: ``KEY|point id``."""

    key: str
    point_id: int

    def encode(self) -> str:
        return f"{self.key}|{self.point_id}"

    @classmethod
    def parse(cls, value: str) -> PointRef | None:
        key, bar, number = value.rpartition("|")
        if not (bar and key and number.isascii() and number.isdigit()):
            return None
        point_id = int(number)
        return cls(key, point_id) if 1 <= point_id <= _ID_LIMIT else None


def fingerprint(source: str, text: str) -> str:
    return hashlib.sha256(f"{source}\n{text.strip()}".encode()).hexdigest()


def _view(point: LearningPoint) -> LearningPointView:
    return LearningPointView(point.id, LearningPointSource(point.source), point.text)


def _store(
    db: Session, session: ProgrammeSession, source: LearningPointSource, text: str, now: datetime
) -> LearningPointView:
    """Add the point once: marking the same comment again (or at the same time) is one point."""
    digest = fingerprint(source, text)
    where = (LearningPoint.session_id == session.id, LearningPoint.fingerprint == digest)
    existing = db.scalar(select(LearningPoint).where(*where))
    if existing is not None:
        return _view(existing)
    point = LearningPoint(
        team_id=session.team_id,
        session_id=session.id,
        source=source,
        text=text.strip(),
        fingerprint=digest,
        marked_at=now,
    )
    try:
        with db.begin_nested():
            db.add(point)
            db.flush()
    except IntegrityError:  # a double click's twin got there first
        return _view(db.scalars(select(LearningPoint).where(*where)).one())
    return _view(point)


def mark_comment(db: Session, team_id: str, ref: CommentRef, now: datetime) -> LearningPointView:
    """Mark the comment *ref* names, if it is one of that session's, in *team_id*."""
    session = find_session(db, team_id, ref.key)
    response = db.get(FeedbackResponse, ref.response_id)
    if response is None or response.session_id != session.id or response.team_id != team_id:
        raise CommentNotFound()
    text = (
        response.most_valuable
        if ref.source is LearningPointSource.MOST_VALUABLE
        else response.should_change
    )
    if not text.strip():
        raise CommentNotFound()
    return _store(db, session, ref.source, text, now)


def own_text(text: str | None) -> str:
    """A facilitator's learning point as written, trimmed; FormErrors (field "text") when wrong."""
    trimmed = (text or "").strip()
    errors = FormErrors()
    if not trimmed:
        errors.add("text", FieldCode.LEARNING_POINT_EMPTY)
    elif len(trimmed) > MAX_OWN_TEXT:
        errors.add("text", FieldCode.LEARNING_POINT_TOO_LONG, limit=MAX_OWN_TEXT)
    if errors:
        raise errors
    return trimmed


def add_own(db: Session, team_id: str, key: str, text: str, now: datetime) -> LearningPointView:
    """A facilitator's own learning point for the session *key*."""
    session = find_session(db, team_id, key)
    return _store(db, session, LearningPointSource.FACILITATOR, own_text(text), now)


def unmark(db: Session, team_id: str, ref: PointRef) -> LearningPointView:
    """Remove the learning point *ref* names, if it belongs to that session of *team_id*."""
    session = find_session(db, team_id, ref.key)
    point = db.get(LearningPoint, ref.point_id)
    if point is None or point.session_id != session.id or point.team_id != team_id:
        raise LearningPointNotFound()
    gone = _view(point)
    db.delete(point)
    db.flush()
    return gone


def for_sessions(db: Session, session_ids: Iterable[int]) -> dict[int, list[LearningPointView]]:
    """Each session's learning points, in the order they were marked."""
    found: dict[int, list[LearningPointView]] = {}
    ids = list(session_ids)
    if not ids:
        return found
    for point in db.scalars(
        select(LearningPoint)
        .where(LearningPoint.session_id.in_(ids))
        .order_by(LearningPoint.session_id, LearningPoint.marked_at, LearningPoint.id)
    ):
        found.setdefault(point.session_id, []).append(_view(point))
    return found


def for_session(db: Session, team_id: str, key: str) -> list[LearningPointView]:
    session = find_session(db, team_id, key)
    return for_sessions(db, [session.id]).get(session.id, [])


def is_marked(points: Iterable[LearningPointView], source: str, text: str) -> bool:
    digest = fingerprint(source, text)
    return any(fingerprint(p.source, p.text) == digest for p in points)
