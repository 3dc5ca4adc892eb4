"""The ``sdgbot`` command line: serve, import, console, db upgrade."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings, require_slack_secrets
from bot.db import make_engine, upgrade
from bot.logs import configure_logging
from bot.programme_file import ProgrammeError, load_programme
from bot.runtime import open_runtime

if TYPE_CHECKING:
    from bot.services.programme import ImportResult

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
    imp.add_argument(
        "--check", action="store_true", help="show what the import would change; write nothing"
    )
    imp.add_argument(
        "--force",
        action="store_true",
        help="also move sessions that have registrants to a start in the past",
    )

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

    invoices = sub.add_parser(
        "invoices", help="the invoice basis (.xlsx) and a Peppol UBL invoice per organisation"
    )
    invoices.add_argument(
        "--team", default=None, help="the workspace (T...) with several workspaces"
    )
    invoices.add_argument("--out", required=True, help="the directory the files are written to")
    invoices.add_argument("season", help="a [[season]] key, or e.g. 2026-2027")

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
        count = len(exc.problems)
        errors = "1 error" if count == 1 else f"{count} errors"
        print(f"sdgbot: programme rejected ({errors}), nothing was written:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem.where}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":
        upgrade(make_engine(settings.database.url))
        print("database is up to date")
        return 0
    if args.command == "import":
        return _import(args.file, settings, args.team, check=args.check, force=args.force)
    if args.command == "fees":
        return _fees(args.season, settings, args.team)
    if args.command == "invoices":
        return _invoices(args.season, args.out, settings, args.team)
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


class _CheckOnly(Exception):
    """Rolls the import's transaction back after it has worked out what would change."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__()
        self.result = result


def _import(
    path: str,
    settings: Settings,
    team: str | None,
    *,
    check: bool = False,
    force: bool = False,
) -> int:
    from bot.services.programme import MoveIntoThePast, import_programme, programme_warnings
    from bot.workspaces import team_for_command_line

    runtime = open_runtime(settings)
    team_id = team_for_command_line(runtime, team)
    # Local times in the file are the workspace's own ([workspace.T…] timezone).
    timezone = settings.for_team(team_id).bot.timezone
    programme = load_programme(path, default_timezone=timezone)
    now = runtime.clock.now()
    for warning in programme_warnings(programme, now):
        where = f"{path}:{warning.line}" if warning.line else path
        print(f"warning: {where}: {warning.text}")
    try:
        with runtime.unit_of_work(write=True) as db:
            result = import_programme(db, team_id, programme, now, force=force)
            if check:
                raise _CheckOnly(result)
    except _CheckOnly as checked:
        result = checked.result
    except MoveIntoThePast as refused:
        print("sdgbot: import refused, nothing was written:", file=sys.stderr)
        for move in refused.moves:
            print(
                f"  {path}:{move.line}: session {move.key!r} has {move.registrants} "
                f"registrant(s) and would start in the past ({move.starts:%Y-%m-%d %H:%M} UTC)",
                file=sys.stderr,
            )
        print("  run again with --force to move them anyway", file=sys.stderr)
        return 1
    _print_import(result, check=check)
    return 0


def _print_import(result: ImportResult, *, check: bool) -> None:
    would = "would be" if check else "will be"
    if check:
        print("check only: nothing was written")
    print(
        f"{len(result.created)} created, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged; {len(result.rescheduled)} moved"
    )
    for key in result.created:
        print(f"  + {key}")
    for key in result.updated:
        notes = ["moved"] if key in result.rescheduled else []
        if told := result.told.get(key, 0):
            notes.append(f"{told} registrant(s) {would} told")
        print(f"  ~ {key}" + (f" ({'; '.join(notes)})" if notes else ""))
    if result.not_in_file:
        print(
            f"{len(result.not_in_file)} session(s) in the database are not in the file "
            "(left as they are; cancel them with /sdg cancel-session KEY):"
        )
        for key in result.not_in_file:
            print(f"  ? {key}")
    # The DMs are queued here and sent by the running bot's scheduler (sdgbot serve).
    print(f"{result.told_total} registrant(s) {would} told of a changed time, place or link")


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


def _invoices(season: str, out: str, settings: Settings, team: str | None) -> int:
    """The files ``/sdg invoices`` uploads, written to *out* (numbers are the same)."""
    from pathlib import Path

    from bot.errors import DomainError
    from bot.i18n import Translator
    from bot.rendering.invoicing import invoice_files
    from bot.services.invoicing import season_batch
    from bot.workspaces import team_for_command_line

    runtime = open_runtime(settings)
    team_id = team_for_command_line(runtime, team)
    seen_as = settings.for_team(team_id)
    try:
        with runtime.unit_of_work(write=True) as db:
            batch = season_batch(
                db,
                team_id,
                season,
                runtime.clock.now(),
                seen_as.bot.zone,
                seen_as.fees,
                seen_as.invoicing,
            )
    except DomainError as exc:
        print(f"sdgbot: {exc}", file=sys.stderr)
        return 2
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    t = Translator(seen_as.bot.language, seen_as.bot.timezone)
    for file in invoice_files(batch, seen_as.invoicing, t):
        (directory / file.filename).write_bytes(file.content)
        print(directory / file.filename)
    for bill in batch.missing:
        name = bill.organisation or "(no organisation)"
        print(f"missing invoice details, no e-invoice: {name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
