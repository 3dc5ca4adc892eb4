"""Slack's v0 request signature, checked on the raw bytes before anything is parsed.

https://api.slack.com/authentication/verifying-requests-from-slack: the
signature is ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}`` under the
app's signing secret, and the timestamp must be within five minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import re

MAX_CLOCK_SKEW_SECONDS = 5 * 60
# Slack sends seconds since the epoch: ASCII digits only (no sign, no fraction).
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class SignatureRefused(Exception):
    """The request is not provably from Slack; ``reason`` is a fixed word for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> None:
    """Return if *body* is signed by Slack within the time window; raise otherwise."""
    if not secret:
        raise SignatureRefused("no signing secret configured")
    if timestamp is None:
        raise SignatureRefused("missing timestamp")
    if signature is None:
        raise SignatureRefused("missing signature")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise SignatureRefused("malformed timestamp")
    if not _SIGNATURE.fullmatch(signature):
        raise SignatureRefused("malformed signature")
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        raise SignatureRefused("stale timestamp")
    if not hmac.compare_digest(expected_signature(secret, timestamp, body), signature):
        raise SignatureRefused("bad signature")
