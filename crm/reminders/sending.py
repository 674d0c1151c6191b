"""Sending the outbox: claim due rows, send each, record the outcome — never the same row twice.

1. Claim (one short transaction, committed): rows due, or claimed by a sender that has been silent
   longer than ``REMINDER_CLAIM_TIMEOUT_SECONDS``, become ``sending`` with ``claimed_by`` = this
   sender. PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED LIMIT n``, so concurrent senders on several
   machines take disjoint rows without waiting. SQLite has no SKIP LOCKED (STACK.md pitfall 7): one
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
from datetime import datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from crm import mail
from crm.cohorts import timeutil
from crm.cohorts.models import Cohort, Session
from crm.extensions import db
from crm.reminders import content
from crm.reminders.models import Reminder

log = logging.getLogger(__name__)

# The start of ``last_error`` when the email could not be built (a template or header error): shown
# translated by ``history.error_text``. Only the exception's class is kept: its text may quote values.
BUILD_FAILED = "The email could not be built"
GAVE_UP = "The sender stopped while sending, too many times."


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


def _due(now: datetime):
    stale = now - timedelta(seconds=current_app.config["REMINDER_CLAIM_TIMEOUT_SECONDS"])
    return or_(
        and_(Reminder.state == "pending", Reminder.due_at <= now,
             or_(Reminder.next_attempt_at.is_(None), Reminder.next_attempt_at <= now)),
        and_(Reminder.state == "sending", Reminder.claimed_at < stale),
    )


def _give_up_stale(now: datetime) -> None:
    """A row whose senders kept dying mid-way (a message that crashes them) stops being retried."""
    stale = now - timedelta(seconds=current_app.config["REMINDER_CLAIM_TIMEOUT_SECONDS"])
    db.session.execute(
        update(Reminder).where(Reminder.state == "sending", Reminder.claimed_at < stale,
                               Reminder.attempts >= current_app.config["REMINDER_MAX_ATTEMPTS"])
        .values(state="failed", last_error=GAVE_UP, updated_at=now)
        .execution_options(synchronize_session=False))


def claim(me: str, now: datetime, limit: int) -> list[int]:
    """Take up to ``limit`` due rows for sender ``me``; commits. Returns their ids."""
    _give_up_stale(now)
    claimed = {"state": "sending", "claimed_by": me, "claimed_at": now, "updated_at": now,
               "attempts": Reminder.attempts + 1}
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            ids = db.session.scalars(select(Reminder.id).where(_due(now)).order_by(Reminder.due_at, Reminder.id)
                                     .limit(limit).with_for_update(skip_locked=True)).all()
            if ids:
                db.session.execute(update(Reminder).where(Reminder.id.in_(ids)).values(**claimed)
                                   .execution_options(synchronize_session=False))
        else:
            candidates = select(Reminder.id).where(_due(now)).order_by(Reminder.due_at, Reminder.id).limit(limit)
            ids = db.session.scalars(
                update(Reminder).where(Reminder.id.in_(candidates.scalar_subquery()), _due(now))
                .values(**claimed).returning(Reminder.id).execution_options(synchronize_session=False)).all()
        db.session.commit()
    except OperationalError:  # SQLite: another sender holds the write lock; try again next round
        db.session.rollback()
        log.warning("claim by %s failed: database busy", me)
        return []
    return list(ids)


def _acknowledge(row_id: int, me: str, now: datetime, **values) -> bool:
    done = db.session.execute(
        update(Reminder).where(Reminder.id == row_id, Reminder.claimed_by == me, Reminder.state == "sending")
        .values(updated_at=now, **values).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not done:
        log.warning("reminder %s: claim of %s was taken over before acknowledging", row_id, me)
    return bool(done)


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
        .options(selectinload(Reminder.session).selectinload(Session.cohort).selectinload(Cohort.facilitators),
                 selectinload(Reminder.session).selectinload(Session.enterprise),
                 selectinload(Reminder.session).selectinload(Session.facilitator),
                 selectinload(Reminder.contact), selectinload(Reminder.user))
        .order_by(Reminder.due_at, Reminder.id)).all()
    # Build everything before the first commit, which expires the loaded objects.
    work = []
    for row in rows:
        reason = _skip_reason(row, now)
        message = broken = None
        if reason is None:
            try:
                message = content.build_message(row, now=now)
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
    """Back to ``pending`` with an exponential backoff; ``failed`` after the last attempt, or at once
    when the server refused the message for good (an address that does not exist): the reminders
    page then shows it, to be corrected and sent again."""
    # The server's words often quote the address: kept out of the error, so that no copy of it
    # outlives the contact's erasure (Law 25), even one written by a send in flight at that moment.
    error = str(failure).replace(parseaddr(recipient)[1] or recipient, "[recipient]")
    if failure.permanent or attempts >= current_app.config["REMINDER_MAX_ATTEMPTS"]:
        _acknowledge(row_id, me, now, state="failed", last_error=error[:2000])
        result.failed += 1
        log.warning("reminder %s failed after %s attempt(s): %s", row_id, attempts, error)
    else:
        retry_at = now + timedelta(seconds=current_app.config["REMINDER_RETRY_BASE_SECONDS"] * 2 ** (attempts - 1))
        _acknowledge(row_id, me, now, state="pending", next_attempt_at=retry_at, last_error=error[:2000])
        result.retried += 1
        log.info("reminder %s: attempt %s failed, retry at %s", row_id, attempts, retry_at.isoformat())


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
