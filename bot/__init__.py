"""sdgbot core: configuration, models, services, scheduling and rendering.

Nothing in this package knows Slack payloads; the Slack listeners live in
the top-level ``handlers`` package.
"""

__version__ = "0.1.0"
