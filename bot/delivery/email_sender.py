"""One e-mail over SMTP (``[email]``) and what its outcome means for the delivery row.

A delivery to a guest without Slack (recipient ``guest:<id>``) is the same
durable row as a DM, sent on another channel: its builder returns an
:class:`OutgoingEmail`, the worker hands it here instead of to
chat.postMessage, and the answer is classified like Slack's so failures
are retried the same way (``not_before``, ``attempts``).  A 4xx reply or a
connection that fails is retried; a 5xx reply (a refused address) is not.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from bot.config import EmailSettings
from bot.delivery.slack_sender import Outcome, SendResult
from bot.rendering.reply import Reply

SMTP_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class EmailAttachment:
    filename: str
    content_type: str  # e.g. "text/calendar"
    data: bytes


@dataclass(frozen=True)
class OutgoingEmail(Reply):
    """A message for a guest's e-mail address; ``text`` is the plain-text body."""

    to: str = ""
    subject: str = ""
    attachments: tuple[EmailAttachment, ...] = ()


def mime_message(settings: EmailSettings, email: OutgoingEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.from_address
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.from_address.rpartition("@")[2] or None)
    message.set_content(email.text)
    for attachment in email.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


def send_email(settings: EmailSettings, email: OutgoingEmail) -> SendResult:
    """Send once; classify the outcome, never raise for the server's or the network's faults."""
    if not settings.enabled:
        return SendResult(Outcome.PERMANENT, error="[email] smtp_url is not set")
    message = mime_message(settings, email)
    try:
        smtp: smtplib.SMTP
        if settings.secure:
            smtp = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=SMTP_TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS)
        with smtp:
            smtp.ehlo()
            if not settings.secure and smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.user and settings.password:
                smtp.login(settings.user, settings.password)
            refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        return _by_code(min(codes, default=550), "recipient refused")
    except smtplib.SMTPResponseException as exc:
        return _by_code(exc.smtp_code, f"SMTP {exc.smtp_code}")
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        return SendResult(Outcome.TRANSIENT, error=f"SMTP: {type(exc).__name__}")
    if refused:
        return SendResult(Outcome.PERMANENT, error="recipient refused")
    return SendResult(Outcome.SENT)


def _by_code(code: int, error: str) -> SendResult:
    outcome = Outcome.TRANSIENT if 400 <= code < 500 else Outcome.PERMANENT
    return SendResult(outcome, error=error)
