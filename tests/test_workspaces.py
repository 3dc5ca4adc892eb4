"""Several workspaces: two installed through the OAuth flow, fully apart.

A Danish workspace (TDK01) and a Norwegian one (TNO01, ``[workspace.TNO01]``:
bokmål, Oslo, NOK, its own facilitator) share one deployment and one
database.  Everything goes over signed HTTP to the served bot, with the Web
API stand-in answering ``oauth.v2.access``.
"""

from __future__ import annotations

import dataclasses
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import delete, select

from bot.clock import FixedClock
from bot.config import ConfigError, Settings, WorkspaceOverrides, load_settings
from bot.delivery.scheduler import run_due_work
from bot.delivery.slack_sender import make_delivery_client
from bot.ids import ActionId, CallbackId
from bot.models import Member, Registration
from bot.programme_file import parse_programme
from bot.runtime import Runtime
from bot.sandbox.slack_standin import SlackStandIn
from bot.services.programme import import_programme
from bot.workspaces import installation_store, team_for_command_line
from tests.conftest import SIGNING_SECRET, ServedBot
from tests.support.conversation import answer_of, text_of
from tests.support.signed_client import SignedSlackClient
from tests.test_registration_e2e import profile_values, submit, view_of

DK, NO = "TDK01", "TNO01"
NO_FACILITATOR = "UNOFAC1"
DK_FACILITATOR = "UDKFAC1"
NO_PROXY = urllib.request.build_opener(
    urllib.request.ProxyHandler({}),
    type(
        "NoRedirect",
        (urllib.request.HTTPRedirectHandler,),
        {"redirect_request": lambda *args, **kwargs: None},
    )(),
)

DK_PROGRAMME = """
[[session]]
key = "dk-netvaerk"
title = "Netværksmøde i Middelfart"
kind = "network_meeting"
starts = 2027-06-10T10:00:00
ends = 2027-06-10T15:00:00
location = "Middelfart Rådhus"
capacity = 40
price = 1500
"""

