"""Configuration: the contract's keys, env overrides, and one clear line on errors."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

EXAMPLE = Path(__file__).parent.parent / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads_with_the_contract_defaults() -> None:
    settings = load_settings(EXAMPLE, env={})
    assert settings.slack.api_url == "https://slack.com/api/"
    assert settings.database.url == "sqlite:///sdgbot.db"
    assert settings.bot.timezone == "Europe/Copenhagen"
    assert settings.bot.language == "da"
    assert settings.reminders.offsets == (timedelta(days=7), timedelta(days=1), timedelta(hours=1))
    assert settings.reminders.tick_seconds == 30
    assert settings.reminders.quiet_hours is not None
    assert settings.reminders.quiet_hours.start == time(21, 0)
    assert settings.feedback.nudge_after == timedelta(days=3)
    assert settings.fees.member_price == 10000
    assert settings.fees.extra_participant_discount == 0.25
    assert settings.privacy.retain_personal_data == timedelta(days=180)
    assert settings.logging.format == "text"


def test_missing_default_file_means_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings(env={}).bot.language == "da"


def test_named_file_that_is_missing_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(env={"SDGBOT_CONFIG": str(tmp_path / "nope.toml")})
    assert err.value.key == "SDGBOT_CONFIG"


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[bot]\nlanguage = "da"\nfacilitators = ["U1AAA"]\n')
    settings = load_settings(
        path,
        env={
            "SDGBOT_BOT_LANGUAGE": "nb",
            "SDGBOT_BOT_FACILITATORS": "U2BBB, U3CCC",
            "SDGBOT_REMINDERS_OFFSETS": "P2D,PT30M",
            "SDGBOT_REMINDERS_TICK_SECONDS": "5",
            "SLACK_BOT_TOKEN": "xoxb-1",
        },
    )
    assert settings.bot.language == "nb"
    assert settings.bot.facilitators == ("U2BBB", "U3CCC")
    assert settings.reminders.offsets == (timedelta(days=2), timedelta(minutes=30))
    assert settings.reminders.tick_seconds == 5
    assert settings.slack.bot_token == "xoxb-1"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[bot]\nlanguage = "sv"\n', "bot.language"),
        ('[bot]\ntimezone = "Europe/Kobenhavn"\n', "bot.timezone"),
        ('[reminders]\noffsets = ["7 days"]\n', "reminders.offsets"),
        ("[reminders]\ntick_seconds = 0\n", "reminders.tick_seconds"),
        ('[reminders]\nquiet_hours = "25:00-07:00"\n', "reminders.quiet_hours"),
        ("[fees]\nextra_participant_discount = 1.5\n", "fees.extra_participant_discount"),
        ('[database]\nurl = "mysql://x"\n', "database.url"),
        ('[slack]\napi_url = "slack.com/api"\n', "slack.api_url"),
        ('[logging]\nformat = "xml"\n', "logging.format"),
        ('[bot]\nfacilitators = ["alice"]\n', "bot.facilitators"),
        ('[bot]\nlanguag = "da"\n', "bot.languag"),
        ('[feedback]\nnudge_after = "3 days"\n', "feedback.nudge_after"),
        ('[email]\nsmtp_url = "mail.example.org:587"\n', "email.smtp_url"),
        ('[email]\nsmtp_url = "http://mail.example.org"\n', "email.smtp_url"),
        ('[email]\nsmtp_url = "smtp://mail.example.org:99999"\n', "email.smtp_url"),
        ('[email]\nsender = "not an address"\n', "email.sender"),
    ],
)
def test_bad_value_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text), env={})
    assert err.value.key == key
    assert key in str(err.value)


def test_bad_environment_value_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, ""), env={"SDGBOT_REMINDERS_TICK_SECONDS": "soon"})
    assert err.value.key == "reminders.tick_seconds"
    assert err.value.source == "SDGBOT_REMINDERS_TICK_SECONDS"
    assert str(err.value).startswith(
        "config error: reminders.tick_seconds (from SDGBOT_REMINDERS_TICK_SECONDS): "
    )


def test_email_settings_come_from_the_url_and_the_password_from_the_environment(
    tmp_path: Path,
) -> None:
    text = '[email]\nsmtp_url = "smtp://bot@mail.example.org:2525"\nsender = "sdg@example.org"\n'
    settings = load_settings(write(tmp_path, text), env={"SMTP_PASSWORD": "s3cret"})
    email = settings.email
    assert (email.enabled, email.secure, email.user, email.host, email.port) == (
        True,
        False,
        "bot",
        "mail.example.org",
        2525,
    )
    assert email.password == "s3cret" and "s3cret" not in repr(settings)
    assert email.from_address == "sdg@example.org"
    secure = load_settings(
        write(tmp_path, '[email]\nsmtp_url = "smtps://mail.example.org"\n'), env={}
    )
    assert (secure.email.secure, secure.email.port, secure.email.user) == (True, 465, "")
    assert not load_settings(write(tmp_path, ""), env={}).email.enabled


def test_settings_are_frozen() -> None:
    settings = load_settings(EXAMPLE, env={})
    with pytest.raises(AttributeError):
        settings.bot.language = "en"  # type: ignore[misc]


def test_a_retired_key_is_accepted_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A config that was right for the previous release must not stop a rolling upgrade.
    path = tmp_path / "config.toml"
    path.write_text("[reminders]\nlease_seconds = 120\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="bot.config"):
        load_settings(path, env={})
    assert "reminders.lease_seconds" in caplog.text
    assert "worker_timeout_seconds" in caplog.text


# --- [invoicing] -----------------------------------------------------------------------


def test_invoicing_defaults_and_a_full_table(tmp_path: Path) -> None:
    assert not load_settings(write(tmp_path, ""), env={}).invoicing.enabled
    path = write(
        tmp_path,
        '[invoicing]\nseller_name = "CSR Forum"\nseller_id = "13585628"\n'
        'seller_address = "Rådhuspladsen 1, 1550 København V"\niban = "dk50 0040 0440 1162 43"\n'
        'number_prefix = "SDG-"\nfirst_number = 1001\npayment_days = 14\n',
    )
    invoicing = load_settings(path, env={"SDGBOT_INVOICING_PRICES_INCLUDE_VAT": "true"}).invoicing
    assert invoicing.enabled and invoicing.seller_country == "DK"
    assert invoicing.iban == "DK5000400440116243"
    assert invoicing.vat_rate == 0.25 and invoicing.prices_include_vat is True
    assert (invoicing.number_prefix, invoicing.first_number, invoicing.payment_days) == (
        "SDG-",
        1001,
        14,
    )


def test_a_norwegian_network_sells_under_its_organisation_number(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[bot]\nlanguage = "nb"\n[invoicing]\nseller_name = "KS"\nseller_id = "971 032 146"\n',
    )
    invoicing = load_settings(path, env={}).invoicing
    assert (invoicing.seller_country, invoicing.seller_id) == ("NO", "971032146")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[invoicing]\niban = "DK5000400440116244"\n', "invoicing.iban"),
        ('[invoicing]\nseller_name = "X"\nseller_id = "13585629"\n', "invoicing.seller_id"),
        ('[invoicing]\nseller_name = "X"\n', "invoicing.seller_id"),
        ('[invoicing]\nseller_id = "13585628"\n', "invoicing.seller_name"),
        ("[invoicing]\nvat_rate = 25\n", "invoicing.vat_rate"),
        ('[invoicing]\nprices_include_vat = "maybe"\n', "invoicing.prices_include_vat"),
        ('[invoicing]\nseller_country = "SE"\n', "invoicing.seller_country"),
        ('[invoicing]\nnumber_prefix = "SDG 2026/"\n', "invoicing.number_prefix"),
        ("[invoicing]\nfirst_number = 0\n", "invoicing.first_number"),
        ("[invoicing]\npayment_days = -1\n", "invoicing.payment_days"),
    ],
)
def test_a_bad_invoicing_value_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text), env={})
    assert err.value.key == key


def test_a_bad_seller_id_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(
            write(tmp_path, '[invoicing]\nseller_name = "CSR Forum"\n'),
            env={"SDGBOT_INVOICING_SELLER_ID": "12345678"},
        )
    assert err.value.source == "SDGBOT_INVOICING_SELLER_ID"
