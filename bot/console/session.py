"""``sdgbot console``: the real handlers, through bolt, with Slack played in-process.

Each line typed is sent to the bolt App as a correctly signed request; the
Web API and response_url calls the bot makes land on the in-process
stand-in and are printed as text.  Buttons are numbered; modals are asked
field by field.  Reading from a pipe works too and stops at end of input.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from slack_bolt import App, BoltRequest

from bot.app import build_app
from bot.clock import ShiftableClock
from bot.config import Settings, checked_language, checked_timezone
from bot.console.executor import TrackingExecutor
from bot.console.render import BlockPrinter, mrkdwn_to_text
from bot.console.sandbox_season import bring_season_ahead
from bot.db import Database, make_engine, upgrade
from bot.durations import parse_duration
from bot.programme_file import load_programme
from bot.runtime import Runtime
from bot.sandbox.slack_standin import TEAM_ID, SlackStandIn
from bot.services.programme import import_programme
from handlers import register_listeners  # the console wires the listeners in, as serve does

# The one example file: examples/program.toml is a symbolic link to it, so the
# sandbox and the README's example can never drift apart, and an installed sdgbot
# (which has no examples/ directory) carries it as package data.
EXAMPLE_PROGRAMME = Path(__file__).resolve().parent.parent / "data" / "example_program.toml"
SIGNING_SECRET = "sdgbot-console-signing-secret"
# Files the bot sends that a terminal cannot show; kept after the console ends.
FILES_DIR = Path(tempfile.gettempdir()) / "sdgbot-console-files"
LOCALES = {"da": "da-DK", "nb": "nb-NO", "en": "en-GB"}
MAX_TIME_STEP = timedelta(days=3653)
MAX_SANDBOX_TIME = datetime(9000, 1, 1, tzinfo=UTC)

HELP = """Type a command as in Slack, e.g. /sdg next, /sdg list, /sdg help.
Type the number of a button to press it.
  /user U0ANOTHER   act as another member
  /time +1d         move the clock forward (P1D, PT2H, 3h, 2d also work)
  /time 2027-01-22  move the clock to a day (noon) or a time: /time 2027-01-22 14:00
  /quit             leave"""


class Console:
    def __init__(
        self,
        runtime: Runtime,
        app: App,
        standin: SlackStandIn,
        executor: TrackingExecutor,
        user_id: str,
        out: TextIO,
        ask: Callable[[str], str | None],
    ) -> None:
        self.runtime = runtime
        self.app = app
        self.standin = standin
        self.executor = executor
        self.user_id = user_id
        self.out = out
        self.ask = ask
        self.printer = BlockPrinter()
        self._seen = 0

    # --- sending requests through bolt -------------------------------------------------

    def _dispatch(self, body: str, content_type: str) -> tuple[int, str]:
        timestamp = str(int(time.time()))
        base = f"v0:{timestamp}:{body}".encode()
        signature = "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
        request = BoltRequest(
            body=body,
            headers={
                "content-type": [content_type],
                "x-slack-request-timestamp": [timestamp],
                "x-slack-signature": [signature],
            },
        )
        response = self.app.dispatch(request)
        return response.status, response.body

    def _send_interaction(self, payload: dict[str, Any]) -> tuple[int, str]:
        body = urlencode({"payload": json.dumps(payload)})
        return self._dispatch(body, "application/x-www-form-urlencoded")

    def _user(self) -> dict[str, Any]:
        return {"id": self.user_id, "username": self.user_id.lower(), "team_id": TEAM_ID}

    def command(self, line: str) -> None:
        command, _, text = line.partition(" ")
        body = urlencode(
            {
                "token": "console",
                "team_id": TEAM_ID,
                "team_domain": "sdg-sandbox",
                "channel_id": "C0CONSOLE",
                "channel_name": "console",
                "user_id": self.user_id,
                "user_name": self.user_id.lower(),
                "command": command,
                "text": text.strip(),
                "api_app_id": "A0001",
                "response_url": self.standin.response_url("console"),
                "trigger_id": uuid.uuid4().hex,
            }
        )
        status, response_body = self._dispatch(body, "application/x-www-form-urlencoded")
        self._show_ack(status, response_body)
        self.show_new_activity()

    def press(self, number: int) -> None:
        choice = self.printer.choices.get(number)
        if choice is None:
            self._print(f"(there is no button {number})")
            return
        if choice.action.get("confirm") and not self._confirmed(choice.action["confirm"]):
            return
        source = choice.source
        action = {k: v for k, v in choice.action.items() if k != "confirm"}
        action.setdefault("block_id", choice.block_id)
        action["action_ts"] = str(time.time())
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "sdg-sandbox"},
            "user": self._user(),
            "api_app_id": "A0001",
            "token": "console",
            "trigger_id": uuid.uuid4().hex,
            "actions": [action],
        }
        if source.get("kind") == "view":
            payload["container"] = {"type": "view", "view_id": source["view"].get("id", "V0")}
            payload["view"] = source["view"]
        else:
            payload["container"] = {"type": "message", "message_ts": "1.0", "is_ephemeral": True}
            payload["channel"] = {"id": source.get("channel", "C0CONSOLE"), "name": "console"}
            payload["message"] = source.get("message", {})
            payload["response_url"] = self.standin.response_url("console")
        status, body = self._send_interaction(payload)
        self._show_ack(status, body)
        self.show_new_activity()

    def _confirmed(self, dialog: dict[str, Any]) -> bool:
        """Slack's confirm dialog: its question, then the person's answer."""
        title = (dialog.get("title") or {}).get("text", "")
        yes = (dialog.get("confirm") or {}).get("text", "OK")
        no = (dialog.get("deny") or {}).get("text", "Cancel")
        self._print(f"--- dialog: {title} ---")
        self._print(mrkdwn_to_text((dialog.get("text") or {}).get("text", "")))
        answer = self.ask(f"[1] {yes}  [2] {no}: ")
        if answer is not None and answer.strip() == "1":
            return True
        self._print(f"({no})")
        if answer is not None and answer.strip().startswith("/"):
            self.handle(answer)  # a command typed instead of an answer still runs
        return False

    # --- showing what the bot did ------------------------------------------------------

    def _print(self, text: str = "") -> None:
        print(text, file=self.out)

    def _show_ack(self, status: int, body: str) -> None:
        if status >= 400:
            self._print(f"(the bot answered HTTP {status})")
            return
        if not body:
            return
        try:
            message = json.loads(body)
        except ValueError:
            self._print(body)
            return
        if isinstance(message, dict) and (message.get("text") or message.get("blocks")):
            self.printer.reset()
            self._print_lines(self.printer.message(message))

    def _print_lines(self, lines: list[str]) -> None:
        for line in lines:
            self._print(line)

    def show_new_activity(self) -> None:
        self.executor.wait_idle()
        calls = self.standin.calls[self._seen :]
        self._seen = len(self.standin.calls)
        for call in calls:
            self._show_call(call.method, call.args, call.response)

    def _show_call(self, method: str, args: dict[str, Any], response: dict[str, Any]) -> None:
        if method == "response_url":
            if args.get("delete_original"):
                return
            self.printer.reset()
            visibility = "public" if args.get("response_type") == "in_channel" else "only you"
            self._print(f"--- ({visibility}) ---")
            self._print_lines(self.printer.message(args))
        elif method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            channel = str(args.get("channel", ""))
            where = (
                f"DM to {self._recipient(channel)}"
                if channel.startswith(("D", "U"))
                else (f"#{channel}")
            )
            self.printer.reset()
            self._print(f"--- message in {where} ---")
            source = {"kind": "message", "message": args, "channel": channel}
            self._print_lines(self.printer.message(args, source))
        elif method == "views.publish":
            view = _as_dict(args.get("view"))
            self.printer.reset()
            self._print("--- App Home ---")
            self._print_lines(
                self.printer.blocks(view.get("blocks", []), {"kind": "view", "view": view})
            )
        elif method in ("views.open", "views.push", "views.update"):
            view = _as_dict(args.get("view"))
            view = {**view, "id": (response.get("view") or {}).get("id", "V0")}
            self.fill_modal(view)
        elif method == "files.completeUploadExternal":
            for title, content, _complete in self.standin.uploads()[
                -len(_as_list(args.get("files"))) :
            ]:
                self._print(f"--- file: {title} ({len(content)} bytes) ---")
                if content.startswith(b"%PDF-"):
                    self._print(f"(saved as {self._save_file(title, content)})")
                    continue
                if content.startswith((b"\x89PNG", b"PK\x03\x04")):
                    continue  # a chart, a workbook: the size is all a terminal shows
                preview = content.decode("utf-8-sig", errors="replace")
                self._print(preview[:2000])

    def _recipient(self, channel: str) -> str:
        """Whose DM: the bot writes to user ids or to the DM channels conversations.open gave."""
        if channel.startswith("U"):
            return "you" if channel == self.user_id else channel
        user = channel[1:] if channel.startswith("DU") else ""
        for call in self.standin.calls_to("conversations.open"):
            if str((call.response.get("channel") or {}).get("id", "")) == channel:
                user = str(call.args.get("users", user))
        if not user:
            return channel
        return "you" if user == self.user_id else user

    def _save_file(self, title: str, content: bytes) -> Path:
        """A document a terminal cannot show (the season report) goes to a file to open."""
        FILES_DIR.mkdir(parents=True, exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_." else "-" for c in title)
        path = FILES_DIR / f"{name.strip('-') or 'file'}.pdf"
        path.write_bytes(content)
        return path

    # --- modals, field by field ---------------------------------------------------------

    def fill_modal(self, view: dict[str, Any]) -> None:
        title = (view.get("title") or {}).get("text", "")
        self._print(f"--- form: {title} ---")
        info = [b for b in view.get("blocks", []) if b.get("type") != "input"]
        self._print_lines(BlockPrinter().blocks(info, {"kind": "view", "view": view}))
        if len(info) == len(view.get("blocks", [])) and not view.get("submit"):
            return  # a notice (thanks, a refusal): Slack only lets you close it
        errors: dict[str, str] = {}
        while True:
            values = self._ask_inputs(view, errors)
            if values is None:
                self._print("(form closed)")
                return
            payload = {
                "type": "view_submission",
                "team": {"id": TEAM_ID, "domain": "sdg-sandbox"},
                "user": self._user(),
                "api_app_id": "A0001",
                "token": "console",
                "trigger_id": uuid.uuid4().hex,
                "view": {**view, "state": {"values": values}, "hash": "h"},
            }
            status, body = self._send_interaction(payload)
            answer = json.loads(body) if body.strip().startswith("{") else {}
            if answer.get("response_action") == "errors":
                errors = answer.get("errors", {})
                for message in errors.values():
                    self._print(f"  ! {message}")
                continue
            if answer.get("response_action") in ("update", "push"):
                self.fill_modal(answer["view"])
                self.show_new_activity()
                return
            self._show_ack(status, "")
            self.show_new_activity()
            return

    def _ask_inputs(
        self, view: dict[str, Any], errors: dict[str, str]
    ) -> dict[str, dict[str, Any]] | None:
        values: dict[str, dict[str, Any]] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block.get("element", {})
            label = (block.get("label") or {}).get("text", "")
            if errors and block.get("block_id") not in errors:
                # Keep earlier answers; only re-ask the fields that were wrong.
                values[block["block_id"]] = self._previous.get(block["block_id"], {})
                continue
            if element.get("type") == "multi_users_select" and block.get("optional"):
                # The sandbox has one person: there are no other Slack users to pick.
                values[block["block_id"]] = {
                    element.get("action_id", ""): {
                        "type": "multi_users_select",
                        "selected_users": [],
                    }
                }
                continue
            optional = " (optional)" if block.get("optional") else ""
            answer = self._ask_element(element, block.get("block_id", ""), f"{label}{optional}")
            if answer is None:
                return None
            values[block["block_id"]] = {element.get("action_id", ""): answer}
        self._previous = values
        return values

    _previous: dict[str, dict[str, Any]] = {}

    def _ask_element(
        self, element: dict[str, Any], block_id: str, label: str
    ) -> dict[str, Any] | None:
        kind = element.get("type")
        if kind in (
            "static_select",
            "radio_buttons",
            "multi_static_select",
            "checkboxes",
            "external_select",
        ):
            options = element.get("options") or [
                o for group in element.get("option_groups", []) for o in group.get("options", [])
            ]
            if kind == "external_select":
                query = self.ask(f"{label} (type to search): ")
                if query is None:
                    return None
                options = self._suggestions(element, block_id, query)
            multiple = kind in ("multi_static_select", "checkboxes")
            chosen = element.get("initial_options") if multiple else None
            if not multiple and element.get("initial_option"):
                chosen = [element["initial_option"]]
            chosen_values = {o.get("value") for o in chosen or []}
            for number, option in enumerate(options, 1):
                mark = " *" if option.get("value") in chosen_values else ""
                self._print(f"  {number}. {option['text']['text']}{mark}")
            hint = "numbers, comma-separated" if multiple else "number"
            if chosen_values:
                # Enter keeps what is chosen already (marked *), as in Slack's form.
                kept = ",".join(
                    str(n) for n, o in enumerate(options, 1) if o.get("value") in chosen_values
                )
                hint += f"; Enter keeps {kept}"
            raw = self.ask(f"{label} ({hint}): ")
            if raw is None:
                return None
            if not raw.strip() and chosen_values:
                picked = [o for o in options if o.get("value") in chosen_values]
                if kind == "external_select" and not picked:
                    picked = list(chosen or [])
            else:
                picked = [
                    options[int(p) - 1]
                    for p in raw.replace(" ", "").split(",")
                    if p.isdigit() and 0 < int(p) <= len(options)
                ]
            key = {
                "radio_buttons": "selected_option",
                "static_select": "selected_option",
                "external_select": "selected_option",
            }.get(kind or "", "selected_options")
            if key == "selected_option":
                return {"type": kind, key: picked[0] if picked else None}
            return {"type": kind, key: picked}
        if kind in ("datepicker", "timepicker"):
            key, shape = ("date", "YYYY-MM-DD") if kind == "datepicker" else ("time", "HH:MM")
            initial = element.get(f"initial_{key}") or ""
            raw = self.ask(
                f"{label} ({shape}) [{initial}]: " if initial else f"{label} ({shape}): "
            )
            if raw is None:
                return None
            return {"type": kind, f"selected_{key}": raw or initial or None}
        initial = element.get("initial_value") or ""
        # Enter keeps a prefilled value, as in Slack's form.
        raw = self.ask(f"{label} [{initial}]: " if initial else f"{label}: ")
        if raw is None:
            return None
        return {"type": kind or "plain_text_input", "value": raw or initial or None}

    def _suggestions(
        self, element: dict[str, Any], block_id: str, query: str
    ) -> list[dict[str, Any]]:
        payload = {
            "type": "block_suggestion",
            "team": {"id": TEAM_ID, "domain": "sdg-sandbox"},
            "user": self._user(),
            "api_app_id": "A0001",
            "token": "console",
            "action_id": element.get("action_id", ""),
            "block_id": block_id,
            "value": query,
            "container": {"type": "view", "view_id": "V0"},
            "view": {"id": "V0", "type": "modal"},
        }
        _status, body = self._send_interaction(payload)
        data = json.loads(body) if body.strip().startswith("{") else {}
        return list(data.get("options") or [])

    # --- the loop ----------------------------------------------------------------------

    def handle(self, line: str) -> bool:
        line = line.strip()
        if not line:
            return True
        if line in ("/quit", "/exit", "quit", "exit"):
            return False
        if line.isdigit():
            self.press(int(line))
        elif line.startswith("/user"):
            parts = line.split()
            if len(parts) == 2:
                self.user_id = parts[1]
                self.standin.add_user(self.user_id)
                self._print(f"(now acting as {self.user_id})")
        elif line.startswith("/time"):
            self.advance_time(line.partition(" ")[2].strip())
        elif line.startswith("/") and not line.startswith("/sdg"):
            self._print(f"(unknown sandbox command {line.split()[0]})\n{HELP}")
        elif line.startswith("/sdg"):
            self.command(line)
        else:
            self._print(HELP)
        return True

    def advance_time(self, amount: str) -> None:
        clock = self.runtime.clock
        assert isinstance(clock, ShiftableClock)
        target = parse_moment(amount, self.runtime.settings.bot.zone)
        delta = target - clock.now() if target is not None else parse_amount(amount)
        if delta is None:
            self._print(
                "(write it like /time +1d, /time +3h, /time +P1DT2H or /time 2027-01-22 14:00)"
            )
            return
        if delta > MAX_TIME_STEP or clock.now() + delta > MAX_SANDBOX_TIME:
            self._print("(that is too far: move the clock at most 10 years at a time)")
            return
        if delta <= timedelta(0):
            self._print("(the clock only moves forward: write it like /time +1d)")
            return
        now = clock.advance(delta)
        self._print(
            f"(the clock is now {now.astimezone(self.runtime.settings.bot.zone):%Y-%m-%d %H:%M %Z})"
        )
        self.after_time_moved()
        self.show_new_activity()

    def after_time_moved(self) -> None:
        """One scheduler tick at the new time: the reminders now due go out as DMs."""
        from bot.delivery.scheduler import run_due_work
        from bot.delivery.slack_sender import make_delivery_client

        settings = self.runtime.settings
        report = run_due_work(
            self.runtime, make_delivery_client(settings), self.runtime.clock.now()
        )
        if report.held:
            self._print(
                f"({report.held} scheduled message(s) wait for the end of quiet hours "
                "or a public holiday; move the clock on to see them)"
            )


def parse_moment(text: str, zone: ZoneInfo) -> datetime | None:
    """``2027-01-22`` (noon) or ``2027-01-22 14:00``, local time in the network's zone."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}:\d{2}))?", text.strip())
    if match is None:
        return None
    try:
        local = datetime.fromisoformat(f"{match.group(1)}T{match.group(2) or '12:00'}")
    except ValueError:
        return None
    return local.replace(tzinfo=zone)


