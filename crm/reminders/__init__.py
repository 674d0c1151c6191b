"""Email reminders of sessions: an outbox planned by reconciliation, sent by workers."""
