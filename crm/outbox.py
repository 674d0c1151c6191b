"""Outbox tables drained by ``flask reminders send``: claim the due rows, then acknowledge each outcome.

Shared by the session reminders (``crm/reminders/sending.py``, which explains the protocol), the
account emails (``crm/auth/emails.py``) and the events' emails (``crm/events/emails.py``). An outbox
model is an ``OutboxRow`` with an ``id`` and ``outbox_table_args`` in its ``__table_args__``; the
worker's settings (``REMINDER_MAX_ATTEMPTS``, ``REMINDER_RETRY_BASE_SECONDS``,
``REMINDER_CLAIM_TIMEOUT_SECONDS``) apply to all of them.

Unlike other writes, the claim and each acknowledgement commit at once, row by row: other senders
must see a claim before this one sends, and an outcome must be kept before the next email goes, so
that a sender that stops mid-way sends nothing twice.
"""
import logging
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr

from flask import current_app
from sqlalchemy import CheckConstraint, Index, String, Text, and_, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from crm import mail
from crm.db import TimestampMixin, as_utc, utcnow
from crm.extensions import db

log = logging.getLogger(__name__)

STATES = ("pending", "sending", "sent", "failed", "cancelled")


class OutboxRow(TimestampMixin):
    """The columns the claim and the acknowledgements below read and write."""

    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[datetime | None]
    # Chosen once, when the row is queued (new_message_id).
    message_id: Mapped[str] = mapped_column(String(200), unique=True)

    @property
    def due_utc(self) -> datetime:
        return as_utc(self.due_at)


def outbox_table_args(table_name: str) -> tuple:
    """The index the claim reads and the states a row may be in, for the table ``table_name``."""
    return (Index(f"ix_{table_name}_state_due_at", "state", "due_at"),
            CheckConstraint("state IN (" + ", ".join(f"'{state}'" for state in STATES) + ")", name="state"))


def new_message_id(idstring: str) -> str:
    """Chosen once, when the row is queued: a retry after a crash carries the same Message-ID."""
    domain = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or "virage.local"
    return make_msgid(idstring=idstring, domain=domain)


# last_error of a row given up after its senders kept stopping mid-way (shown translated by features).
GAVE_UP = "The sender stopped while sending, too many times."


def due(model, now: datetime):
    stale = now - timedelta(seconds=current_app.config["REMINDER_CLAIM_TIMEOUT_SECONDS"])
    return or_(
        and_(model.state == "pending", model.due_at <= now,
             or_(model.next_attempt_at.is_(None), model.next_attempt_at <= now)),
        and_(model.state == "sending", model.claimed_at < stale),
    )


def _give_up_stale(model, now: datetime) -> None:
    """A row whose senders kept dying mid-way (a message that crashes them) stops being retried."""
    stale = now - timedelta(seconds=current_app.config["REMINDER_CLAIM_TIMEOUT_SECONDS"])
    db.session.execute(
        update(model).where(model.state == "sending", model.claimed_at < stale,
                            model.attempts >= current_app.config["REMINDER_MAX_ATTEMPTS"])
        .values(state="failed", last_error=GAVE_UP, updated_at=now)
        .execution_options(synchronize_session=False))


def claim(model, me: str, now: datetime, limit: int) -> list[int]:
    """Take up to ``limit`` due rows of ``model`` for sender ``me``; commits. Returns their ids."""
    _give_up_stale(model, now)
    claimed = {"state": "sending", "claimed_by": me, "claimed_at": now, "updated_at": now,
               "attempts": model.attempts + 1}
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            ids = db.session.scalars(select(model.id).where(due(model, now)).order_by(model.due_at, model.id)
                                     .limit(limit).with_for_update(skip_locked=True)).all()
            if ids:
                db.session.execute(update(model).where(model.id.in_(ids)).values(**claimed)
                                   .execution_options(synchronize_session=False))
        else:
            candidates = select(model.id).where(due(model, now)).order_by(model.due_at, model.id).limit(limit)
            ids = db.session.scalars(
                update(model).where(model.id.in_(candidates.scalar_subquery()), due(model, now))
                .values(**claimed).returning(model.id).execution_options(synchronize_session=False)).all()
        db.session.commit()
    except OperationalError:  # SQLite: another sender holds the write lock; try again next round
        db.session.rollback()
        log.warning("claim of %s by %s failed: database busy", model.__tablename__, me)
        return []
    return list(ids)


