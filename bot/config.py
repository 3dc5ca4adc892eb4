"""Settings: read once from TOML + environment into a frozen object.

Every key of ``config.example.toml`` can be overridden with
``SDGBOT_<SECTION>_<KEY>``; secrets come only from the environment.  A bad
value raises :class:`ConfigError` naming the key, so start-up stops with one
clear line.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.durations import parse_duration

LANGUAGES = ("da", "nb", "en")
DEFAULT_CONFIG_PATH = "./config.toml"

log = logging.getLogger(__name__)


class ConfigError(ValueError):
    """A configuration value is missing or wrong; ``key`` names it."""

    def __init__(self, key: str, reason: str, source: str = "") -> None:
        where = f"{key} (from {source})" if source else key
        super().__init__(f"config error: {where}: {reason}")
        self.key = key
        self.reason = reason
        self.source = source  # the environment variable the value came from, if any


@dataclass(frozen=True)
class SlackSettings:
    api_url: str = "https://slack.com/api/"
    announce_channel: str = ""
    team_id: str = ""
    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    # Several workspaces (OAuth): both set, from the environment only.
    client_id: str = field(default="", repr=False)
    client_secret: str = field(default="", repr=False)

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.client_id and self.client_secret)


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///sdgbot.db"


@dataclass(frozen=True)
class BotSettings:
    timezone: str = "Europe/Copenhagen"
    language: str = "da"
    facilitators: tuple[str, ...] = ()
    facilitator_usergroup: str = ""
    public_url: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


@dataclass(frozen=True)
class ReminderSettings:
    offsets: tuple[timedelta, ...] = (timedelta(days=7), timedelta(days=1), timedelta(hours=1))
    offset_names: tuple[str, ...] = ("P7D", "P1D", "PT1H")
    tick_seconds: int = 30
    quiet_hours: QuietHours | None = QuietHours(time(21, 0), time(7, 0))
    # The workspace's budget, shared by all live replicas.
    send_rate_per_second: int = 20
    # A process whose heartbeat is older than this is dead; its claims are taken over.
    worker_timeout_seconds: int = 5


@dataclass(frozen=True)
class FeedbackSettings:
    prompt_delay: timedelta = timedelta(0)
    nudge_after: timedelta = timedelta(days=3)


@dataclass(frozen=True)
class FeeSettings:
    member_price: int = 10000
    extra_participant_discount: float = 0.25
    currency: str = "DKK"


@dataclass(frozen=True)
class InvoicingSettings:
    """The seller on the network's invoices (Peppol BIS Billing 3.0); empty: no invoices."""

    seller_name: str = ""
    seller_id: str = ""  # CVR (DK) or organisation number (NO), digits only
    seller_address: str = ""
    seller_country: str = "DK"  # DK | NO
    iban: str = ""  # compact, upper case
    vat_rate: float = 0.25
    prices_include_vat: bool = False
    number_prefix: str = ""
    first_number: int = 1
    payment_days: int = 30

    @property
    def enabled(self) -> bool:
        return bool(self.seller_name and self.seller_id)


@dataclass(frozen=True)
class RegistrationSettings:
    # How long a seat offered to a waiting member is held for their answer.
    offer_valid: timedelta = timedelta(days=2)


@dataclass(frozen=True)
class EmailSettings:
    """``[email]``: guests without Slack get the .ics and the reminders by e-mail.

    ``smtp_url`` is ``smtp://[user@]host[:port]`` (STARTTLS when the server
    offers it; port 587 by default) or ``smtps://`` (TLS from the start, 465);
    the password comes from ``SMTP_PASSWORD`` only.  Empty: no e-mail is sent.
    """

    smtp_url: str = ""
    sender: str = ""
    password: str = field(default="", repr=False)

    @property
    def enabled(self) -> bool:
        return bool(self.smtp_url)

    @property
    def secure(self) -> bool:
        return self.smtp_url.startswith("smtps://")

    @property
    def host(self) -> str:
        return _smtp_parts(self.smtp_url)[1]

    @property
    def port(self) -> int:
        return _smtp_parts(self.smtp_url)[2]

    @property
    def user(self) -> str:
        return _smtp_parts(self.smtp_url)[0]

    @property
    def from_address(self) -> str:
        return self.sender or f"sdgbot@{self.host}"


