"""The console sandbox: talk to the bot in a terminal, no Slack account needed."""
