"""Socket Mode's side HTTP server: health, metrics and calendar feeds.

Socket Mode needs no public address for Slack, but load balancers,
Prometheus and calendar apps still call in over HTTP; this serves
:func:`bot.endpoints.endpoint_routes` on ``[server] host:port`` in a thread.
"""

from __future__ import annotations

import logging
import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route

log = logging.getLogger(__name__)


class SideServer:
    def __init__(self, routes: list[Route], host: str, port: int) -> None:
        config = uvicorn.Config(
            Starlette(routes=routes),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        # uvicorn captures signals only on the main thread, which belongs to
        # the SocketModeHandler; serve() handles SIGTERM for both.
        self.thread = threading.Thread(target=self.server.run, name="sdgbot-side-http", daemon=True)
        self.address = f"http://{host}:{port}"

    def start(self, timeout: float = 10.0) -> SideServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the side HTTP server did not start on {self.address}")
            time.sleep(0.01)
        log.info("health, metrics and calendar feeds on %s", self.address)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