_SMTP_URL = re.compile(
    r"(?P<scheme>smtps?)://(?:(?P<user>[^@/\s:]+)@)?(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])"
    r"(?::(?P<port>[0-9]{1,5}))?/?"
)
_ADDRESS = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+")


def _smtp_parts(url: str) -> tuple[str, str, int]:
    """(user, host, port) of an ``smtp_url`` already checked by :func:`_smtp_url`."""
    match = _SMTP_URL.fullmatch(url)
    if match is None:
        return "", "", 0
    default = 465 if match["scheme"] == "smtps" else 587
    return match["user"] or "", match["host"].strip("[]"), int(match["port"] or default)


@dataclass(frozen=True)
class PrivacySettings:
    retain_personal_data: timedelta = timedelta(days=180)


@dataclass(frozen=True)
class LoggingSettings:
    format: str = "text"
    level: str = "INFO"


@dataclass(frozen=True)
class ServerSettings:
    host: str = "0.0.0.0"
    port: int = 3000
    listener_threads: int = 64


@dataclass(frozen=True)
class WorkspaceOverrides:
    """A ``[workspace.T…]`` table: the keys one workspace sets differently.

    Each value is None where the workspace follows the network's setting.
    """

    team_id: str
    language: str | None = None
    timezone: str | None = None
    facilitators: tuple[str, ...] | None = None
    facilitator_usergroup: str | None = None
    announce_channel: str | None = None
    currency: str | None = None
    member_price: int | None = None
    extra_participant_discount: float | None = None


@dataclass(frozen=True)
class Settings:
    slack: SlackSettings = SlackSettings()
    database: DatabaseSettings = DatabaseSettings()
    bot: BotSettings = BotSettings()
    reminders: ReminderSettings = ReminderSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    fees: FeeSettings = FeeSettings()
    invoicing: InvoicingSettings = InvoicingSettings()
    registration: RegistrationSettings = RegistrationSettings()
    privacy: PrivacySettings = PrivacySettings()
    email: EmailSettings = EmailSettings()
    logging: LoggingSettings = LoggingSettings()
    server: ServerSettings = ServerSettings()
    workspaces: tuple[WorkspaceOverrides, ...] = ()

    @property
    def home_team_id(self) -> str:
        """The team id every row is stored under in a single-workspace deployment."""
        return self.slack.team_id or "T_HOME"

    def for_team(self, team_id: str) -> Settings:
        """These settings as the workspace *team_id* sees them (its overrides applied)."""
        overrides = next((w for w in self.workspaces if w.team_id == team_id), None)
        if overrides is None:
            return self

        def pick(name: str, default: Any) -> Any:
            value = getattr(overrides, name)
            return default if value is None else value

        return replace(
            self,
            slack=replace(
                self.slack, announce_channel=pick("announce_channel", self.slack.announce_channel)
            ),
            bot=replace(
                self.bot,
                language=pick("language", self.bot.language),
                timezone=pick("timezone", self.bot.timezone),
                facilitators=pick("facilitators", self.bot.facilitators),
                facilitator_usergroup=pick("facilitator_usergroup", self.bot.facilitator_usergroup),
            ),
            fees=replace(
                self.fees,
                currency=pick("currency", self.fees.currency),
                member_price=pick("member_price", self.fees.member_price),
                extra_participant_discount=pick(
                    "extra_participant_discount", self.fees.extra_participant_discount
                ),
            ),
            workspaces=(),
        )


# --- value readers: each takes the raw value and the key name for errors ---


def _string(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(key, f"must be a string, got {value!r}")
    return value


def _integer(minimum: int, maximum: int) -> Callable[[str, Any], int]:
    def read(key: str, value: Any) -> int:
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, f"must be a whole number, got {value!r}")
        if not minimum <= value <= maximum:
            raise ConfigError(key, f"must be between {minimum} and {maximum}, got {value}")
        return value

    return read


