"""The first registration: the profile and the seat in one write transaction.

The profile modal a first-time member submits carries both; saving them in
one unit of work takes the database's write lock once per submission
instead of twice, which is what keeps a burst of 32 at once inside Slack's
three seconds.  A registration refused by the session's rules (cancelled,
closed, the room or online question) keeps the profile: it is decided
inside a savepoint and given back as the result, not raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import FeeSettings
from bot.errors import DomainError
from bot.services import profiles, registration
from bot.services.registration import RegistrationOutcome


@dataclass(frozen=True)
class ProfileAndRegistration:
    profile: profiles.Profile
    outcome: RegistrationOutcome | None  # None when there was nothing to register for
    refused: DomainError | None = None  # the registration's refusal; the profile is saved


def save_profile_and_register(
    db: Session,
    team_id: str,
    slack_user_id: str,
    *,
    name: str,
    organisation: str | None,
    other_organisation: str | None,
    role: str,
    session_key: str | None,
    attendance: str | None,
    now: datetime,
    fees: FeeSettings,
) -> ProfileAndRegistration:
    """Save the profile, then register for *session_key* if one was pending.

    Raises UnknownOrganisation (nothing saved) like ``profiles.save_profile``.
    """
    profile = profiles.save_profile(
        db,
        team_id,
        slack_user_id,
        name=name,
        organisation=organisation,
        other_organisation=other_organisation,
        role=role,
        now=now,
    )
    if session_key is None:
        return ProfileAndRegistration(profile, None)
    try:
        with db.begin_nested():
            outcome = registration.register_member(
                db, team_id, slack_user_id, session_key, attendance, now, fees=fees
            )
    except DomainError as refused:
        return ProfileAndRegistration(profile, None, refused)
    return ProfileAndRegistration(profile, outcome)
