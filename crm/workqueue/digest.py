"""The daily digest: each morning, an email to every coach who did not turn it off, with their
follow-ups due (overdue and today), their sessions tomorrow and their enterprises gone quiet, in
their language. Nothing to tell, no email.

``flask workqueue digest`` (cron, every morning: ``0 7 * * *``) plans one ``DigestEmail`` per coach
for the Québec day and sends those due; the rounds of ``flask reminders send`` (``signals.outboxes``)
send what is left and retry failures (crm/outbox.py: claims, retries, Message-ID fixed when
planned). The unique key (coach, day) and ``ON CONFLICT DO NOTHING`` make a second digest the same
day impossible, even when two commands plan at the same moment.

Why on unless turned off: the issue asks for an opt-out on the account page; the email goes to the
programme's own staff about their own work (not a contact's personal information, nor marketing),
and only on days it has something to say.
"""
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from crm import access, mail, outbox, signals
from crm.auth.models import User
from crm.cohorts import timeutil
from crm.extensions import db
from crm.formatting import clock, format_day
from crm.i18n import _, force_locale
from crm.workqueue import queries
from crm.workqueue.models import DigestEmail, DigestOptOut

log = logging.getLogger(__name__)
QUIET_SHOWN = 5


def wants_digest(user) -> bool:
    """A digest is about a caseload: for the people who have one (access.has_caseload), unless turned off."""
    return access.has_caseload(user) and db.session.get(DigestOptOut, user.id) is None


def set_digest(user, *, wanted: bool) -> bool:
    """Turn the user's digest on or off; returns whether anything changed. Flushes."""
    if wanted == wants_digest(user):
        return False
    if wanted:
        db.session.execute(delete(DigestOptOut).where(DigestOptOut.user_id == user.id))
    else:
        db.session.add(DigestOptOut(user_id=user.id))
    db.session.flush()
    log.info("user %s turned the daily digest %s", user.id, "on" if wanted else "off")
    return True


def _insert(rows: list[dict]):
    """INSERT … ON CONFLICT DO NOTHING on the (coach, day) key, in the database's own words."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(DigestEmail).values(rows).on_conflict_do_nothing(index_elements=["user_id", "day"])


def plan(now: datetime) -> int:
    """One digest per coach who wants it for the Québec day of ``now``; returns how many were planned
    (none the second time the same day). Flushes."""
    day = timeutil.to_local(now).date()
    planned = exists().where(DigestEmail.user_id == User.id, DigestEmail.day == day)
    coaches = db.session.scalars(select(User.id).where(
        User.role == "coach", User.is_active.is_(True), User.email != "",
        User.id.not_in(select(DigestOptOut.user_id)), ~planned).order_by(User.id)).all()
    if not coaches:
        return 0
    rows = [{"user_id": user_id, "day": day, "due_at": now, "state": "pending", "attempts": 0,
             "created_at": now, "updated_at": now, "message_id": outbox.new_message_id("digest")}
            for user_id in coaches]
    # The ids of the rows inserted: those another planner inserted first are not among them.
    return len(db.session.execute(_insert(rows).returning(DigestEmail.id)).all())


@dataclass
class Digest:
    day: date
    due: list  # follow-ups overdue and due today (rows of queries.open_tasks)
    overdue: int
    sessions_tomorrow: list
    quiet: queries.Rows

    @property
    def is_empty(self) -> bool:
        return not (self.due or self.sessions_tomorrow or self.quiet.total)


def digest_of(user, day: date, now: datetime) -> Digest:
    tasks = queries.open_tasks(user, day, day, mine=True)
    return Digest(day=day, due=tasks[queries.OVERDUE].items + tasks[queries.TODAY].items,
                  overdue=tasks[queries.OVERDUE].total,
                  sessions_tomorrow=queries.sessions_between(user, day + timedelta(days=1), day + timedelta(days=1)),
                  quiet=queries.first_rows(queries.quiet_enterprises(user, now), limit=QUIET_SHOWN))


def language_of(user) -> str:
    return user.locale if user.locale in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


def build_message(row: DigestEmail, digest: Digest):
    user = row.user
    language = language_of(user)
    with force_locale(language):
        context = {
            "user": user, "digest": digest, "day": format_day(digest.day, "full", language),
            "due_day": lambda value: format_day(value, "long", language),
            "clock": lambda value: clock(value, language),
            "queue_url": mail.external_url("main.home"), "account_url": mail.external_url("account.security"),
        }
        subject = _("Your day at Virage: %(day)s", day=context["day"])
        text = mail.render_email("workqueue/email/digest.txt", {**context, "subject": subject})
    return mail.new_message(to=user.email, subject=subject, text=text, message_id=row.message_id,
                            organization=user.organization.name)


def _build(row: DigestEmail, now: datetime) -> tuple:
    """(the message, None), or (None, why there is nothing to send)."""
    user = row.user
    if not user.is_active or not user.email or not wants_digest(user):
        return None, "the coach no longer receives the digest"
    try:
        digest = digest_of(user, row.day, now)
        if digest.is_empty:
            return None, "nothing to tell"
        return build_message(row, digest), None
    except Exception as error:  # noqa: BLE001 - a bad row must not stop the others
        log.exception("digest %s could not be built", row.id)
        return None, f"could not build the message: {type(error).__name__}"


def send_due(*, me: str, now: datetime | None = None, batch: int | None = None) -> int:
    """Send the digests due; returns how many were sent. Commits row by row (crm/outbox.py)."""
    return outbox.send_due(DigestEmail, me=me, now=now, batch=batch, build=_build, label="digest",
                           options=(selectinload(DigestEmail.user),))


@signals.outboxes.connect
def send_digests(_sender, *, me, batch=None, **_extra):
    return send_due(me=me, batch=batch)