def acknowledge(model, row_id: int, me: str, now: datetime, **values) -> bool:
    """Record an outcome, unless the claim of ``me`` was taken over meanwhile; commits."""
    done = db.session.execute(
        update(model).where(model.id == row_id, model.claimed_by == me, model.state == "sending")
        .values(updated_at=now, **values).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not done:
        log.warning("%s %s: claim of %s was taken over before acknowledging", model.__tablename__, row_id, me)
    return bool(done)


def acknowledge_failure(model, row_id: int, attempts: int, failure: mail.MailError, me: str, now: datetime, *,
                        recipient: str) -> str:
    """Back to ``pending`` with an exponential backoff (returns ``retried``); ``failed`` after the last
    attempt, or at once when the server refused the message for good (an address that does not exist).

    The server's words often quote the address: kept out of the stored error, so that no copy of it
    outlives the person's erasure (Law 25), even one written by a send in flight at that moment."""
    error = str(failure).replace(parseaddr(recipient)[1] or recipient, "[recipient]")
    name = model.__tablename__
    if failure.permanent or attempts >= current_app.config["REMINDER_MAX_ATTEMPTS"]:
        acknowledge(model, row_id, me, now, state="failed", last_error=error[:2000])
        log.warning("%s %s failed after %s attempt(s): %s", name, row_id, attempts, error)
        return "failed"
    retry_at = now + timedelta(seconds=current_app.config["REMINDER_RETRY_BASE_SECONDS"] * 2 ** (attempts - 1))
    acknowledge(model, row_id, me, now, state="pending", next_attempt_at=retry_at, last_error=error[:2000])
    log.info("%s %s: attempt %s failed, retry at %s", name, row_id, attempts, retry_at.isoformat())
    return "retried"


def send_due(model, *, me: str, now: datetime | None, batch: int | None, build, options=(), label: str) -> int:
    """Send the due emails of an email outbox, batch after batch; returns how many were sent.

    Each batch is claimed (``claim``), its rows loaded with ``options``, and each message built by
    ``build(row, now)`` → (message, or None and the reason not to send it) before the first commit
    expires the rows; the messages go out on one SMTP session and each outcome is acknowledged
    (which commits). ``label`` names the outbox in the log."""
    sent = 0
    while True:
        moment = now or utcnow()
        ids = claim(model, me, moment, batch or current_app.config["REMINDER_BATCH_SIZE"])
        if not ids:
            return sent
        rows = db.session.scalars(select(model).where(model.id.in_(ids), model.claimed_by == me)
                                  .options(*options).order_by(model.id)).all()
        sent += _send_built(model, [(row.id, row.attempts, *build(row, moment)) for row in rows], me, moment, label)


def _send_built(model, work: list[tuple], me: str, now: datetime, label: str) -> int:
    sent = 0
    with mail.MailSession() as session:
        for row_id, attempts, message, reason in work:
            if message is None:
                acknowledge(model, row_id, me, now, state="cancelled", last_error=reason)
                continue
            try:
                session.send(message)
            except mail.MailError as error:
                acknowledge_failure(model, row_id, attempts, error, me, now, recipient=message["To"])
            else:
                acknowledge(model, row_id, me, now, state="sent", sent_at=now, last_error=None, next_attempt_at=None)
                sent += 1
    if work:
        log.info("%s: %s %s email(s), %s sent", me, len(work), label, sent)
    return sent
