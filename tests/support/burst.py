"""First-time registrations in bursts: 32 members type `/sdg register KEY` at once,
get the profile modal, and submit it at the same instant.

Used by the burst test (correctness and Slack's 3 s) and by
``bench/registration_burst.py`` (the figures).  Times are taken from the
moment each request is sent: the ack is the HTTP answer, ``views.open`` the
moment the Web API stand-in received it.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bot.ids import ActionId, BlockId, CallbackId
from bot.sandbox.slack_standin import SlackStandIn
from tests.support.signed_client import SignedSlackClient


@dataclass
class BurstFigures:
    command_acks: list[float] = field(default_factory=list)
    views_open: list[float] = field(default_factory=list)  # from the command being sent
    submission_acks: list[float] = field(default_factory=list)
    missing_modals: int = 0  # views.open never came, or after the trigger's 3 s
    failed_submissions: int = 0  # not HTTP 200 with an empty body

    def add(self, other: BurstFigures) -> None:
        self.command_acks += other.command_acks
        self.views_open += other.views_open
        self.submission_acks += other.submission_acks
        self.missing_modals += other.missing_modals
        self.failed_submissions += other.failed_submissions


def profile_values(name: str, organisation_value: str, organisation_text: str) -> dict[str, Any]:
    def option(value: str, text: str) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": text}, "value": value}

    return {
        BlockId.PROFILE_NAME: {
            ActionId.PROFILE_NAME_INPUT: {"type": "plain_text_input", "value": name}
        },
        BlockId.PROFILE_ORGANISATION: {
            ActionId.ORGANISATION_SELECT: {
                "type": "external_select",
                "selected_option": option(organisation_value, organisation_text),
            }
        },
        BlockId.PROFILE_ORGANISATION_OTHER: {
            ActionId.PROFILE_OTHER_INPUT: {"type": "plain_text_input", "value": None}
        },
        BlockId.PROFILE_ROLE: {
            ActionId.PROFILE_ROLE_SELECT: {
                "type": "static_select",
                "selected_option": option("leader", "Leader"),
            }
        },
    }


def _modal_for(standin: SlackStandIn, trigger_id: str, timeout: float) -> tuple[Any, float] | None:
    """The view opened with *trigger_id* and when the stand-in got it (monotonic)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in standin.calls_to("views.open"):
            if call.args.get("trigger_id") == trigger_id:
                view = call.args["view"]
                return (json.loads(view) if isinstance(view, str) else view), call.at
        time.sleep(0.02)
    return None


def one_burst(
    slack: SignedSlackClient,
    standin: SlackStandIn,
    user_ids: list[str],
    key: str,
    organisation: tuple[str, str],
) -> BurstFigures:
    """Every member in *user_ids* registers for *key* for the first time, all at once."""
    figures = BurstFigures()
    lock = threading.Lock()
    typed = threading.Barrier(len(user_ids))
    submitting = threading.Barrier(len(user_ids))

    def member(user_id: str) -> None:
        trigger_id = slack.new_trigger_id()
        typed.wait()
        sent = time.monotonic()
        result = slack.command(f"register {key}", user_id=user_id, trigger_id=trigger_id)
        acked = time.monotonic() - sent
        modal = _modal_for(standin, trigger_id, timeout=10)
        submitting.wait()  # all 32 press Submit at the same instant
        with lock:
            figures.command_acks.append(acked)
            if result.status != 200:
                figures.failed_submissions += 1
            if modal is None or modal[1] - sent > 3.0:
                figures.missing_modals += 1
            if modal is not None:
                figures.views_open.append(modal[1] - sent)
        if modal is None:
            return
        view = modal[0]
        sent = time.monotonic()
        answer = slack.view_submission(
            CallbackId.PROFILE,
            profile_values(f"Member {user_id}", *organisation),
            user_id=user_id,
            private_metadata=view.get("private_metadata", ""),
            view={"blocks": view["blocks"], "title": view["title"]},
        )
        acked = time.monotonic() - sent
        with lock:
            figures.submission_acks.append(acked)
            if answer.status != 200 or answer.json is not None:
                figures.failed_submissions += 1

    with ThreadPoolExecutor(len(user_ids)) as pool:
        for future in [pool.submit(member, user_id) for user_id in user_ids]:
            future.result()
    return figures


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
