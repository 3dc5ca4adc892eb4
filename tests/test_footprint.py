"""An idle `sdgbot serve` does not carry the libraries only files need.

openpyxl (which loads numpy and lxml when they are installed), fpdf2 (Pillow,
fontTools) and matplotlib are about 40 MB of resident memory together; they
come with the first workbook, report or chart (bench/footprint.py measures
the process).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
FOR_FILES_ONLY = ("openpyxl", "fpdf", "PIL", "fontTools", "matplotlib", "numpy", "lxml")

WIRED_UP = """
import json, sys
from bot.app import build_app
from bot.config import load_settings
from bot.delivery.scheduler import DeliveryScheduler
from bot.endpoints import ProcessState, endpoint_routes
from bot.runtime import open_runtime
from bot.server import build_http_app
from handlers import register_listeners

settings = load_settings(None, env={
    "SDGBOT_DATABASE_URL": "sqlite:///" + sys.argv[1],
    "SDGBOT_SLACK_TEAM_ID": "T0001",
    "SLACK_BOT_TOKEN": "xoxb-footprint",
    "SLACK_SIGNING_SECRET": "footprint",
})
runtime = open_runtime(settings)
bolt_app = build_app(runtime, register_listeners)
scheduler = DeliveryScheduler(runtime)
state = ProcessState(scheduler.pulse, scheduler.worker.claimer, live_workers=scheduler.live_workers)
build_http_app(bolt_app, endpoint_routes(runtime, state), runtime=runtime)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded_when_wired_up(tmp_path: Path) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", WIRED_UP, str(tmp_path / "footprint.db")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_the_listeners_and_endpoints_load_no_file_writing_library(tmp_path: Path) -> None:
    loaded = loaded_when_wired_up(tmp_path)
    assert "slack_bolt" in loaded and "sqlalchemy" in loaded  # the app really was built
    assert loaded.isdisjoint(FOR_FILES_ONLY), sorted(loaded & set(FOR_FILES_ONLY))
