"""Several workspaces: bolt's OAuth flow and each workspace's bot token.

With ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` set, a workspace
installs the app at ``/slack/install`` (Slack sends the admin back to
``/slack/oauth_redirect``); slack_sdk's SQLAlchemy stores keep the
installations and the one-time OAuth states in the bot's own database (the
tables come from migration ``0007_slack_installations``).  Every request is
authorized with its own team's bot token, looked up in that store without a
Web API call on the ack path; scheduled messages are sent with the token of
the delivery's team.  ``app_uninstalled`` and ``tokens_revoked`` delete the
workspace's tokens (bolt's token revocation listeners), after which the
workspace's requests are refused and its due messages are marked failed
("workspace not installed"), sent with no other workspace's token.

Without those two secrets there is no OAuth flow and no store: the single
token from ``SLACK_BOT_TOKEN`` serves the home team, as before
(:class:`TeamTokens` hands out that token, ``--team`` must be the home team).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import anyio
from slack_bolt import App, BoltContext
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.config import ConfigError, Settings
from bot.runtime import Runtime

log = logging.getLogger(__name__)

# The manifest's bot scopes (manifest.yml): what every installation asks for.
BOT_SCOPES = ("chat:write", "commands", "im:write", "users:read", "files:write", "usergroups:read")
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# An install link is good for this long (the state in its cookie and table).
STATE_SECONDS = 600

# slack_sdk's default table names; migration 0005 creates them.
BOTS_TABLE = "slack_bots"
INSTALLATIONS_TABLE = "slack_installations"
STATES_TABLE = "slack_oauth_states"


def installation_store(settings: Settings, engine: Engine) -> SQLAlchemyInstallationStore:
    return SQLAlchemyInstallationStore(
        client_id=settings.slack.client_id,
        engine=engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )


class TeamTokenAuthorize(Authorize):
    """The request's own team's bot token, from the installation store.

    bolt's default asks ``auth.test`` on every request; the ids it would
    learn are stored with the installation, so the ack path needs none.
    An unknown or uninstalled team gets no token, and bolt refuses the
    request.
    """

    def __init__(self, store: SQLAlchemyInstallationStore) -> None:
        self.store = store

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        bot = self.store.find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=bool(context.is_enterprise_install),
        )
        if bot is None or not bot.bot_token:
            log.info("request from a workspace without an installation: %s", team_id)
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            user_id=user_id,
        )


def oauth_app_options(settings: Settings, engine: Engine) -> dict[str, Any]:
    """The keyword arguments that turn a bolt App into a multi-workspace one."""
    store = installation_store(settings, engine)
    public = settings.bot.public_url
    return {
        "oauth_settings": OAuthSettings(
            client_id=settings.slack.client_id,
            client_secret=settings.slack.client_secret,
            scopes=list(BOT_SCOPES),
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            redirect_uri=f"{public}{REDIRECT_PATH}" if public else None,
            installation_store=store,
            state_store=SQLAlchemyOAuthStateStore(
                expiration_seconds=STATE_SECONDS, engine=engine, table_name=STATES_TABLE
            ),
            state_expiration_seconds=STATE_SECONDS,
        ),
        "installation_store": store,
        "authorize": TeamTokenAuthorize(store),
    }


def enable_uninstall(app: App) -> None:
    """``app_uninstalled`` and ``tokens_revoked`` delete the workspace's tokens."""
    app.enable_token_revocation_listeners()


def oauth_routes(bolt_app: App) -> list[Route]:
    """``GET /slack/install`` and ``GET /slack/oauth_redirect``, handled by bolt."""
    flow = bolt_app.oauth_flow
    if flow is None:
        return []

    async def install(request: Request) -> Response:
        bolt_request = to_bolt_request(request, b"")
        return to_starlette_response(
            await anyio.to_thread.run_sync(flow.handle_installation, bolt_request)
        )

    async def redirect(request: Request) -> Response:
        bolt_request = to_bolt_request(request, b"")
        return to_starlette_response(
            await anyio.to_thread.run_sync(flow.handle_callback, bolt_request)
        )

    return [
        Route(INSTALL_PATH, install, methods=["GET"]),
        Route(REDIRECT_PATH, redirect, methods=["GET"]),
    ]


def installed_teams(settings: Settings, engine: Engine) -> list[str]:
    """The workspaces with a bot token in the installation store."""
    store = installation_store(settings, engine)
    with engine.connect() as connection:
        rows = connection.execute(
            select(store.bots.c.team_id)
            .where(store.bots.c.client_id == settings.slack.client_id)
            .distinct()
        )
        return sorted(str(team) for (team,) in rows if team)


def team_for_command_line(runtime: Runtime, team: str | None) -> str:
    """The workspace a command-line action is for (``--team``).

    One workspace needs no flag.  With several, ``--team`` names an
    installed one; without it the only installed workspace is meant.
    """
    settings = runtime.settings
    if not runtime.several_workspaces:
        if team and team != settings.home_team_id:
            raise ConfigError(
                "--team", f"this deployment serves one workspace ({settings.home_team_id})"
            )
        return settings.home_team_id
    installed = installed_teams(settings, runtime.database.engine)
    if team:
        if team not in installed:
            listed = ", ".join(installed) or "none yet"
            raise ConfigError("--team", f"{team} has not installed the app (installed: {listed})")
        return team
    if len(installed) == 1:
        return installed[0]
    listed = ", ".join(installed) or "none yet"
    raise ConfigError("--team", f"several workspaces: name one (installed: {listed})")


class TeamTokens:
    """Bot tokens by team for the scheduled messages (the delivery worker).

    One workspace: the environment's token for every row.  Several: the
    installation's token, or None when the workspace has uninstalled the
    app.  Looked up at most every ``TOKEN_SECONDS`` per team, so a fan-out
    is not one query per message.
    """

    TOKEN_SECONDS = 30.0

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.default = settings.slack.bot_token
        self.store = installation_store(settings, engine) if settings.slack.oauth_enabled else None
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, str | None]] = {}

    def token_for(self, team_id: str) -> str | None:
        if self.store is None:
            return self.default or None
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(team_id)
        if cached is not None and now - cached[0] < self.TOKEN_SECONDS:
            return cached[1]
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        token = bot.bot_token if bot is not None and bot.bot_token else None
        with self._lock:
            self._cache[team_id] = (now, token)
        return token
