"""Read queries of reminders: who receives a session's emails, and what the pages show.

Each function loads what it needs in a fixed number of queries, whatever the number of rows.
"""
from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from crm.auth.models import User
from crm.cohorts import timeutil
from crm.cohorts.models import Cohort, CohortMembership, ProgrammeSession, SessionChange
from crm.contacts.models import Contact
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.reminders.models import Reminder


@dataclass(frozen=True)
class Recipient:
    kind: str  # contact | facilitator
    key: str  # contact:<id> | user:<id>
    email: str
    language: str
    contact_id: int | None = None
    user_id: int | None = None


def _language(code: str | None) -> str:
    languages = current_app.config["LANGUAGES"]
    return code if code in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def contact_recipient(contact: Contact) -> Recipient:
    return Recipient("contact", f"contact:{contact.id}", contact.email, _language(contact.preferred_language),
                     contact_id=contact.id)


def facilitator_recipient(user: User) -> Recipient:
    return Recipient("facilitator", f"user:{user.id}", user.email, _language(user.locale), user_id=user.id)


def recipients_by_session(sessions) -> dict[int, list[Recipient]]:
    """Per session: contacts who may receive emails at the participating enterprises, then the facilitator.

    Participants as on the session page: for a cohort session, the enterprises that belonged to the
    cohort on the session's local date; for an individual session, its enterprise. Contacts need an
    address, the email consent (withdrawn by the opt-out link) and must be neither archived nor
    anonymized (``Contact.can_receive_email``). Two queries for any number of sessions.
    """
    sessions = list(sessions)
    cohort_ids = {s.cohort_id for s in sessions if s.cohort_id is not None}
    memberships = defaultdict(list)
    if cohort_ids:
        for m in db.session.execute(
                select(CohortMembership.cohort_id, CohortMembership.enterprise_id, CohortMembership.joined_on,
                       CohortMembership.left_on).where(CohortMembership.cohort_id.in_(cohort_ids))):
            memberships[m.cohort_id].append(m)
    enterprise_ids = {s.enterprise_id for s in sessions if s.enterprise_id is not None}
    enterprise_ids |= {m.enterprise_id for rows in memberships.values() for m in rows}
    contacts = defaultdict(list)
    if enterprise_ids:
        query = (select(Contact).where(Contact.enterprise_id.in_(enterprise_ids), Contact.email_consent.is_(True),
                                       Contact.email.is_not(None), Contact.email != "",
                                       Contact.archived_at.is_(None), Contact.anonymized_at.is_(None))
                 .order_by(Contact.id))
        for contact in db.session.scalars(query):
            contacts[contact.enterprise_id].append(contact)
    result = {}
    for session in sessions:
        if session.cohort_id is None:
            enterprises = [session.enterprise_id]
        else:
            day = timeutil.to_local(session.starts_at).date()
            enterprises = sorted({m.enterprise_id for m in memberships[session.cohort_id]
                                  if m.joined_on <= day and (m.left_on is None or m.left_on > day)})
        people = [contact_recipient(c) for e in enterprises for c in contacts[e] if c.can_receive_email]
        facilitator = session.facilitator
        if facilitator is not None and facilitator.is_active and facilitator.email:
            people.append(facilitator_recipient(facilitator))
        result[session.id] = people
    return result


def session_reminders(session_id: int) -> list[Reminder]:
    """A session's reminders with their recipients: one query plus two for contacts and users."""
    return db.session.scalars(
        select(Reminder).where(Reminder.session_id == session_id)
        .options(selectinload(Reminder.contact), selectinload(Reminder.user))
        .order_by(Reminder.due_at, Reminder.recipient_kind, Reminder.email, Reminder.id)).all()


def reminders_list(base: Select, *, state: str | None, kind: str | None, organization_id: int | None) -> Select:
    """The programme-wide list: ``base`` is ``access.visible_reminders(user)``."""
    query = base
    if state:
        query = query.where(Reminder.state == state)
    if kind:
        query = query.where(Reminder.kind == kind)
    if organization_id:
        query = query.where(ProgrammeSession.organization_id == organization_id)
    return query.options(
        selectinload(Reminder.session).selectinload(ProgrammeSession.cohort).load_only(Cohort.name),
        selectinload(Reminder.session).selectinload(ProgrammeSession.enterprise).load_only(Enterprise.name),
    ).order_by(Reminder.due_at.desc(), Reminder.id.desc())


@dataclass(frozen=True)
class Changed:
    """What an update tells its recipient: each of time and place is None when it did not change
    since the version they were last sent, else (before, now)."""
    times: tuple | None = None  # ((old starts, old ends), (new starts, new ends))
    place: tuple | None = None  # (old place, new place); either may be None (none before, none now)
    meeting_url: tuple | None = None


def changes_told(rows) -> dict[int, Changed]:
    """For the ``update`` rows among ``rows`` (Reminder, session loaded): what changed since the
    session's version each recipient was last sent, by row id. Two queries, whatever the rows."""
    updates = [row for row in rows if row.kind == "update"]
    if not updates:
        return {}
    session_ids = {row.session_id for row in updates}
    told = {(session_id, key): sequence for session_id, key, sequence in db.session.execute(
        select(Reminder.session_id, Reminder.recipient_key, func.max(Reminder.sent_sequence))
        .where(Reminder.session_id.in_(session_ids), Reminder.state == "sent",
               Reminder.kind.in_(("reminder", "update")), Reminder.sent_sequence.is_not(None))
        .group_by(Reminder.session_id, Reminder.recipient_key))}
    history = defaultdict(list)
    for change in db.session.scalars(select(SessionChange).where(SessionChange.session_id.in_(session_ids))
                                     .order_by(SessionChange.sequence, SessionChange.id)):
        history[change.session_id].append(change)
    found = {}
    for row in updates:
        since = told.get((row.session_id, row.recipient_key))
        if since is not None:
            found[row.id] = _changed(row.session, [c for c in history[row.session_id] if c.sequence > since])
    return found


def _changed(session: ProgrammeSession, changes: list) -> Changed:
    """The first change of each kind in ``changes`` holds the old value; the session holds the new one."""
    moved = next((c for c in changes if c.kind == "rescheduled" and c.old_starts_at is not None), None)
    times = None
    if moved is not None:
        old = (timeutil.to_local(moved.old_starts_at), timeutil.to_local(moved.old_ends_at))
        new = (timeutil.to_local(session.starts_at), timeutil.to_local(session.ends_at))
        times = (old, new) if old != new else None
    return Changed(times=times, place=_where(changes, "place", session.place),
                   meeting_url=_where(changes, "meeting_url", session.meeting_url))


def _where(changes: list, name: str, now) -> tuple | None:
    edit = next((c for c in changes if c.kind == "updated"
                 and getattr(c, f"old_{name}") != getattr(c, f"new_{name}")), None)
    if edit is None or (getattr(edit, f"old_{name}") or None) == (now or None):
        return None
    return (getattr(edit, f"old_{name}"), now)
