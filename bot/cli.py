"""The ``sdgbot`` command line: serve, import, console, db upgrade."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.config import ConfigError, Settings, load_settings, require_slack_secrets
from bot.db import make_engine, upgrade
from bot.logs import configure_logging
from bot.programme_file import ProgrammeError, load_programme
from bot.runtime import open_runtime

log = logging.getLogger("sdgbot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sdgbot", description=__doc__)
    parser.add_argument("--config", help="config file (default: $SDGBOT_CONFIG or ./config.toml)")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the bot for Slack (HTTP or Socket Mode)")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--socket", action="store_true", help="Socket Mode (needs SLACK_APP_TOKEN)")

    imp = sub.add_parser("import", help="create or update sessions from a programme file")
    imp.add_argument("--team", default=None, help="the workspace (T...) with several workspaces")
    imp.add_argument("file")

    console = sub.add_parser("console", help="a terminal sandbox: talk to the bot as a member")
    console.add_argument("--user", default="U0CONSOLE", help="Slack user id to act as")
    console.add_argument("--language", default=None, help="da | nb | en (default: config)")
    console.add_argument("--tz", default=None, help="the member's time zone")
    console.add_argument("--database", default=None, help="SQLAlchemy URL of the sandbox db")
    console.add_argument("--programme", default=None, help="programme file to load")
    console.add_argument(
        "--facilitator", action="store_true", help="act as a facilitator (summary, new, ...)"
    )

    fees = sub.add_parser("fees", help="the invoice list per organisation for a season")
    fees.add_argument("--team", default=None, help="the workspace (T...) with several workspaces")
    fees.add_argument("season", help="a [[season]] key, or e.g. 2026-2027 (1 August to 31 July)")

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply schema migrations")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"sdgbot: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.logging)
    try:
        return _run(args, settings)
    except ConfigError as exc:
        print(f"sdgbot: {exc}", file=sys.stderr)
        return 2
    except ProgrammeError as exc:
        print(f"sdgbot: programme rejected, nothing was written: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":
        upgrade(make_engine(settings.database.url))
        print("database is up to date")
        return 0
    if args.command == "import":
        return _import(args.file, settings, args.team)
    if args.command == "fees":
        return _fees(args.season, settings, args.team)
    if args.command == "console":
        from bot.console.session import run_console

        return run_console(
            settings,
            user_id=args.user,
            language=args.language,
            timezone=args.tz,
            database_url=args.database,
            programme_path=args.programme,
            facilitator=args.facilitator,
        )
    if args.command == "serve":
        from bot.serve import serve

        require_slack_secrets(settings, socket=args.socket)
        return serve(settings, host=args.host, port=args.port, socket=args.socket)
    raise AssertionError(args.command)


def _import(path: str, settings: Settings, team: str | None) -> int:
    from bot.services.programme import import_programme
    from bot.workspaces import team_for_command_line

    runtime = open_runtime(settings)
    team_id = team_for_command_line(runtime, team)
    # Local times in the file are the workspace's own ([workspace.T…] timezone).
    timezone = settings.for_team(team_id).bot.timezone
    programme = load_programme(path, default_timezone=timezone)
    with runtime.unit_of_work(write=True) as db:
        result = import_programme(db, team_id, programme, runtime.clock.now())
    print(
        f"{len(result.created)} created, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged"
    )
    for key in result.created:
        print(f"  + {key}")
    for key in result.updated:
        told = result.told.get(key, 0)
        print(f"  ~ {key}" + (f" ({told} registrant(s) will be told)" if told else ""))
    # The DMs are queued here and sent by the running bot's scheduler (sdgbot serve).
    print(f"{result.told_total} registrant(s) will be told of a changed time, place or link")
    return 0


def _fees(season: str, settings: Settings, team: str | None) -> int:
    from bot.errors import DomainError
    from bot.rendering.invoices import invoice_table
    from bot.services.fees import season_invoices
    from bot.workspaces import team_for_command_line

    runtime = open_runtime(settings)
    team_id = team_for_command_line(runtime, team)
    seen_as = settings.for_team(team_id)
    try:
        with runtime.unit_of_work() as db:
            invoices = season_invoices(db, team_id, season, seen_as.fees, seen_as.bot.timezone)
    except DomainError as exc:  # an unknown season: the message lists the known ones
        print(f"sdgbot: {exc}", file=sys.stderr)
        return 2
    print(invoice_table(invoices, seen_as.bot.language))
    return 0


if __name__ == "__main__":
    sys.exit(main())
