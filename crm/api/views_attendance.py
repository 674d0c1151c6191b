"""A session's attendance through the API: read it and record it, for those who run the session
(the attendance page's rule), with its service. The contacts it names are written to the access
log (Law 25), naming the token."""
from flask import abort
from spectree import Response
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm import access, problems, signals
from crm.api import auth, bp
from crm.api.schemas import Problem
from crm.api.schemas_cohorts import AttendanceIn, AttendanceLine, AttendanceSheet, Person
from crm.api.spec import guarded_by, spec
from crm.cohorts import queries, services
from crm.cohorts.models import Attendance
from crm.extensions import db
from crm.i18n import _

TAG = "Sessions"
ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_429": Problem}


def _facilitated(session_id: int):
    return access.get_session_or_404(session_id, auth.principal(), for_facilitate=True)


def _sheet(session, participants) -> AttendanceSheet:
    marks = {row.enterprise_id: row for row in db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id).options(selectinload(Attendance.contacts)))}
    lines = []
    for participant in participants:
        enterprise, mark = participant.enterprise, marks.get(participant.enterprise.id)
        lines.append(AttendanceLine(
            enterprise_id=enterprise.id, enterprise_name=enterprise.name, status=mark.status if mark else None,
            recorded_at=mark.recorded_at if mark else None, recorded_by_id=mark.recorded_by_id if mark else None,
            present_contact_ids=sorted(c.id for c in mark.contacts) if mark else [],
            contacts=[Person(id=c.id, first_name=c.first_name, last_name=c.last_name)
                      for c in participant.all_contacts]))
    for line in lines:
        for contact in line.contacts:
            signals.personal_information_accessed.send(
                auth.actor(), action="view_contact", subject_type="contacts", subject_id=contact.id,
                details={"via": "api", "session_id": session.id, **auth.audit_context()})
    return AttendanceSheet(session_id=session.id, taken_at=session.attendance_taken_at, items=lines)


@bp.get("/sessions/<int:session_id>/attendance")
@spec.validate(resp=Response(HTTP_200=AttendanceSheet, **ERRORS), tags=[TAG])
def get_attendance(session_id: int):
    """A session's attendance

    The enterprises expected (a cohort's members on the session's day, or the individual session's
    enterprise), each one's mark and its contacts. Each contact named is written to the access log.
    """
    session = _facilitated(session_id)
    return _sheet(session, queries.session_participants(session))


@bp.put("/sessions/<int:session_id>/attendance")
@spec.validate(json=AttendanceIn, resp=Response(HTTP_200=AttendanceSheet, HTTP_422=Problem, **ERRORS), tags=[TAG])
@guarded_by(_facilitated)
def record_attendance(session_id: int, json: AttendanceIn):
    """Record attendance

    Once the session has started: present, absent or excused for the enterprises listed (others
    keep their mark), and with present the contacts who came.
    """
    session = _facilitated(session_id)
    enterprise_ids = [mark.enterprise_id for mark in json.marks]
    if len(set(enterprise_ids)) != len(enterprise_ids):
        abort(problems.problem(422, _("Some values were refused."), code="invalid-input", errors=[
            {"location": "body", "field": "marks", "message": _("Each enterprise once.")}]))
    participants = queries.session_participants(session)
    services.record_attendance(session, {m.enterprise_id: m.status for m in json.marks},
                               {m.enterprise_id: set(m.contact_ids) for m in json.marks}, actor=auth.actor(),
                               participants=participants)
    db.session.flush()
    return _sheet(session, participants)
