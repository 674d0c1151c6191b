"""Account emails (a link to choose a password): queued by the request, sent by ``flask reminders send``.

Why not send within the request: the forgotten-password page then took an SMTP exchange longer for an
address with an account than for one without, which told who has an account; and an SMTP outage lost
the email. The request now writes one ``AccountEmail`` row whether or not an active account uses the
address (without one, the row has no user, is already cancelled and is never sent), and the worker
sends it with the reminders' retries and fixed Message-ID (crm/outbox.py).

What a reader of the database learns: that someone asked, when, for which account. Not a usable
link: the row holds none. The worker signs it at send time from the user and the request's time
(crm/auth/reset.py), so the link expires ``PASSWORD_RESET_MAX_AGE`` after the request however late
it goes out, and a row not sent by then is cancelled (its link would be dead on arrival). Finished
rows are deleted after ``KEEP_DAYS``.
"""
import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, update
from sqlalchemy.orm import selectinload

from crm import outbox
from crm.auth.models import AccountEmail, User
from crm.auth.reset import reset_message
from crm.auth.services import find_user_by_email
from crm.db import as_utc, utcnow
from crm.extensions import db

log = logging.getLogger(__name__)

KEEP_DAYS = 30


def queue_password_reset(email: str) -> None:
    """The forgotten-password form: the same writes whether or not an active account uses ``email``."""
    user = find_user_by_email(email)
    if user is not None and user.is_active:
        _queue("password_reset", user)
        log.info("password reset link queued for user %s", user.id)
    else:
        _queue("password_reset", None)
        log.info("password reset asked for an address without an active account")


def queue_password_link(user: User, *, actor, welcome: bool = False) -> AccountEmail:
    """A link an admin sends: on a new account (``welcome``) or on demand."""
    row = _queue("welcome" if welcome else "password_reset", user)
    log.info("password link (%s) for user %s queued by %s", row.kind, user.id, getattr(actor, "id", "cli"))
    return row


def _queue(kind: str, user: User | None) -> AccountEmail:
    now = utcnow()
    row = AccountEmail(kind=kind, user_id=user.id if user else None, due_at=now, created_at=now, updated_at=now,
                       state="pending" if user else "cancelled",
                       last_error=None if user else "no active account uses this address",
                       message_id=outbox.new_message_id("account"))
    db.session.add(row)
    db.session.flush()
    return row


def send_due(*, me: str, now: datetime | None = None, batch: int | None = None) -> int:
    """Send the account emails due, batch after batch; returns how many were sent. Commits."""
    _tidy(now or utcnow())
    return outbox.send_due(AccountEmail, me=me, now=now, batch=batch, build=_build, label="account",
                           options=(selectinload(AccountEmail.user),))


def _tidy(now: datetime) -> None:
    """Cancel what would arrive with a dead link; delete what finished long ago."""
    expired = now - timedelta(seconds=current_app.config["PASSWORD_RESET_MAX_AGE"])
    late = db.session.execute(
        update(AccountEmail).where(AccountEmail.state == "pending", AccountEmail.created_at < expired)
        .values(state="cancelled", last_error="not sent before its link expired", updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if late:
        log.warning("%s account email(s) cancelled: not sent before their links expired (worker or SMTP down?)",
                    late)
    db.session.execute(delete(AccountEmail).where(AccountEmail.state.in_(("sent", "failed", "cancelled")),
                                                  AccountEmail.updated_at < now - timedelta(days=KEEP_DAYS))
                       .execution_options(synchronize_session=False))
    db.session.commit()  # kept whatever the sends that follow do (each of them commits on its own)


def _build(row: AccountEmail, now: datetime) -> tuple:
    """(the message, None), or (None, why there is nothing to send)."""
    user = row.user
    if user is None or not user.is_active:
        return None, "the account is no longer active"
    requested_at = as_utc(row.created_at)
    if requested_at < now - timedelta(seconds=current_app.config["PASSWORD_RESET_MAX_AGE"]):
        return None, "not sent before its link expired"
    try:
        return reset_message(user, welcome=row.kind == "welcome", requested_at=requested_at,
                             message_id=row.message_id), None
    except Exception as error:  # noqa: BLE001 - a bad row must not stop the others
        log.exception("account email %s could not be built", row.id)
        return None, f"could not build the message: {type(error).__name__}"
