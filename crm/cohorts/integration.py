"""Where cohorts meet the other features: their answers to the signals of the enterprise list's
bulk actions, the enterprise page and its history, and the contact's export (crm/signals.py).
"""
from flask import request, url_for
from sqlalchemy import func, select

from crm import access, signals
from crm.auth.models import User
from crm.cohorts import forms, queries, services
from crm.cohorts.models import Attendance, Cohort, ProgrammeSession, attendance_contacts
from crm.contributions import (
    BulkAction,
    Field,
    HistoryTerms,
    Section,
    SummaryItem,
    codes,
    show_date,
    show_moment,
)
from crm.domain import DomainError
from crm.enterprises.models import Activity
from crm.extensions import db
from crm.formatting import date_filter, format_decimal, time_filter
from crm.i18n import _, _l, lazy_pgettext
from crm.reference import SelectChoice

OPEN_STATUSES = ("planned", "running")


def open_manageable_cohorts(user):
    """Cohorts still open that the user may add enterprises to."""
    return (access.manageable_cohorts(user).where(Cohort.status.in_(OPEN_STATUSES))
            .order_by(Cohort.start_date, Cohort.name))


def cohort_choices(user, organization_id: int | None) -> list[SelectChoice]:
    """Open cohorts the user may fill, of one organization: an admin's choice in the filters (the whole
    programme holds thousands of cohorts at ten times the province)."""
    query = open_manageable_cohorts(user).where(Cohort.organization_id == organization_id)
    rows = db.session.execute(query.with_only_columns(Cohort.id, Cohort.name))
    return [SelectChoice("", _l("Choose…")), *(SelectChoice(str(id_), name) for id_, name in rows)]


def _enrol(targets, form, actor) -> int:
    try:
        cohort_id = int(form.cohort_id.data or "")
    except ValueError:
        raise DomainError(_l("Choose a cohort."), field="cohort_id") from None
    cohort = db.session.scalar(open_manageable_cohorts(actor).where(Cohort.id == cohort_id))
    if cohort is None:
        raise DomainError(_l("Choose a cohort."), field="cohort_id")
    added, _skipped = services.enrol_enterprises(cohort, targets(), actor=actor,
                                                 move_stage=bool(form.move_stage.data))
    return len(added)


def _prepare(form, user, organization_id) -> None:
    form.cohort_id.choices = cohort_choices(user, organization_id)


@signals.enterprise_bulk_actions.connect
def bulk_action(_sender, **_extra):
    return BulkAction("enrol", _l("Add to a cohort"), access.can_enrol_in_bulk, _enrol, _prepare)


def timeline_coaching_minutes(enterprise_id: int) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(Activity.duration_minutes), 0))
        .where(Activity.enterprise_id == enterprise_id, Activity.is_coaching.is_(True))) or 0


# The enterprise page lists the latest past sessions, and links to all of them.
PAST_SESSIONS_SHOWN = 10


def _load_section(enterprise, user) -> dict:
    sessions = queries.enterprise_sessions(enterprise.id)
    timeline_minutes = timeline_coaching_minutes(enterprise.id)
    return {"enterprise_sessions": sessions,
            "all_past_sessions": request.args.get("sessions") == "all",
            "past_sessions_shown": PAST_SESSIONS_SHOWN,
            "can_plan_session": access.can_plan_individual_session(user, enterprise),
            "timeline_coaching_hours": timeline_minutes / 60,
            "total_coaching_hours": (sessions.coaching_minutes + timeline_minutes) / 60}


def _summary(section: dict) -> tuple[SummaryItem, ...]:
    """The next session and the coaching hours, for the summary at the top of the enterprise page."""
    upcoming = next((s for s in section["enterprise_sessions"].upcoming if not s.is_cancelled), None)
    hours = _("%(hours)s h", hours=format_decimal(round(section["total_coaching_hours"], 1)))
    if upcoming is None:
        next_session = SummaryItem(_l("Next session"), _("None planned"))
    else:
        next_session = SummaryItem(_l("Next session"), _("%(date)s at %(time)s", date=date_filter(
            upcoming.starts_at, "medium"), time=time_filter(upcoming.starts_at)),
            url_for("cohorts.session_page", session_id=upcoming.id))
    return next_session, SummaryItem(_l("Coaching hours"), hours, "#coaching-hours")


@signals.enterprise_sections.connect
def enterprise_section(enterprise, *, user, **_extra):
    section = _load_section(enterprise, user)
    return Section("cohorts/_enterprise_section.html", section, order=60, anchor="sessions", label=_l("Sessions"),
                   summary=_summary(section))


# What services.py writes to an enterprise's history: individual sessions, memberships, attendance.
@signals.history_terms.connect
def history_terms(_sender, **_extra):
    return HistoryTerms(
        entities={"sessions": _l("Session"), "cohort_memberships": _l("Cohort"), "attendances": _l("Attendance")},
        actions={"join_cohort": lazy_pgettext("history", "Joined"), "leave_cohort": lazy_pgettext("history", "Left"),
                 "reschedule": lazy_pgettext("history", "Rescheduled"), "cancel": lazy_pgettext("history", "Cancelled"),
                 "attendance": lazy_pgettext("history", "Recorded")},
        fields={
            "sessions": {
                "title": Field(forms.SESSION_TITLE), "mode": Field(_l("Mode"), codes(forms.MODES)),
                "place": Field(_l("Place")), "meeting_url": Field(_l("Meeting link")),
                "facilitator_id": Field(_l("Facilitator"), names=User.full_name), "agenda": Field(_l("Agenda")),
                "starts_at": Field(lazy_pgettext("session", "Start"), show_moment),
                "ends_at": Field(lazy_pgettext("session", "End"), show_moment),
                "status": Field(_l("Status"), codes(forms.SESSION_STATUSES)),
            },
            "cohort_memberships": {"cohort_id": Field(_l("Cohort"), names=Cohort.name),
                                   "left_on": Field(_l("Leaving date"), show_date)},
            "attendances": {"status": Field(_l("Status"), codes(forms.ATTENDANCE_LABELS))},
        }
    )


def _attendance_export(contact) -> list[dict]:
    """The contact's Law 25 export: sessions where the contact was marked as having come (one query)."""
    rows = db.session.execute(
        select(ProgrammeSession.id, ProgrammeSession.title, ProgrammeSession.starts_at, ProgrammeSession.ends_at,
               ProgrammeSession.cohort_id, Attendance.status, Attendance.recorded_at)
        .join(Attendance, Attendance.session_id == ProgrammeSession.id)
        .join(attendance_contacts, attendance_contacts.c.attendance_id == Attendance.id)
        .where(attendance_contacts.c.contact_id == contact.id)
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id))
    return [{"session_id": r.id, "title": r.title, "starts_at": r.starts_at, "ends_at": r.ends_at,
             "cohort_id": r.cohort_id, "status": r.status, "recorded_at": r.recorded_at} for r in rows]


@signals.contact_export_sections.connect
def export_section(contact, **_extra):
    return ("attendance", _attendance_export(contact))
