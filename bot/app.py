"""The app factory: a bolt App built from settings, with the listeners it is given.

The listeners (``handlers``) sit above ``bot`` and are passed in by the entry
points (``bot.serve``, the console), so nothing else in ``bot`` imports them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.logs import keep_slack_payloads_out_of_logs
from bot.metrics import WebApiCallCounter, instrument_dispatch
from bot.runtime import Runtime

log = logging.getLogger(__name__)

# Registers every listener on the app: ``handlers.register_listeners``.
ListenerRegistration = Callable[[App, Runtime], None]


def make_web_client(token: str, api_url: str) -> WebClient:
    """A Web API client on *api_url* that retries connection errors, 429s and 5xx."""
    return WebClient(
        token=token or None,
        base_url=api_url,
        timeout=15,
        retry_handlers=[
            WebApiCallCounter(),  # first: it sees every attempt, retries nothing
            ConnectionErrorRetryHandler(max_retry_count=3),
            RateLimitErrorRetryHandler(max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=3),
        ],
    )


def build_app(
    runtime: Runtime,
    register_listeners: ListenerRegistration,
    *,
    listener_executor: Executor | None = None,
) -> App:
    """Build the bolt App.  Nothing is read from the environment here."""
    settings = runtime.settings
    keep_slack_payloads_out_of_logs()  # before App(): bolt's loggers copy the filter
    executor = listener_executor or ThreadPoolExecutor(
        max_workers=settings.server.listener_threads, thread_name_prefix="sdgbot-listener"
    )

    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        # The token is known from the environment: no auth.test on the ack path
        # (bolt's single-team default calls it on the first request).
        return AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, bot_token=settings.slack.bot_token
        )

    # One workspace: the environment's token.  Several: OAuth, and each
    # request's own team's token from the installation store.
    workspaces: dict[str, Any] = {"authorize": authorize}
    if settings.slack.oauth_enabled:
        from bot.workspaces import oauth_app_options

        workspaces = oauth_app_options(settings, runtime.database.engine)

    app = App(
        # The token comes from authorize() per request.
        client=make_web_client("", settings.slack.api_url),
        **workspaces,
        signing_secret=settings.slack.signing_secret or None,
        # Answers are computed before the HTTP response, so read-only commands
        # reach the member in the ack body; slow work goes to lazy listeners.
        process_before_response=True,
        token_verification_enabled=False,
        # bot/edge verifies every HTTP request on its raw bytes before bolt sees
        # it; bolt's own check would log a refused body (Socket Mode needs none).
        request_verification_enabled=False,
        url_verification_enabled=True,
        listener_executor=executor,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("slack_bolt"),
    )
    register_listeners(app, runtime)
    if settings.slack.oauth_enabled:
        from bot.workspaces import enable_uninstall

        enable_uninstall(app)
    instrument_dispatch(app)
    return app
