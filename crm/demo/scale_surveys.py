"""The seeds' satisfaction surveys: one per person marked present at a cohort's session whose
attendance was taken, sent an hour after the session; most answered, mostly satisfied, a few with a
comment. ``seed-scale`` inserts them in bulk; ``seed-demo`` uses the same rows (crm/demo/surveys.py).
"""
from datetime import datetime, timedelta

from sqlalchemy import exists, func, insert, select

from crm.cohorts.models import Attendance, ProgrammeSession, attendance_contacts
from crm.db import as_utc
from crm.extensions import db
from crm.surveys.models import Survey

CHUNK = 4000
OPEN_DAYS = 30
COMMENTS = ("Très concret, merci.", "Formatrice claire et disponible.", "Un peu rapide sur la partie données.",
            "J'aurais aimé plus d'exemples d'entreprises d'économie sociale.", "Great session, very practical.")


def present_people():
    """(session id, cohort id, organization id, enterprise id, contact id, session end) of the people
    marked present at the cohorts' sessions whose attendance was taken, not yet surveyed, in one query."""
    s = ProgrammeSession
    contact_id = attendance_contacts.c.contact_id
    surveyed = exists().where(Survey.session_id == s.id, Survey.contact_id == contact_id)
    return db.session.execute(
        select(s.id, s.cohort_id, s.organization_id, Attendance.enterprise_id, attendance_contacts.c.contact_id,
               s.ends_at)
        .join(Attendance, Attendance.session_id == s.id)
        .join(attendance_contacts, attendance_contacts.c.attendance_id == Attendance.id)
        .where(s.cohort_id.is_not(None), s.status == "scheduled", s.attendance_taken_at.is_not(None),
               Attendance.status == "present", ~surveyed)
        .order_by(s.id, attendance_contacts.c.contact_id)).all()


def survey_row(person, rng, now: datetime, number: int) -> dict:
    session_id, cohort_id, organization_id, enterprise_id, contact_id, ends_at = person
    sent_at, now = as_utc(ends_at) + timedelta(hours=1), as_utc(now)
    row = {"organization_id": organization_id, "cohort_id": cohort_id, "session_id": session_id,
           "enterprise_id": enterprise_id, "contact_id": contact_id, "closes_at": sent_at + timedelta(days=OPEN_DAYS),
           "due_at": sent_at, "state": "sent", "attempts": 1, "sent_at": sent_at, "created_at": sent_at,
           "updated_at": sent_at, "message_id": f"<seed-survey-{number}@virage.example>", "answered_at": None,
           "satisfaction": None, "usefulness": None, "intention": None, "recommend": None, "comment": None}
    if rng.random() < 0.7:
        satisfaction = rng.choices((1, 2, 3, 4, 5), (2, 4, 14, 40, 40))[0]
        row.update(answered_at=min(now, sent_at + timedelta(hours=rng.randint(1, 96))), satisfaction=satisfaction,
                   usefulness=max(1, min(5, satisfaction + rng.choice((-1, 0, 0, 1)))),
                   intention=rng.choices(("yes", "maybe", "no"), (60, 30, 10))[0],
                   recommend=satisfaction >= 3 and rng.random() < 0.9,
                   comment=rng.choice(COMMENTS) if rng.random() < 0.25 else None)
    return row


def seed_surveys(rng, now: datetime, progress) -> int:
    """Insert the surveys of the people present not surveyed yet; returns how many."""
    first = db.session.scalar(select(func.coalesce(func.max(Survey.id), 0))) + 1
    rows = [survey_row(person, rng, now, first + n) for n, person in enumerate(present_people())]
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(Survey.__table__), rows[start:start + CHUNK])
        progress(len(rows[start:start + CHUNK]))
    return len(rows)
