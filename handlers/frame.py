"""The one frame every Slack listener runs in.

Each listener is registered through :class:`Frame`, which for every request:

1. parses the payload into one typed :class:`Request` (team, user, ``now``,
   the reader, the surface to answer on, the action value or modal state,
   a request id) - a field of the wrong type is a private "I could not read
   that", never an exception;
2. acks within Slack's three seconds: with the answer itself where it is
   computed fast (a known member's ``/sdg next``), otherwise empty (or with
   "working on it") and the rest runs after the ack, in the listener pool,
   when there is a rest;
3. confirms a facilitator with Slack (a fresh check) before any facilitator
   listener runs, on the command, the button and the modal path alike;
4. answers on the right surface: the ack body, the response_url, the
   member's DM, or the modal;
5. maps every error in one place (:func:`reply_for_error`): a domain error
   becomes a short private answer in the member's language; anything else a
   private "Something went wrong (reference K7Q2X)" and exactly one
   ``logger.exception`` line with the same reference, the team, the user id
   and the request id.

Listeners are module-level functions of the :class:`Request` that return a
:class:`~bot.rendering.reply.Reply` (or ``None`` when they answered
themselves, e.g. by opening a modal); tests call them directly.
"""

from __future__ import annotations

import logging
import re
import secrets
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.errors import (
    DomainError,
    FormErrors,
    NotAFacilitator,
    SessionNotFound,
    UnreadableRequest,
)
from bot.i18n import Translator
from bot.metrics import PROCESS
from bot.rendering.errors import domain_error_reply, unexpected_error_reply
from bot.rendering.form_errors import modal_errors
from bot.rendering.reply import Reply
from bot.runtime import Runtime
from bot.services import members
from bot.services.members import Reader
from handlers.facilitators import require_facilitator
from handlers.profile import refresh_slack_profile

log = logging.getLogger("sdgbot.errors")

# Context keys, from the ack to its follow-up (which gets the same context).
REQUEST_ID = "sdg_request_id"  # may be set by an outer layer; the frame keeps it
_FOLLOW_UP = "sdg_follow_up"
_DEFERRED = "sdg_deferred"
_REFRESH = "sdg_refresh"
_SCRUB = "sdg_scrub_files"  # an anonymous answer was stored: scrub the SQLite files

# What runs after an ack, in the listener pool: body, context, Web API client, respond.
AfterAck = Callable[[dict[str, Any], BoltContext, WebClient, Respond], None]

# Crockford's base32 without look-alikes: easy to read aloud and to type.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def new_reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(5))


class SurfaceKind(StrEnum):
    COMMAND = "command"  # a slash command: ack body or response_url
    MESSAGE = "message"  # a button in a message: response_url
    HOME = "home"  # a button on App Home: no response_url, answers go to the DM
    MODAL = "modal"  # a modal submission or a button in a modal
    OPTIONS = "options"  # an external select asking for options
    EVENT = "event"  # an Events API event: nothing to answer on


@dataclass(frozen=True)
class Surface:
    """Where the member sees the answer."""

    kind: SurfaceKind
    response_url: str = ""
    channel_id: str = ""
    trigger_id: str = ""
    view_id: str = ""


# --- reading payloads (typed, never raising anything but UnreadableRequest) -----------


def text_field(data: Mapping[str, Any], key: str) -> str:
    """A string field; absent or null is "", any other type is unreadable."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UnreadableRequest()
    return value


# Slack's ids (U0ANNA, T0001, W123...): letters, digits, a few separators; never
# spaces, control characters or NUL, and short enough for any column.
_SLACK_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def id_field(data: Mapping[str, Any], key: str) -> str:
    """A Slack id; absent is "", anything else that is not id-shaped is unreadable."""
    value = text_field(data, key)
    if value and not _SLACK_ID.fullmatch(value):
        raise UnreadableRequest()
    return value


def mapping_field(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise UnreadableRequest()
    return value


@dataclass(frozen=True)
class ModalState:
    """A modal's ``state.values``, read one typed field at a time."""

    values: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, view: Mapping[str, Any]) -> ModalState:
        return cls(mapping_field(mapping_field(view, "state"), "values"))

    def element(self, block_id: str, action_id: str) -> Mapping[str, Any]:
        return mapping_field(mapping_field(self.values, block_id), action_id)

    def text(self, block_id: str, action_id: str, name: str = "value") -> str | None:
        """A text input (or ``selected_date``/``selected_time`` via *name*); None if empty."""
        return text_field(self.element(block_id, action_id), name) or None

    def selected(self, block_id: str, action_id: str) -> str | None:
        """The value of a single select's or radio group's chosen option."""
        option = mapping_field(self.element(block_id, action_id), "selected_option")
        return text_field(option, "value") or None

    def selected_values(self, block_id: str, action_id: str) -> list[str]:
        """The values of a multi select's or checkbox group's chosen options."""
        options = self.element(block_id, action_id).get("selected_options") or []
        if not isinstance(options, list) or not all(isinstance(o, Mapping) for o in options):
            raise UnreadableRequest()
        return [text_field(option, "value") for option in options]


