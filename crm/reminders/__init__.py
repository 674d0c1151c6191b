"""Email reminders of sessions (issue 5): an outbox planned by reconciliation, sent by workers."""
