"""Sending the outbox: claim due rows, send each, record the outcome — never the same row twice.

The claims and acknowledgements are ``crm/outbox.py``'s, shared with the account emails.

1. Claim (one short transaction, committed): rows due, or claimed by a sender that has been silent
   longer than ``REMINDER_CLAIM_TIMEOUT_SECONDS``, become ``sending`` with ``claimed_by`` = this
   sender. PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED LIMIT n``, so concurrent senders on several
   machines take disjoint rows without waiting. SQLite has no SKIP LOCKED (SQLAlchemy drops it there silently): one
   compare-and-set ``UPDATE … WHERE id IN (…) AND <still due> RETURNING id`` — SQLite runs writers
   one at a time, so a row is taken by exactly one sender, and the sender sends only what came back.
2. Send the batch's messages over one SMTP connection (``mail.MailSession``), outside any
   transaction; a refused message fails alone, a dropped connection is reopened once.
3. Acknowledge (one transaction per row): ``sent`` with the SEQUENCE described, or back to
   ``pending`` with an exponential backoff, or ``failed`` after ``REMINDER_MAX_ATTEMPTS``. The update
   is guarded by ``claimed_by``: a sender whose claim was taken over does not overwrite the outcome.
A sender killed between 2 and 3 leaves a ``sending`` row that is taken again after the timeout;
its Message-ID was fixed at planning, so mail systems drop the rare duplicate.
"""
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm import mail, outbox
from crm.cohorts import timeutil
from crm.cohorts.models import Cohort, ProgrammeSession
from crm.extensions import db
from crm.reminders import content, queries
from crm.reminders.models import Reminder

log = logging.getLogger(__name__)

# The start of ``last_error`` when the email could not be built (a template or header error): shown
# translated by ``history.error_text``. Only the exception's class is kept: its text may quote values.
BUILD_FAILED = "The email could not be built"
GAVE_UP = outbox.GAVE_UP


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, other: "SendResult") -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.skipped += other.skipped

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.skipped


def sender_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(me: str, now: datetime, limit: int) -> list[int]:
    """Take up to ``limit`` due reminders for sender ``me``; commits. Returns their ids."""
    return outbox.claim(Reminder, me, now, limit)


def _acknowledge(row_id: int, me: str, now: datetime, **values) -> bool:
    return outbox.acknowledge(Reminder, row_id, me, now, **values)


def _skip_reason(row: Reminder, now: datetime) -> str | None:
    """Changed since planning: nothing to send (the planner will queue what is needed)."""
    session = row.session
    if row.kind != "cancel" and session.is_cancelled:
        return "session cancelled"
    if session.starts_utc <= now:
        return "session started before sending"
    if row.contact is not None and not row.contact.can_receive_email:
        return "contact no longer receives emails"
    return None


def send_claimed(ids: list[int], me: str, now: datetime) -> SendResult:
    result = SendResult()
    if not ids:
        return result
    rows = db.session.scalars(
        select(Reminder).where(Reminder.id.in_(ids), Reminder.claimed_by == me, Reminder.state == "sending")
        .options(selectinload(Reminder.session).selectinload(ProgrammeSession.cohort).selectinload(Cohort.facilitators),
                 selectinload(Reminder.session).selectinload(ProgrammeSession.enterprise),
                 selectinload(Reminder.session).selectinload(ProgrammeSession.organization),
                 selectinload(Reminder.session).selectinload(ProgrammeSession.facilitator),
                 selectinload(Reminder.contact), selectinload(Reminder.user))
        .order_by(Reminder.due_at, Reminder.id)).all()
    # Build everything before the first commit, which expires the loaded objects.
    changed = queries.changes_told(rows)
    work = []
    for row in rows:
        reason = _skip_reason(row, now)
        message = broken = None
        if reason is None:
            try:
                message = content.build_message(row, now=now, changed=changed.get(row.id))
            except Exception as error:  # noqa: BLE001 - a bad row must not stop the others
                # Failed, not cancelled: the planner would queue it again, unseen, at every run.
                log.exception("reminder %s of session %s could not be built", row.id, row.session_id)
                broken = f"{BUILD_FAILED} ({type(error).__name__})"
        work.append((row.id, row.attempts, row.session.sequence, message, reason, broken))
    with mail.MailSession() as outbox:
        for row_id, attempts, sequence, message, reason, broken in work:
            if broken is not None:
                _acknowledge(row_id, me, now, state="failed", last_error=broken)
                result.failed += 1
                continue
            if message is None:
                _acknowledge(row_id, me, now, state="cancelled", last_error=reason)
                result.skipped += 1
                continue
            try:
                outbox.send(message)
            except mail.MailError as error:
                _acknowledge_failure(row_id, attempts, error, me, now, result, recipient=message["To"])
            else:
                _acknowledge(row_id, me, now, state="sent", sent_at=now, sent_sequence=sequence, last_error=None,
                             next_attempt_at=None)
                result.sent += 1
    log.info("%s: %s reminders over %s SMTP connection(s)", me, len(work), outbox.connections)
    return result


def _acknowledge_failure(row_id: int, attempts: int, failure: mail.MailError, me: str, now: datetime,
                         result: SendResult, *, recipient: str) -> None:
    """Retried later, or failed: the reminders page then shows it, to be corrected and sent again."""
    if outbox.acknowledge_failure(Reminder, row_id, attempts, failure, me, now, recipient=recipient) == "failed":
        result.failed += 1
    else:
        result.retried += 1


def send_due(*, now: datetime | None = None, me: str | None = None, batch: int | None = None) -> SendResult:
    """Send everything due at ``now``, batch after batch, then return."""
    me = me or sender_name()
    batch = batch or current_app.config["REMINDER_BATCH_SIZE"]
    total = SendResult()
    while True:
        moment = now or timeutil.now()
        ids = claim(me, moment, batch)
        if not ids:
            return total
        total.add(send_claimed(ids, me, moment))