@dataclass
class Request:
    """One request, parsed once: what every listener gets."""

    runtime: Runtime
    team: str  # the team id rows are stored under
    user_id: str
    now: datetime
    reader: Reader
    surface: Surface
    request_id: str
    text: str = ""  # a command's text
    value: str = ""  # a button's value, a select's chosen value, an options query
    action_id: str = ""
    view: Mapping[str, Any] = field(default_factory=dict)  # the modal, if any
    state: ModalState = field(default_factory=ModalState)
    private_metadata: str = ""
    event: Mapping[str, Any] = field(default_factory=dict)
    # Set in the lazy part only: the Web API and the response_url.
    client: WebClient | None = None
    respond: Respond | None = None
    # Run after the answer is sent (e.g. redraw App Home), errors included.
    afterwards: list[Callable[[], None]] = field(default_factory=list)

    @property
    def t(self) -> Translator:
        return self.reader.translator

    @property
    def settings(self) -> Settings:
        """The settings as this request's workspace sees them ([workspace.T…])."""
        return self.runtime.settings_for(self.team)

    @property
    def web(self) -> WebClient:
        """The Web API client; only lazy listeners have one."""
        if self.client is None:
            raise RuntimeError("the Web API is only for the lazy part of a listener")
        return self.client

    @contextmanager
    def db(self) -> Iterator[Session]:
        """A read-only unit of work."""
        with self.runtime.unit_of_work() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write unit of work, committed at the end of the block."""
        with self.runtime.unit_of_work(write=True) as session:
            yield session

    def dm(self, reply: Reply) -> None:
        """Send *reply* to the member's DM with the bot."""
        self.web.chat_postMessage(channel=self.user_id, text=reply.text, blocks=reply.blocks)

    def answer(self, reply: Reply) -> None:
        """Privately, now: to the response_url when there is one, otherwise the DM."""
        if self.surface.response_url and self.respond is not None:
            message = reply.as_message()
            if self.surface.kind is not SurfaceKind.COMMAND:
                message["replace_original"] = reply.replace_original
            self.respond(**message)
        elif self.user_id and self.client is not None:
            self.dm(reply)


@dataclass(frozen=True)
class FollowUp:
    """Work that needs the Web API (a modal, an upload): runs after the ack.

    ``ack`` is shown at once (None: an empty ack); ``run`` gets the lazy
    part's request and may return a reply for the surface.  The frame sets
    ``facilitator`` for facilitator commands and confirms them before ``run``.
    """

    run: Callable[[Request], Reply | None]
    ack: Reply | None = None
    facilitator: bool = False


@dataclass(frozen=True)
class ModalUpdate:
    """Replace the modal with *view*."""

    view: dict[str, Any]


@dataclass(frozen=True)
class ModalAnswer:
    """A submission's ack (a new view, or None: close) and optional lazy work.

    Wrong fields are not an answer: the listener (or its service) raises
    :class:`~bot.errors.FormErrors` and the frame shows them under their blocks.
    """

    ack: ModalUpdate | None = None
    follow_up: Callable[[Request], Reply | None] | None = None


CommandAnswer = Callable[[Request, str], "Reply | FollowUp"]
ButtonListener = Callable[[Request], "Reply | None"]
ModalListener = Callable[[Request], ModalAnswer]
OptionsListener = Callable[[Request], list[dict[str, Any]]]
EventListener = Callable[[Request], None]
# (the request, the text to show) -> the modal that shows it
NoticeView = Callable[[Request, str], dict[str, Any]]


# --- the one error mapping --------------------------------------------------------------