NO_PROGRAMME = """
[[session]]
key = "no-samling"
title = "Nettverkssamling i Bergen"
kind = "network_meeting"
starts = 2027-06-17T10:00:00
ends = 2027-06-17T15:00:00
location = "Bergen rådhus"
capacity = 30
price = 2500
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        slack=dataclasses.replace(
            settings.slack,
            bot_token="",
            team_id="",
            client_id="111.222",
            client_secret="shh",
            announce_channel="CDK0001",
        ),
        bot=dataclasses.replace(settings.bot, facilitators=(DK_FACILITATOR,)),
        workspaces=(
            WorkspaceOverrides(
                team_id=NO,
                language="nb",
                timezone="Europe/Oslo",
                facilitators=(NO_FACILITATOR,),
                currency="NOK",
                member_price=9000,
                announce_channel="CNO0001",
            ),
        ),
    )


@pytest.fixture(autouse=True)
def no_installations_left(runtime: Runtime) -> Iterator[None]:
    """The installation tables are not the models' (the PostgreSQL suite keeps rows)."""
    store = installation_store(runtime.settings, runtime.database.engine)
    with runtime.database.engine.begin() as conn:
        conn.execute(delete(store.bots))
        conn.execute(delete(store.installations))
    yield


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with NO_PROXY.open(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read().decode()


def install(bot: ServedBot, standin: SlackStandIn, team_id: str) -> str:
    """An admin of *team_id* installs the app: /slack/install, Slack, /slack/oauth_redirect."""
    status, headers, page = http_get(bot.url + "/slack/install")
    assert status == 200, page
    cookie = headers["set-cookie"].split(";")[0]
    authorize_url = next(
        part for part in page.split('"') if part.startswith("https://slack.com/oauth/v2/authorize")
    )
    query = parse_qs(urlsplit(authorize_url.replace("&amp;", "&")).query)
    assert query["client_id"] == ["111.222"]
    assert "commands" in query["scope"][0]
    state = query["state"][0]
    code = standin.grant_installation(team_id, team_name=f"Network {team_id}")
    status, _, done = http_get(
        bot.url + "/slack/oauth_redirect?" + urlencode({"code": code, "state": state}),
        {"Cookie": cookie},
    )
    assert status == 200, done
    return code


@pytest.fixture
def two_workspaces(
    served_bot: ServedBot, standin: SlackStandIn, runtime: Runtime
) -> dict[str, SignedSlackClient]:
    for team in (DK, NO):
        install(served_bot, standin, team)
    now = runtime.clock.now()
    with runtime.unit_of_work(write=True) as db:
        for team, text in ((DK, DK_PROGRAMME), (NO, NO_PROGRAMME)):
            zone = runtime.settings_for(team).bot.timezone
            import_programme(db, team, parse_programme(text, default_timezone=zone), now)
    for user, locale in (("U_ANNA", "da-DK"), ("U_OLA", "nb-NO"), ("U_SAME", "en-GB")):
        standin.add_user(user, locale=locale)
    standin.add_user(NO_FACILITATOR, locale="nb-NO")
    standin.add_user(DK_FACILITATOR, locale="da-DK")
    return {
        team: SignedSlackClient(served_bot.url, SIGNING_SECRET, team_id=team, standin=standin)
        for team in (DK, NO)
    }


def tokens(runtime: Runtime) -> dict[str, str]:
    store = installation_store(runtime.settings, runtime.database.engine)
    with runtime.database.engine.connect() as conn:
        rows = conn.execute(select(store.bots.c.team_id, store.bots.c.bot_token))
        return {str(team): str(token) for team, token in rows}


def register_first_time(
    slack: SignedSlackClient, standin: SlackStandIn, user: str, key: str, organisation: str
) -> dict[str, Any]:
    """A first registration: the profile modal opens, the member fills it in."""
    before = len(standin.calls_to("views.open"))
    assert slack.command(f"register {key}", user_id=user).status == 200
    opened = standin.wait_for("views.open", count=before + 1)[-1]
    view = view_of(opened)
    values = profile_values(f"Name {user}", None, "practitioner", other=organisation)
    result = submit(slack, view, user, values)
    assert result.status == 200, result.body
    return {"view": view, "token": opened.token}


def test_install_stores_each_workspaces_token(
    two_workspaces: dict[str, SignedSlackClient], runtime: Runtime, standin: SlackStandIn
) -> None:
    stored = tokens(runtime)
    assert set(stored) == {DK, NO}
    assert stored[DK] != stored[NO]
    assert len(standin.calls_to("oauth.v2.access")) == 2
    # A second use of a code is refused by Slack (the stand-in too).
    assert team_for_command_line(runtime, NO) == NO
    with pytest.raises(ConfigError, match="several workspaces"):
        team_for_command_line(runtime, None)


def test_every_command_button_and_modal_stays_in_its_workspace(
    two_workspaces: dict[str, SignedSlackClient], runtime: Runtime, standin: SlackStandIn
) -> None:
    dk, no = two_workspaces[DK], two_workspaces[NO]
    stored = tokens(runtime)

    # next / list / show: each workspace sees its own programme only.
    dk_next = text_of(answer_of(dk.command("next", user_id="U_ANNA"), standin))
    no_next = text_of(answer_of(no.command("next", user_id="U_OLA"), standin))
    assert "Netværksmøde i Middelfart" in dk_next and "Bergen" not in dk_next
    assert "Nettverkssamling i Bergen" in no_next and "Middelfart" not in no_next
    # The price in the workspace's currency, as Babel writes kroner for a bokmål reader.
    assert "2\u00a0500\u00a0kr per deltaker" in no_next
    assert "DKK" not in no_next
    dk_list = text_of(answer_of(dk.command("list", user_id="U_ANNA"), standin))
    assert "Bergen" not in dk_list
    unknown = text_of(answer_of(dk.command("show no-samling", user_id="U_ANNA"), standin))
    assert "intet arrangement med nøglen no-samling" in unknown and "Bergen" not in unknown
    unknown_no = text_of(answer_of(no.command("show dk-netvaerk", user_id="U_OLA"), standin))
    assert "Middelfart" not in unknown_no

    # First registrations through the profile modal, each with its own token.
    anna = register_first_time(dk, standin, "U_ANNA", "dk-netvaerk", "Vejle Kommune")
    ola = register_first_time(no, standin, "U_OLA", "no-samling", "Bergen kommune")
    assert anna["token"] == stored[DK] and ola["token"] == stored[NO]
    dms = {c.args["channel"]: c for c in standin.wait_for("chat.postMessage", count=2)}
    assert "Du er påmeldt Nettverkssamling i Bergen" in text_of(dms["U_OLA"].args)
    assert "Middelfart" in text_of(dms["U_ANNA"].args)
    assert dms["U_OLA"].token == stored[NO] and dms["U_ANNA"].token == stored[DK]

    # A button from one workspace naming the other's session finds nothing there.
    foreign = dk.block_action(ActionId.REGISTER, "no-samling", user_id="U_ANNA")
    assert foreign.status == 200
    assert "intet arrangement med nøglen no-samling" in text_of(answer_of(foreign, standin))
    # The same Slack user id in both workspaces is two members.
    same_dk = dk.command("register dk-netvaerk", user_id="U_SAME")
    same_no = no.command("register no-samling", user_id="U_SAME")
    assert same_dk.status == same_no.status == 200

    with runtime.unit_of_work() as db:
        rows = db.execute(
            select(Member.team_id, Member.slack_user_id, Registration.team_id).join(
                Registration, Registration.member_id == Member.id, isouter=True
            )
        ).all()
    for member_team, _user, registration_team in rows:
        assert registration_team in (None, member_team)
    registered = {(t, u) for t, u, r in rows if r}
    assert (DK, "U_ANNA") in registered and (NO, "U_OLA") in registered
    assert (DK, "U_OLA") not in registered and (NO, "U_ANNA") not in registered

    # App Home: each workspace's tab, with its own token.
    no.event({"type": "app_home_opened", "user": "U_OLA", "channel": "D0001", "tab": "home"})
    home = standin.wait_for("views.publish")[-1]
    assert home.token == stored[NO]
    assert "Bergen" in text_of({"blocks": home.args["view"]["blocks"]})
    assert "Middelfart" not in text_of({"blocks": home.args["view"]["blocks"]})

    # my: each member sees only their own workspace's registrations.
    my_no = text_of(answer_of(no.command("my", user_id="U_OLA"), standin))
    assert "Bergen" in my_no and "Middelfart" not in my_no

    # Facilitators: each workspace's own; none reaches the other's sessions.
    refused = text_of(answer_of(no.command("summary no-samling", user_id=DK_FACILITATOR), standin))
    assert "Bergen" not in refused
    before = len(standin.calls_to("response_url"))
    no.command("summary dk-netvaerk", user_id=NO_FACILITATOR)
    answer = standin.wait_for("response_url", count=before + 1)[-1]
    assert "Middelfart" not in text_of(answer.args)
    before = len(standin.calls_to("files.completeUploadExternal"))
    no.command("export no-samling", user_id=NO_FACILITATOR)
    standin.wait_for("files.completeUploadExternal", count=before + 1)
    exported = b"".join(content for _t, content, _a in standin.uploads())
    assert b"Bergen" in exported or b"no-samling" in exported
    assert b"Vejle" not in exported and b"U_ANNA" not in exported and b"Name U_ANNA" not in exported

    # Every Web API call made for a workspace used that workspace's token.
    for call in standin.calls_to("*"):
        if call.method in ("users.info", "views.open", "conversations.open", "chat.postMessage"):
            assert call.token in (stored[DK], stored[NO]), call


def test_reminders_go_out_with_each_workspaces_token_and_language(
    two_workspaces: dict[str, SignedSlackClient],
    runtime: Runtime,
    standin: SlackStandIn,
    clock: FixedClock,
) -> None:
    dk, no = two_workspaces[DK], two_workspaces[NO]
    register_first_time(dk, standin, "U_ANNA", "dk-netvaerk", "Vejle Kommune")
    register_first_time(no, standin, "U_OLA", "no-samling", "Bergen kommune")
    stored = tokens(runtime)
    client = make_delivery_client(runtime.settings)
    # 9 June 12:00 UTC: the day before the Danish meeting (its P1D reminder and heads-up),
    # then 16 June, the day before the Norwegian one.
    clock.advance(timedelta(days=37, hours=4))
    run_due_work(runtime, client, clock.now())
    clock.advance(timedelta(days=7))
    run_due_work(runtime, client, clock.now())
    sent: dict[str, list[Any]] = {}
    for call in standin.calls_to("chat.postMessage"):
        sent.setdefault(call.args["channel"], []).append(call)
    texts = {channel: [text_of(c.args) for c in calls] for channel, calls in sent.items()}
    assert any(t.startswith("Påmindelse: Netværksmøde i Middelfart") for t in texts["U_ANNA"])
    assert any(t.startswith("Påminnelse: Nettverkssamling i Bergen") for t in texts["U_OLA"])
    assert texts["CNO0001"][0].startswith("Nettverkssamling i Bergen starter om 20 timer")
    assert texts["CDK0001"][0].startswith("Netværksmøde i Middelfart begynder om 20 timer")
    assert {c.token for c in sent["U_ANNA"]} == {stored[DK]}
    assert {c.token for c in sent["U_OLA"]} == {stored[NO]}
    assert all("Bergen" in text_of(c.args) for c in sent["U_OLA"])
    # Each workspace's channel heads-up goes to its own channel, with its own token.
    assert {c.token for c in sent["CNO0001"]} == {stored[NO]}
    assert {c.token for c in sent["CDK0001"]} == {stored[DK]}
    assert all("Bergen" in text_of(c.args) for c in sent["CNO0001"])
    assert all("Middelfart" in text_of(c.args) for c in sent["CDK0001"])


def test_an_uninstall_removes_the_workspaces_tokens(
    two_workspaces: dict[str, SignedSlackClient],
    runtime: Runtime,
    standin: SlackStandIn,
    clock: FixedClock,
) -> None:
    from bot.models import Delivery, DeliveryState

    dk, no = two_workspaces[DK], two_workspaces[NO]
    register_first_time(no, standin, "U_OLA", "no-samling", "Bergen kommune")
    result = no.event({"type": "app_uninstalled"})
    assert result.status == 200
    assert set(tokens(runtime)) == {DK}
    # The uninstalled workspace's requests are refused; the other one goes on.
    posts = len(standin.calls_to("response_url"))
    refused = no.command("next", user_id="U_OLA")
    assert refused.status == 200 and "Bergen" not in refused.body
    # bolt's own answer: the installation is gone (nothing of the programme).
    told = standin.calls_to("response_url")[posts:]
    assert all("installation" in text_of(c.args) and "Bergen" not in text_of(c.args) for c in told)
    assert "Middelfart" in text_of(answer_of(dk.command("next", user_id="U_ANNA"), standin))
    # tokens_revoked for the Danish bot token removes that one too.
    revoked = dk.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT" + DK]}})
    assert revoked.status == 200
    assert tokens(runtime) == {}

    # The uninstalled workspace's reminders are not sent with any token; they fail, named.
    sent_before = len(standin.calls_to("chat.postMessage"))
    clock.advance(timedelta(days=44, hours=4))  # 16 June, the day before the meeting
    run_due_work(runtime, make_delivery_client(runtime.settings), clock.now())
    assert len(standin.calls_to("chat.postMessage")) == sent_before
    with runtime.unit_of_work() as db:
        failed = db.execute(
            select(Delivery.state, Delivery.last_error).where(Delivery.team_id == NO)
        ).all()
    states = [state for state, _error in failed]
    assert DeliveryState.SENT not in states and DeliveryState.FAILED in states
    assert {error for state, error in failed if state == DeliveryState.FAILED} == {
        "workspace not installed"
    }


def test_workspace_tables_in_the_config_file(tmp_path: Any) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[bot]\nlanguage = "da"\n[workspace.TNO01]\nlanguage = "nb"\ncurrency = "NOK"\n'
        'timezone = "Europe/Oslo"\nmember_price = 9000\nfacilitators = ["UNOFAC1"]\n',
        encoding="utf-8",
    )
    settings = load_settings(config, env={})
    norway = settings.for_team("TNO01")
    assert (norway.bot.language, norway.fees.currency, norway.bot.timezone) == (
        "nb",
        "NOK",
        "Europe/Oslo",
    )
    assert norway.fees.member_price == 9000 and norway.bot.facilitators == ("UNOFAC1",)
    assert settings.for_team("TDK01").bot.language == "da"
    config.write_text(
        '[workspace.TNO01]\nlanguage = "nb"\nsigning_secret = "x"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="workspace.TNO01.signing_secret: unknown key"):
        load_settings(config, env={})
    config.write_text('[workspace.TNO01]\ntimezone = "Europe/Bergen"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="workspace.TNO01.timezone"):
        load_settings(config, env={})
    config.write_text('[workspace.nope]\nlanguage = "nb"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="workspace.nope"):
        load_settings(config, env={})


def test_the_models_declare_slack_sdks_tables_column_for_column() -> None:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
    from sqlalchemy import MetaData

    from bot.models import Base

    theirs = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(theirs, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(theirs, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(theirs, "slack_oauth_states")
    for name, table in theirs.tables.items():
        ours = Base.metadata.tables[name]

        def shape(t: Any) -> list[tuple[str, str, bool]]:
            return [(c.name, repr(c.type), bool(c.nullable)) for c in t.columns]

        assert shape(ours) == shape(table), name
        assert {i.name for i in ours.indexes} == {i.name for i in table.indexes}, name


def test_import_names_its_workspace_when_there_are_several(
    database_url: str, runtime: Runtime, tmp_path: Any
) -> None:
    from slack_sdk.oauth.installation_store import Bot

    from bot.models import ProgrammeSession
    from tests.test_cli import run_cli

    store = installation_store(runtime.settings, runtime.database.engine)
    for team in (DK, NO):
        store.save_bot(
            Bot(
                app_id="A0001",
                team_id=team,
                bot_token=f"xoxb-{team}",
                bot_id="B1",
                bot_user_id="UB1",
                installed_at=1.0,
            )
        )
    programme = tmp_path / "no.toml"
    programme.write_text(NO_PROGRAMME, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "{database_url}"\n[workspace.{NO}]\ntimezone = "Europe/Oslo"\n',
        encoding="utf-8",
    )
    env = {"SDGBOT_CONFIG": str(config), "SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "x"}

    unnamed = run_cli("import", str(programme), env=env)
    assert unnamed.returncode == 2
    assert f"several workspaces: name one (installed: {DK}, {NO})" in unnamed.stderr
    unknown = run_cli("import", "--team", "TXX01", str(programme), env=env)
    assert unknown.returncode == 2 and "TXX01 has not installed the app" in unknown.stderr
    named = run_cli("import", "--team", NO, str(programme), env=env)
    assert named.returncode == 0, named.stderr
    with runtime.unit_of_work() as db:
        teams = list(db.scalars(select(ProgrammeSession.team_id)))
    assert teams == [NO]

    single = run_cli("import", "--team", NO, str(programme), env={"SDGBOT_CONFIG": str(config)})
    assert single.returncode == 2 and "serves one workspace" in single.stderr


def test_the_session_form_works_in_its_workspace_only(
    two_workspaces: dict[str, SignedSlackClient], runtime: Runtime, standin: SlackStandIn
) -> None:
    from bot.models import ProgrammeSession
    from tests.test_manage_e2e import form, modal_outcome
    from tests.test_manage_e2e import submit as submit_session

    dk, no = two_workspaces[DK], two_workspaces[NO]
    # The Norwegian facilitator's form, in the workspace's own time zone.
    assert no.command("new", user_id=NO_FACILITATOR).status == 200
    opened = standin.wait_for("views.open")[-1]
    assert opened.token == tokens(runtime)[NO]
    view = opened.args["view"]
    start = next(b["element"] for b in view["blocks"] if b.get("block_id") == "manage.start")
    assert start["timezone"] == "Europe/Oslo"
    saved = submit_session(
        no, form(key="no-webinar", title="Webinar om data"), user_id=NO_FACILITATOR
    )
    assert saved.status == 200
    assert "opprettet" in modal_outcome(standin, "V1")
    with runtime.unit_of_work() as db:
        created = db.scalar(select(ProgrammeSession).where(ProgrammeSession.key == "no-webinar"))
    assert created is not None and created.team_id == NO and created.timezone == "Europe/Oslo"
    assert "Webinar om data" not in text_of(
        answer_of(dk.command("list", user_id="U_ANNA"), standin)
    )

    # The Danish facilitator is nobody in the Norwegian workspace, on the command and the modal.
    refused = text_of(answer_of(no.command("new", user_id=DK_FACILITATOR), standin))
    assert "Webinar" not in refused
    forged = submit_session(
        no,
        form(key=None, title="Overtaken"),
        user_id=DK_FACILITATOR,
        editing="no-samling",
        view_id="V2",
    )
    # And a Danish edit naming the Norwegian session finds nothing in Denmark.
    dk_edit = submit_session(
        dk,
        form(key=None, title="Overtaken"),
        user_id=DK_FACILITATOR,
        editing="no-samling",
        view_id="V3",
    )

    def modal_text(result: Any) -> str:
        return text_of({"blocks": result.json["view"]["blocks"]})

    assert "Det kan kun netværkets facilitatorer" in modal_text(forged)
    assert "intet arrangement med nøglen no-samling" in modal_text(dk_edit)
    with runtime.unit_of_work() as db:
        titles = set(db.scalars(select(ProgrammeSession.title)))
    assert "Overtaken" not in titles


def test_feedback_for_the_other_workspaces_session_changes_nothing(
    two_workspaces: dict[str, SignedSlackClient],
    runtime: Runtime,
    standin: SlackStandIn,
    clock: FixedClock,
) -> None:
    from bot.models import FeedbackResponse
    from tests.test_feedback_e2e import form_values, modal_text

    dk, no = two_workspaces[DK], two_workspaces[NO]
    register_first_time(dk, standin, "U_ANNA", "dk-netvaerk", "Vejle Kommune")
    register_first_time(no, standin, "U_SAME", "no-samling", "Bergen kommune")
    clock.advance(timedelta(days=50))  # both sessions have ended
    # U_SAME is registered in Norway only; a form naming the Danish session from Norway,
    # and one naming the Norwegian session from Denmark, store nothing.
    from_norway = no.view_submission(
        CallbackId.FEEDBACK, form_values(5), user_id="U_SAME", private_metadata="dk-netvaerk"
    )
    from_denmark = dk.view_submission(
        CallbackId.FEEDBACK, form_values(5), user_id="U_SAME", private_metadata="no-samling"
    )
    assert "dk-netvaerk" in modal_text(from_norway)
    assert "no-samling" in modal_text(from_denmark)
    own = no.view_submission(
        CallbackId.FEEDBACK, form_values(4), user_id="U_SAME", private_metadata="no-samling"
    )
    assert own.status == 200
    deadline = time.monotonic() + 10
    while True:
        with runtime.unit_of_work() as db:
            rows = db.execute(select(FeedbackResponse.team_id, FeedbackResponse.rating)).all()
        if rows or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [tuple(r) for r in rows] == [(NO, 4)]
