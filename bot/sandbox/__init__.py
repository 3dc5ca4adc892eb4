"""Local sandbox helpers: an in-process stand-in for the Slack Web API and friends."""