def reply_for_error(
    exc: BaseException,
    t: Translator,
    *,
    team: str = "",
    user_id: str = "",
    request_id: str = "",
) -> Reply:
    """A domain error's private answer, or a reference logged once with the traceback."""
    if isinstance(exc, DomainError):
        PROCESS.answered_errors.labels("refused").inc()
        suggestions = exc.suggestions if isinstance(exc, SessionNotFound) else ()
        return domain_error_reply(exc, t, suggestions)
    PROCESS.answered_errors.labels("unexpected").inc()
    reference = new_reference()
    # Ids only: no names, no text the member wrote.
    log.exception(
        "unexpected error, reference %s (team %s, user %s, request %s)",
        reference,
        team or "-",
        user_id or "-",
        request_id or "-",
        exc_info=exc,
    )
    return unexpected_error_reply(reference, t)


def error_reply(req: Request, exc: BaseException) -> Reply:
    return reply_for_error(
        exc, req.t, team=req.team, user_id=req.user_id, request_id=req.request_id
    )


# --- the frame --------------------------------------------------------------------------


class Frame:
    """Registers listeners on a bolt app, each inside the frame."""

    def __init__(self, app: App, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    # -- building the request

    def _request_id(self, context: BoltContext) -> str:
        request_id = context.get(REQUEST_ID)
        if not isinstance(request_id, str) or not request_id:
            request_id = uuid.uuid4().hex[:12]
            context[REQUEST_ID] = request_id
        return request_id

    def _reader(
        self, team: str, user_id: str, client: WebClient | None, *, refresh: bool
    ) -> Reader:
        """From the database; with *refresh* (lazy part only) users.info first when
        the profile is unknown or stale, so times are shown in the right zone."""
        runtime = self.runtime
        settings = runtime.settings_for(team)
        with runtime.unit_of_work() as db:
            reader = members.load_reader(db, team, user_id, settings, runtime.clock.now())
        if not refresh or client is None or (reader.profile_known and not reader.profile_stale):
            return reader
        if not refresh_slack_profile(client, runtime, team, user_id):
            return reader
        with runtime.unit_of_work() as db:
            return members.load_reader(db, team, user_id, settings, runtime.clock.now())

    def _default_reader(self, user_id: str, team: str = "") -> Reader:
        bot = self.runtime.settings_for(team).bot
        return Reader(user_id, bot.language, bot.timezone, False, False)

    def read_request(
        self,
        body: Mapping[str, Any],
        context: BoltContext,
        *,
        client: WebClient | None = None,
        respond: Respond | None = None,
        refresh_profile: bool = False,
    ) -> tuple[Request, BaseException | None]:
        """The typed request of *body* (a command, interaction or event callback),
        and the error reading it, if any: never raises.

        A field of the wrong type gives :class:`UnreadableRequest` and a
        request with what could be read (the user, the surface), so the
        member still gets a private answer.
        """
        request_id = self._request_id(context)
        runtime = self.runtime
        surface = Surface(SurfaceKind.EVENT)
        team_id = user_id = text = value = action_id = private_metadata = ""
        view: Mapping[str, Any] = {}
        event: Mapping[str, Any] = {}
        state = ModalState()
        problem: BaseException | None = None
        try:
            kind = body.get("type")
            if "command" in body and kind is None:
                team_id = id_field(body, "team_id")
                user_id = id_field(body, "user_id")
                surface = Surface(
                    SurfaceKind.COMMAND,
                    response_url=text_field(body, "response_url"),
                    channel_id=text_field(body, "channel_id"),
                    trigger_id=text_field(body, "trigger_id"),
                )
                text = text_field(body, "text").strip()
            elif kind == "event_callback":
                team_id = id_field(body, "team_id")
                event = mapping_field(body, "event")
                user_id = id_field(event, "user")
            else:
                team_of = mapping_field(body, "team")
                user = mapping_field(body, "user")
                team_id = id_field(team_of, "id") or id_field(user, "team_id")
                user_id = id_field(user, "id")
                view = mapping_field(body, "view")
                response_url = text_field(body, "response_url")
                trigger_id = text_field(body, "trigger_id")
                view_id = text_field(view, "id")
                if kind == "block_suggestion":
                    surface = Surface(SurfaceKind.OPTIONS, view_id=view_id)
                    action_id = text_field(body, "action_id")
                    value = text_field(body, "value")
                elif kind == "view_submission":
                    surface = Surface(SurfaceKind.MODAL, trigger_id=trigger_id, view_id=view_id)
                    private_metadata = text_field(view, "private_metadata")
                    state = ModalState.of(view)
                else:
                    container = mapping_field(body, "container")
                    if response_url:
                        surface_kind = SurfaceKind.MESSAGE
                    elif (
                        view
                        and text_field(container, "type") == "view"
                        and (text_field(view, "type") != "home")
                    ):
                        surface_kind = SurfaceKind.MODAL
                    else:
                        surface_kind = SurfaceKind.HOME  # no response_url: the DM
                    surface = Surface(
                        surface_kind,
                        response_url=response_url,
                        channel_id=text_field(mapping_field(body, "channel"), "id"),
                        trigger_id=trigger_id,
                        view_id=view_id,
                    )
                    private_metadata = text_field(view, "private_metadata")
                    actions = body.get("actions")
                    if not isinstance(actions, list) or not actions:
                        raise UnreadableRequest()
                    action = actions[0]
                    if not isinstance(action, Mapping):
                        raise UnreadableRequest()
                    action_id = text_field(action, "action_id")
                    value = text_field(action, "value") or text_field(
                        mapping_field(action, "selected_option"), "value"
                    )
        except UnreadableRequest as exc:
            problem = exc
        team = runtime.team_for(team_id or None)
        reader = self._default_reader(user_id, team)
        if user_id:
            try:
                reader = self._reader(team, user_id, client, refresh=refresh_profile)
            except Exception as exc:  # noqa: BLE001 - answered in the default language
                problem = problem or exc
        req = Request(
            runtime=runtime,
            team=team,
            user_id=user_id,
            now=runtime.clock.now(),
            reader=reader,
            surface=surface,
            request_id=request_id,
            text=text,
            value=value,
            action_id=action_id,
            view=view,
            state=state,
            private_metadata=private_metadata,
            event=event,
            client=client,
            respond=respond,
        )
        return req, problem

    # -- answering

    def _send_safely(self, req: Request, send: Callable[[], None]) -> None:
        try:
            send()
        except Exception as exc:  # noqa: BLE001 - answering itself failed: log it once
            error_reply(req, exc)

    def _afterwards(self, req: Request) -> None:
        for work in req.afterwards:
            self._send_safely(req, work)

    def _after_ack(
        self,
        follow_up: AfterAck,
        body: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        """Run *follow_up* in the listener pool once the ack is on its way.

        Not bolt's lazy listeners: they copy the request, parsing the whole
        form body again (a submission's or a click's payload carries the
        whole view or message), and start a thread even when the ack said
        everything.  Here only requests with work left start one.
        """
        self.app.listener_runner.listener_executor.submit(
            self._run_after_ack, follow_up, body, context, client, respond
        )

    def _ack_then(
        self,
        follow_up: AfterAck,
        name: str,
    ) -> Callable[..., None]:
        """An ack listener that acks at once and leaves the rest to *follow_up*."""

        def acknowledge(
            ack: Ack,
            body: dict[str, Any],
            context: BoltContext,
            client: WebClient,
            respond: Respond,
        ) -> None:
            ack()
            self._after_ack(follow_up, body, context, client, respond)

        acknowledge.__name__ = name
        return acknowledge

    @staticmethod
    def _run_after_ack(
        follow_up: AfterAck,
        body: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        try:
            follow_up(body, context, client, respond)
        except Exception:  # noqa: BLE001 - the follow-up answers its own errors; this is a bug
            log.exception("a follow-up failed")

    def confirm_facilitator(self, req: Request) -> None:
        """The fresh check (Slack's user group now); raises NotAFacilitator."""
        require_facilitator(self.runtime, req.web, req.user_id, req.team)

    # -- commands

    def command(self, name: str, dispatch: Callable[[Request], Reply | FollowUp]) -> None:
        """A slash command; *dispatch* picks the answer for the request's text.

        A known member is answered in the ack body.  For a member we have
        never seen the ack is empty and the lazy part fetches users.info
        first.  A :class:`FollowUp` runs after the ack; with ``facilitator``
        set, only after the fresh facilitator check.
        """

        def acknowledge(
            ack: Ack,
            body: dict[str, Any],
            context: BoltContext,
            client: WebClient,
            respond: Respond,
        ) -> None:
            answer_in_ack(ack, body, context)
            if (
                context.get(_DEFERRED)
                or isinstance(context.get(_FOLLOW_UP), FollowUp)
                or context.get(_REFRESH)
            ):
                # Most commands are answered in the ack alone.
                self._after_ack(follow_up, body, context, client, respond)

        def answer_in_ack(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
            req, problem = self.read_request(body, context)
            if problem is not None:
                ack(**error_reply(req, problem).as_message())
                return
            if not req.reader.profile_known:
                context[_DEFERRED] = True
                ack()
                return
            context[_REFRESH] = req.reader.profile_stale
            try:
                result = dispatch(req)
            except Exception as exc:  # noqa: BLE001 - every failure gets an answer
                ack(**error_reply(req, exc).as_message())
                return
            if isinstance(result, FollowUp):
                context[_FOLLOW_UP] = result
                if result.ack is not None:
                    ack(**result.ack.as_message())
                else:
                    ack()
                return
            ack(**result.as_message())

        def follow_up(
            body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
        ) -> None:
            deferred = bool(context.get(_DEFERRED))
            work = context.get(_FOLLOW_UP)
            if not deferred and not isinstance(work, FollowUp):
                if context.get(_REFRESH):
                    self.read_request(body, context, client=client, refresh_profile=True)
                return
            req, problem = self.read_request(
                body, context, client=client, respond=respond, refresh_profile=True
            )
            if problem is not None:
                req.answer(error_reply(req, problem))
                return
            try:
                if deferred:
                    result = dispatch(req)
                    if not isinstance(result, FollowUp):
                        req.answer(result)
                        return
                    if result.ack is not None:
                        req.answer(result.ack)
                    work = result
                assert isinstance(work, FollowUp)
                if work.facilitator:
                    self.confirm_facilitator(req)
                reply = work.run(req)
                if reply is not None:
                    req.answer(reply)
            except Exception as exc:  # noqa: BLE001 - every failure gets an answer
                failure = error_reply(req, exc)
                self._send_safely(req, lambda: req.answer(failure))

        self.app.command(name)(acknowledge)

    # -- buttons and selects

    def action(
        self,
        action_id: str,
        listener: ButtonListener,
        *,
        facilitator: bool = False,
        refresh_profile: bool = True,
    ) -> None:
        """A button or select: acked at once, *listener* runs in the lazy part.

        Its reply goes privately to the clicker (response_url, or the DM from
        App Home); ``reply.replace_original`` replaces the message clicked.
        ``refresh_profile=False`` skips users.info (forget-me must not store a
        profile again just before erasing it).
        """

        def run(
            body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
        ) -> None:
            req, problem = self.read_request(
                body, context, client=client, respond=respond, refresh_profile=refresh_profile
            )
            try:
                if problem is not None:
                    raise problem
                if facilitator:
                    self.confirm_facilitator(req)
                reply = listener(req)
                if reply is not None:
                    req.answer(reply)
            except Exception as exc:  # noqa: BLE001 - every failure gets an answer
                failure = error_reply(req, exc)
                self._send_safely(req, lambda: req.answer(failure))
            self._afterwards(req)

        self.app.action(action_id)(self._ack_then(run, f"action_{action_id}"))

    # -- modals

    def view(
        self,
        callback_id: str,
        submit: ModalListener,
        *,
        notice: NoticeView | None = None,
        facilitator: bool = False,
        gate_ack: bool = False,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        """A modal submission: *submit* runs before the ack and says how to ack.

        :class:`~bot.errors.FormErrors` on the ack path keep the modal open
        with each message under its block (*fields*: form field -> block id),
        worded by ``bot.rendering.form_errors`` in the reader's language.
        Other errors on the ack path replace the modal with *notice* (or,
        without one, close it and answer in the DM).  The answer's ``follow_up`` runs
        in the lazy part; its reply (or error) goes to the modal via
        ``views.update`` with *notice*, or to the DM.  With ``facilitator``,
        the lazy part confirms with Slack before the follow-up; with
        ``gate_ack`` as well, the ack path first refuses anyone the cached
        gate already rules out (for a *submit* that reads on the ack path).
        """

        def modal_for(req: Request, text: str) -> dict[str, Any] | None:
            return notice(req, text) if notice is not None else None

        def refuse(ack: Ack, req: Request, exc: BaseException) -> None:
            shown = modal_for(req, error_reply(req, exc).text)
            if shown is not None:
                ack(response_action="update", view=shown)
            else:
                ack()

        def acknowledge(
            ack: Ack,
            body: dict[str, Any],
            context: BoltContext,
            client: WebClient,
            respond: Respond,
        ) -> None:
            # VACUUM after an anonymous answer would hold up the ack: the lazy part runs it.
            with self.runtime.database.scrubs_deferred() as deferred:
                submit_and_ack(ack, body, context)
            if deferred.needed:
                context[_SCRUB] = True
            if context.get(_SCRUB) or callable(context.get(_FOLLOW_UP)):
                self._after_ack(run, body, context, client, respond)

        def submit_and_ack(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
            req, problem = self.read_request(body, context)
            try:
                if problem is not None:
                    raise problem
                if gate_ack and not self.runtime.may_be_facilitator(req.user_id, req.team):
                    raise NotAFacilitator()
                answer = submit(req)
            except FormErrors as invalid:
                shown_errors = modal_errors(invalid, fields or {}, req.t)
                if shown_errors is not None:
                    ack(response_action="errors", errors=shown_errors)
                else:
                    refuse(ack, req, invalid)
                return
            except Exception as exc:  # noqa: BLE001 - the modal always says what happened
                refuse(ack, req, exc)
                return
            if answer.follow_up is not None:
                context[_FOLLOW_UP] = answer.follow_up
            if isinstance(answer.ack, ModalUpdate):
                ack(response_action="update", view=answer.ack.view)
            else:
                ack()

        def run(
            body: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
        ) -> None:
            if context.get(_SCRUB):
                self.runtime.database.scrub_files()
            work = context.get(_FOLLOW_UP)
            if not callable(work):
                return  # the ack answered already (errors, a refusal, or nothing to do)
            req, problem = self.read_request(body, context, client=client, refresh_profile=True)
            try:
                if problem is not None:
                    raise problem
                if facilitator:
                    self.confirm_facilitator(req)
                reply = work(req)
            except Exception as exc:  # noqa: BLE001 - the member always hears what happened
                reply = error_reply(req, exc)
            if reply is not None:
                self._send_safely(req, lambda: self._show_in_modal(req, reply, modal_for))
            self._afterwards(req)

        acknowledge.__name__ = f"view_{callback_id}"
        self.app.view(callback_id)(acknowledge)

    def _show_in_modal(
        self,
        req: Request,
        reply: Reply,
        modal_for: Callable[[Request, str], dict[str, Any] | None],
    ) -> None:
        shown = modal_for(req, reply.text)
        if shown is None or not req.surface.view_id:
            req.dm(reply)
            return
        try:
            req.web.views_update(view_id=req.surface.view_id, view=shown)
        except SlackApiError as exc:  # closed meanwhile: say it in the DM instead
            logging.getLogger(__name__).info("views.update failed: %s", exc.response.get("error"))

    # -- external select options

    def options(self, action_id: str, listener: OptionsListener) -> None:
        """Options for an external select, in the ack; on any error, none."""

        def suggest(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
            req, problem = self.read_request(body, context)
            try:
                if problem is not None:
                    raise problem
                choices = listener(req)
            except Exception as exc:  # noqa: BLE001 - a type-ahead shows nothing rather than fail
                if not isinstance(exc, DomainError):
                    error_reply(req, exc)
                choices = []
            ack(options=choices)

        self.app.options(action_id)(suggest)

    # -- events

    def event(self, event_type: str, listener: EventListener) -> None:
        """An Events API event: acked at once; *listener* runs lazily with the user's reader."""

        def run(
            body: dict[str, Any], context: BoltContext, client: WebClient, _respond: Respond
        ) -> None:
            req, problem = self.read_request(body, context, client=client, refresh_profile=True)
            if problem is not None or not req.user_id:
                log.debug("%s without a readable user, ignored", event_type)
                return
            try:
                listener(req)
            except Exception as exc:  # noqa: BLE001 - nothing to answer on: logged once
                error_reply(req, exc)

        self.app.event(event_type)(self._ack_then(run, f"event_{event_type}"))

    # -- bolt's own error handler

    def register_error_handler(self) -> None:
        """What escapes a listener anyway ends in the same mapping and a 200 answer."""

        @self.app.error
        def unhandled(error: Exception, body: dict[str, Any], context: BoltContext) -> BoltResponse:
            req, _problem = self.read_request(body if isinstance(body, dict) else {}, context)
            reply = error_reply(req, error)
            if req.surface.kind is SurfaceKind.COMMAND:
                import json

                return BoltResponse(
                    status=200,
                    body=json.dumps(reply.as_message()),
                    headers={"content-type": ["application/json;charset=utf-8"]},
                )
            return BoltResponse(status=200, body="")


def for_facilitators(answer: FollowUp) -> FollowUp:
    """Mark a command's follow-up for the fresh facilitator check."""
    return replace(answer, facilitator=True)
