"""One chat.postMessage call and what its outcome means for the delivery row.

The client used here has *no* automatic retry handlers.  slack_sdk's
handlers would repeat a call after a 5xx or a dropped connection inside the
SDK, invisibly: if Slack had in fact posted the message, the member would
get it twice and nothing would be recorded.  Retries are the worker's job,
through the database (``not_before``, ``attempts``), where they are visible
and paced together with everything else.

A 5xx answer is taken to mean Slack did not post the message; a call whose
answer never arrived (read timeout, connection dropped after sending) is
retried too, but marked as a possible duplicate, like a crash mid-call.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.metrics import WebApiCallCounter

# The longest a live process keeps one call open (a live process's claims are
# never taken over, so this only bounds how long one member can hold a thread).
MAX_CALL_SECONDS = 15

# ok=false answers that mean "try again later", not "this can never work".
_TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)


def make_delivery_client(settings: Settings) -> WebClient:
    """A Web API client for scheduled messages: no SDK retries (see module doc)."""
    return WebClient(
        token=settings.slack.bot_token or None,
        base_url=settings.slack.api_url,
        timeout=MAX_CALL_SECONDS,
        # Counts calls for /metrics; it never retries.
        retry_handlers=[WebApiCallCounter()],
    )


class Outcome(enum.Enum):
    SENT = "sent"
    RATE_LIMITED = "rate_limited"  # 429: not posted; wait Retry-After
    TRANSIENT = "transient"  # 5xx, or the request never left: not posted, try again
    UNANSWERED = "unanswered"  # sent, but no answer came back: Slack may have posted it
    PERMANENT = "permanent"  # channel_not_found, invalid_blocks...: give up


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    ts: str | None = None
    retry_after: float = 0.0
    error: str = ""


def post_message(
    client: WebClient,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]],
    *,
    token: str | None = None,
) -> SendResult:
    """Post once (with *token*, the workspace's, when given); classify the answer,
    never raise for Slack's or the network's faults."""
    extra: dict[str, Any] = {"token": token} if token else {}
    try:
        response = client.chat_postMessage(
            channel=channel, text=text, blocks=blocks or None, unfurl_links=False, **extra
        )
    except SlackApiError as exc:
        return _classify_api_error(exc)
    except URLError as exc:
        # urllib raises URLError only while connecting and sending the request:
        # Slack has not seen it, so trying again cannot duplicate it.
        return SendResult(Outcome.TRANSIENT, error=f"not sent: {exc.reason}"[:200])
    except (OSError, HTTPException) as exc:
        # A timeout or a dropped connection while waiting for the answer: the
        # request was sent and Slack may have posted the message.
        return SendResult(Outcome.UNANSWERED, error=f"no answer: {exc!r}"[:200])
    return SendResult(Outcome.SENT, ts=str(response.get("ts") or ""))


def _classify_api_error(exc: SlackApiError) -> SendResult:
    status = exc.response.status_code
    error = str(exc.response.get("error") or "") if isinstance(exc.response.data, dict) else ""
    if status == 429:
        return SendResult(
            Outcome.RATE_LIMITED, retry_after=_retry_after(exc.response.headers), error="429"
        )
    if status >= 500 or error in _TRANSIENT_ERRORS:
        return SendResult(Outcome.TRANSIENT, error=f"HTTP {status}: {error}"[:200])
    return SendResult(Outcome.PERMANENT, error=(error or f"HTTP {status}")[:200])


def _retry_after(headers: Any) -> float:
    for key in ("Retry-After", "retry-after"):
        value = headers.get(key) if headers else None
        if value is not None:
            try:
                return max(1.0, float(value))
            except (TypeError, ValueError):
                break
    return 1.0