def _fraction(key: str, value: Any) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ConfigError(key, f"must be a number between 0 and 1, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(key, f"must be a number between 0 and 1, got {value!r}")
    return float(value)


def _boolean(key: str, value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    if not isinstance(value, bool):
        raise ConfigError(key, f"must be true or false, got {value!r}")
    return value


def _iban(key: str, value: Any) -> str:
    from stdnum import iban
    from stdnum.exceptions import ValidationError

    text = _string(key, value)
    if not text.strip():
        return ""
    try:
        return str(iban.validate(text))
    except ValidationError as exc:
        raise ConfigError(key, f"is not a valid IBAN ({exc}): {text!r}") from None


def _invoice_prefix(key: str, value: Any) -> str:
    text = _string(key, value)
    # The number goes into file names and the invoice's ID: no spaces or slashes.
    if not re.fullmatch(r"[A-Za-z0-9._-]{0,20}", text):
        raise ConfigError(key, f"may hold up to 20 letters, digits, '.', '_' or '-', got {text!r}")
    return text


def _seller_id(country: str, text: str) -> str:
    """The CVR (DK) or organisation number (NO) of *text*, checked; raises ConfigError."""
    from stdnum.dk import cvr
    from stdnum.exceptions import ValidationError
    from stdnum.no import orgnr

    key = "invoicing.seller_id"
    try:
        if country == "NO":
            return str(orgnr.validate(text))
        return str(cvr.validate(text))
    except ValidationError as exc:
        kind = "an organisation number (NO)" if country == "NO" else "a CVR number (DK)"
        raise ConfigError(key, f"is not {kind} ({exc}): {text!r}") from None


def _string_list(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(key, f"must be a list of strings, got {value!r}")
    return tuple(value)


def _duration(key: str, value: Any) -> timedelta:
    text = _string(key, value)
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise ConfigError(key, str(exc)) from None


def _timezone(key: str, value: Any) -> str:
    text = _string(key, value)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(key, f"unknown time zone {text!r} (use an IANA name)") from None
    return text


def _choice(*options: str) -> Callable[[str, Any], str]:
    def read(key: str, value: Any) -> str:
        text = _string(key, value)
        if text not in options:
            raise ConfigError(key, f"must be one of {' | '.join(options)}, got {text!r}")
        return text

    return read


def _url(key: str, value: Any) -> str:
    text = _string(key, value)
    if not re.match(r"^https?://[^/\s]+", text):
        raise ConfigError(key, f"must be an http(s) URL, got {text!r}")
    return text if text.endswith("/") else text + "/"


def _smtp_url(key: str, value: Any) -> str:
    text = _string(key, value).strip()
    if not text:
        return ""
    match = _SMTP_URL.fullmatch(text)
    if match is None or not 0 < int(match["port"] or 1) <= 65535:
        raise ConfigError(
            key, f'must look like "smtp://user@mail.example.org:587" (or smtps://), got {text!r}'
        )
    return text


def _email_address(key: str, value: Any) -> str:
    text = _string(key, value).strip()
    if text and not _ADDRESS.fullmatch(text):
        raise ConfigError(key, f"is not an e-mail address: {text!r}")
    return text


def _optional_url(key: str, value: Any) -> str:
    text = _string(key, value)
    return _url(key, text).rstrip("/") if text else ""


def _quiet_hours(key: str, value: Any) -> QuietHours | None:
    text = _string(key, value).strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", text)
    if not match:
        raise ConfigError(key, f'must look like "21:00-07:00", got {text!r}')
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ConfigError(key, f"has an impossible time of day: {text!r}")
    return QuietHours(time(h1, m1), time(h2, m2))


def _slack_id(prefixes: str) -> Callable[[str, Any], str]:
    def read(key: str, value: Any) -> str:
        text = _string(key, value).strip()
        if text and not re.fullmatch(rf"[{prefixes}][A-Z0-9]{{2,}}", text):
            raise ConfigError(key, f"is not a Slack id ({prefixes[0]}...): {text!r}")
        return text

    return read


def _slack_ids(key: str, value: Any) -> tuple[str, ...]:
    ids = _string_list(key, value)
    for user_id in ids:
        if not re.fullmatch(r"[UW][A-Z0-9]{2,}", user_id):
            raise ConfigError(key, f"is not a Slack user id (U...): {user_id!r}")
    return ids


def _database_url(key: str, value: Any) -> str:
    text = _string(key, value)
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text)
    except ArgumentError:
        raise ConfigError(key, f"is not a database URL: {text!r}") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(key, "must be a sqlite:/// or postgresql+psycopg:// URL")
    return text


Reader = Callable[[str, Any], Any]

# section -> key -> reader.  The schema is the list of keys the file may hold.
SCHEMA: dict[str, dict[str, Reader]] = {
    "slack": {
        "api_url": _url,
        "announce_channel": _slack_id("CG"),
        "team_id": _slack_id("TE"),
    },
    "database": {"url": _database_url},
    "bot": {
        "timezone": _timezone,
        "language": _choice(*LANGUAGES),
        "facilitators": _slack_ids,
        "facilitator_usergroup": _slack_id("S"),
        "public_url": _optional_url,
    },
    "reminders": {
        "offsets": _string_list,
        "tick_seconds": _integer(1, 3600),
        "quiet_hours": _quiet_hours,
        "send_rate_per_second": _integer(1, 1000),
        "worker_timeout_seconds": _integer(2, 300),
    },
    "feedback": {"prompt_delay": _duration, "nudge_after": _duration},
    "fees": {
        "member_price": _integer(0, 10_000_000),
        "extra_participant_discount": _fraction,
        "currency": _string,
    },
    "invoicing": {
        "seller_name": _string,
        "seller_id": _string,
        "seller_address": _string,
        "seller_country": _choice("DK", "NO"),
        "iban": _iban,
        "vat_rate": _fraction,
        "prices_include_vat": _boolean,
        "number_prefix": _invoice_prefix,
        "first_number": _integer(1, 999_999_999),
        "payment_days": _integer(0, 365),
    },
    "registration": {"offer_valid": _duration},
    "privacy": {"retain_personal_data": _duration},
    "email": {"smtp_url": _smtp_url, "sender": _email_address},
    "logging": {
        "format": _choice("text", "json"),
        "level": _choice("DEBUG", "INFO", "WARNING", "ERROR"),
    },
    "server": {
        "host": _string,
        "port": _integer(1, 65535),
        "listener_threads": _integer(4, 512),
    },
}


# What a [workspace.T…] table may set: the keys that differ between the networks.
WORKSPACE_SCHEMA: dict[str, Reader] = {
    "language": _choice(*LANGUAGES),
    "timezone": _timezone,
    "facilitators": _slack_ids,
    "facilitator_usergroup": _slack_id("S"),
    "announce_channel": _slack_id("CG"),
    "currency": _string,
    "member_price": _integer(0, 10_000_000),
    "extra_participant_discount": _fraction,
}


def _workspaces(raw: Any) -> tuple[WorkspaceOverrides, ...]:
    if not isinstance(raw, dict):
        raise ConfigError("workspace", "must be tables like [workspace.T0123ABC]")
    found = []
    for team_id, table in raw.items():
        where = f"workspace.{team_id}"
        if not re.fullmatch(r"[TE][A-Z0-9]{2,}", team_id):
            raise ConfigError(where, "is not a Slack team id (T...)")
        if not isinstance(table, dict):
            raise ConfigError(where, "must be a table")
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in WORKSPACE_SCHEMA:
                known = ", ".join(WORKSPACE_SCHEMA)
                raise ConfigError(f"{where}.{key}", f"unknown key (a workspace may set {known})")
            values[key] = WORKSPACE_SCHEMA[key](f"{where}.{key}", value)
        found.append(WorkspaceOverrides(team_id=team_id, **values))
    return tuple(found)


def _read_file(path: Path, required: bool) -> dict[str, Any]:
    if not path.exists():
        if required:
            raise ConfigError("SDGBOT_CONFIG", f"file not found: {path}")
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None


# Keys an earlier release read: accepted with a warning for one release, so a
# rolling upgrade does not stop on a config that was right yesterday.
RETIRED_KEYS: dict[tuple[str, str], str] = {
    ("reminders", "lease_seconds"): (
        "no longer used: claims follow the worker heartbeats "
        "([reminders] worker_timeout_seconds); remove it"
    ),
}


def _merge_env(raw: dict[str, Any], env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for section, value in raw.items():
        if section == "workspace":
            continue  # read by _workspaces()
        if section not in SCHEMA:
            raise ConfigError(section, f"unknown section [{section}]")
        if not isinstance(value, dict):
            raise ConfigError(section, "must be a table")
        kept = dict(value)
        for key in value:
            if (section, key) in RETIRED_KEYS:
                log.warning("config: %s.%s: %s", section, key, RETIRED_KEYS[(section, key)])
                del kept[key]
            elif key not in SCHEMA[section]:
                raise ConfigError(f"{section}.{key}", "unknown key")
        merged[section] = kept
    for section, keys in SCHEMA.items():
        for key in keys:
            env_name = f"SDGBOT_{section.upper()}_{key.upper()}"
            if env_name in env:
                merged.setdefault(section, {})[key] = env[env_name]
    return merged


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read the TOML file named by ``SDGBOT_CONFIG`` (or *path*) and the environment."""
    env = os.environ if env is None else env
    named = env.get("SDGBOT_CONFIG", "")
    explicit = path is not None or bool(named)
    config_path = Path(path or named or DEFAULT_CONFIG_PATH)
    raw = _read_file(config_path, required=explicit)
    values = _merge_env(raw, env)
    workspaces = _workspaces(raw.get("workspace", {}))

    def get(section: str, key: str, default: Any) -> Any:
        if key in values.get(section, {}):
            try:
                return SCHEMA[section][key](f"{section}.{key}", values[section][key])
            except ConfigError as error:
                env_name = f"SDGBOT_{section.upper()}_{key.upper()}"
                if env_name in env:
                    raise ConfigError(error.key, error.reason, source=env_name) from None
                raise
        return default

    defaults = Settings()
    offset_names = get("reminders", "offsets", defaults.reminders.offset_names)
    offsets = tuple(_duration("reminders.offsets", name) for name in offset_names)
    if any(o <= timedelta(0) for o in offsets):
        raise ConfigError("reminders.offsets", "every offset must be longer than zero")
    if len(set(offset_names)) != len(offset_names):
        raise ConfigError("reminders.offsets", "lists the same offset twice")

    offer_valid = get("registration", "offer_valid", defaults.registration.offer_valid)
    if offer_valid <= timedelta(0):
        raise ConfigError("registration.offer_valid", "must be longer than zero, e.g. P2D")

    language = get("bot", "language", defaults.bot.language)
    seller_country = get("invoicing", "seller_country", "NO" if language == "nb" else "DK")
    seller_id = get("invoicing", "seller_id", "").strip()
    if seller_id:
        try:
            seller_id = _seller_id(seller_country, seller_id)
        except ConfigError as error:
            source = "SDGBOT_INVOICING_SELLER_ID" if "SDGBOT_INVOICING_SELLER_ID" in env else ""
            raise ConfigError(error.key, error.reason, source=source) from None
    invoicing = InvoicingSettings(
        seller_name=get("invoicing", "seller_name", "").strip(),
        seller_id=seller_id,
        seller_address=get("invoicing", "seller_address", "").strip(),
        seller_country=seller_country,
        iban=get("invoicing", "iban", ""),
        vat_rate=get("invoicing", "vat_rate", defaults.invoicing.vat_rate),
        prices_include_vat=get(
            "invoicing", "prices_include_vat", defaults.invoicing.prices_include_vat
        ),
        number_prefix=get("invoicing", "number_prefix", ""),
        first_number=get("invoicing", "first_number", defaults.invoicing.first_number),
        payment_days=get("invoicing", "payment_days", defaults.invoicing.payment_days),
    )
    if bool(invoicing.seller_name) != bool(invoicing.seller_id):
        missing = "seller_id" if invoicing.seller_name else "seller_name"
        raise ConfigError(f"invoicing.{missing}", "is needed too: invoices name the seller by both")

    return Settings(
        slack=SlackSettings(
            api_url=get("slack", "api_url", defaults.slack.api_url),
            announce_channel=get("slack", "announce_channel", ""),
            team_id=get("slack", "team_id", ""),
            bot_token=env.get("SLACK_BOT_TOKEN", ""),
            signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
            app_token=env.get("SLACK_APP_TOKEN", ""),
            client_id=env.get("SLACK_CLIENT_ID", ""),
            client_secret=env.get("SLACK_CLIENT_SECRET", ""),
        ),
        database=DatabaseSettings(url=get("database", "url", defaults.database.url)),
        bot=BotSettings(
            timezone=get("bot", "timezone", defaults.bot.timezone),
            language=language,
            facilitators=get("bot", "facilitators", ()),
            facilitator_usergroup=get("bot", "facilitator_usergroup", ""),
            public_url=get("bot", "public_url", ""),
        ),
        reminders=ReminderSettings(
            offsets=offsets,
            offset_names=tuple(offset_names),
            tick_seconds=get("reminders", "tick_seconds", defaults.reminders.tick_seconds),
            quiet_hours=get("reminders", "quiet_hours", defaults.reminders.quiet_hours),
            send_rate_per_second=get(
                "reminders", "send_rate_per_second", defaults.reminders.send_rate_per_second
            ),
            worker_timeout_seconds=get(
                "reminders", "worker_timeout_seconds", defaults.reminders.worker_timeout_seconds
            ),
        ),
        feedback=FeedbackSettings(
            prompt_delay=get("feedback", "prompt_delay", defaults.feedback.prompt_delay),
            nudge_after=get("feedback", "nudge_after", defaults.feedback.nudge_after),
        ),
        fees=FeeSettings(
            member_price=get("fees", "member_price", defaults.fees.member_price),
            extra_participant_discount=get(
                "fees", "extra_participant_discount", defaults.fees.extra_participant_discount
            ),
            currency=get("fees", "currency", defaults.fees.currency),
        ),
        invoicing=invoicing,
        registration=RegistrationSettings(offer_valid=offer_valid),
        privacy=PrivacySettings(
            retain_personal_data=get(
                "privacy", "retain_personal_data", defaults.privacy.retain_personal_data
            )
        ),
        email=EmailSettings(
            smtp_url=get("email", "smtp_url", ""),
            sender=get("email", "sender", ""),
            # A secret: from the environment only.
            password=env.get("SMTP_PASSWORD", ""),
        ),
        logging=LoggingSettings(
            format=get("logging", "format", "text"), level=get("logging", "level", "INFO")
        ),
        server=ServerSettings(
            host=get("server", "host", defaults.server.host),
            port=get("server", "port", defaults.server.port),
            listener_threads=get("server", "listener_threads", defaults.server.listener_threads),
        ),
        workspaces=workspaces,
    )


def require_slack_secrets(settings: Settings, *, socket: bool) -> None:
    """Serving Slack needs the secrets; say which one is missing."""
    slack = settings.slack
    if bool(slack.client_id) != bool(slack.client_secret):
        missing = "SLACK_CLIENT_SECRET" if slack.client_id else "SLACK_CLIENT_ID"
        raise ConfigError(missing, "is not set in the environment (OAuth needs both)")
    if not settings.slack.bot_token and not slack.oauth_enabled:
        raise ConfigError("SLACK_BOT_TOKEN", "is not set in the environment")
    if not socket and not settings.slack.signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET", "is not set in the environment")
    if socket and not settings.slack.app_token:
        raise ConfigError("SLACK_APP_TOKEN", "is not set in the environment (needed for --socket)")


def checked_timezone(name: str, value: str) -> str:
    """A time zone given elsewhere (e.g. ``--tz``), checked as ``[bot] timezone`` is."""
    return _timezone(name, value)


def checked_language(name: str, value: str) -> str:
    """A language given elsewhere (e.g. ``--language``), checked as ``[bot] language`` is."""
    return _choice(*LANGUAGES)(name, value)
