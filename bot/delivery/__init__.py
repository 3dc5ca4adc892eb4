"""Scheduled messages (reminders, feedback prompts, notices): the database is
the source of truth, a tick claims due rows and sends them."""
