"""Shared test helpers (signed Slack requests, ...)."""