def parse_amount(text: str) -> timedelta | None:
    text = text.strip().lstrip("+")
    units = {"d": "D", "h": "H", "m": "M", "w": "W"}
    if text and text[:-1].isdigit() and text[-1].lower() in units:
        unit = units[text[-1].lower()]
        text = f"P{text[:-1]}{unit}" if unit in "DW" else f"PT{text[:-1]}{unit}"
    try:
        return parse_duration(text)
    except (ValueError, OverflowError):
        return None


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, list) else []


def run_console(
    settings: Settings,
    *,
    user_id: str,
    language: str | None,
    timezone: str | None,
    database_url: str | None,
    programme_path: str | None,
    facilitator: bool = False,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    if language is not None:
        language = checked_language("--language", language)
    if timezone is not None:
        timezone = checked_timezone("--tz", timezone)
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = stdin.isatty()
    # The sandbox's terminal is the conversation: log lines would be part of it.
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.ERROR))
    try:
        return _run_console(
            settings, user_id, language, timezone, database_url, programme_path, facilitator,
            stdin, out, interactive,
        )  # fmt: skip
    finally:
        root.setLevel(level)


def _run_console(
    settings: Settings,
    user_id: str,
    language: str | None,
    timezone: str | None,
    database_url: str | None,
    programme_path: str | None,
    facilitator: bool,
    stdin: TextIO,
    out: TextIO,
    interactive: bool,
) -> int:
    workdir = tempfile.TemporaryDirectory(prefix="sdgbot-console-")
    url = database_url or f"sqlite:///{workdir.name}/console.db"
    with SlackStandIn() as standin:
        sandbox = dataclasses.replace(
            settings,
            slack=dataclasses.replace(
                settings.slack,
                api_url=standin.api_url,
                bot_token="xoxb-console",
                signing_secret=SIGNING_SECRET,
                team_id=TEAM_ID,
            ),
            database=dataclasses.replace(settings.database, url=url),
            bot=dataclasses.replace(
                settings.bot,
                facilitators=settings.bot.facilitators + ((user_id,) if facilitator else ()),
            ),
        )
        language = language or sandbox.bot.language
        standin.add_user(
            user_id,
            tz=timezone or sandbox.bot.timezone,
            locale=LOCALES.get(language, "da-DK"),
            real_name="Sandbox Member",
        )
        engine = make_engine(url)
        upgrade(engine)
        clock = ShiftableClock()
        runtime = Runtime(settings=sandbox, database=Database(engine), clock=clock)
        programme = load_programme(
            programme_path or EXAMPLE_PROGRAMME, default_timezone=sandbox.bot.timezone
        )
        # Keep the example season from being over: whole years, same weekdays and times.
        programme = bring_season_ahead(programme, clock.now())
        with runtime.unit_of_work(write=True) as db:
            import_programme(db, sandbox.home_team_id, programme, clock.now())
        executor = TrackingExecutor()
        app = build_app(runtime, register_listeners, listener_executor=executor)

        def ask(prompt: str) -> str | None:
            if interactive:
                try:
                    return input(prompt)
                except EOFError:
                    return None
            line = stdin.readline()
            if not line:
                return None
            print(prompt + line.rstrip("\n"), file=out)
            return line.rstrip("\n")

        console = Console(runtime, app, standin, executor, user_id, out, ask)
        if interactive:
            print(f"sdgbot console: you are {user_id}. {HELP}", file=out)
        try:
            while True:
                line = ask("> " if interactive else "")
                if line is None or not console.handle(line):
                    break
        except KeyboardInterrupt:
            pass
        finally:
            executor.shutdown(wait=True)
            engine.dispose()
            workdir.cleanup()
    return 0


__all__ = ["Console", "mrkdwn_to_text", "run_console"]
