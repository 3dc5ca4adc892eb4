"""The Slack edge: what every HTTP request from Slack passes before bolt sees it.

In this order, on the raw bytes: the size cap (:mod:`bot.edge.http`), the
signature and timestamp (:mod:`bot.edge.signature`), the shape of the body
(:mod:`bot.edge.shape`), and "executed once" (:mod:`bot.edge.replays`).  A
refused request is answered 401/400/413 and leaves one log line with the
reason, the length and the remote address, never the body.
"""

from __future__ import annotations
