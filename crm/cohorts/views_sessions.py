"""Routes of sessions: plan (cohort or individual), page, edit, reschedule, cancel, attendance, .ics."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from crm.access import (
    can_facilitate,
    can_manage_session,
    can_plan_individual_session,
    get_cohort_or_404,
    get_enterprise_or_404,
    get_session_or_404,
    linkable_enterprise_ids,
)
from crm.cohorts import bp, ics, queries, services, timeutil
from crm.cohorts.forms import (
    TIME_HINT,
    AttendanceForm,
    CancelForm,
    RescheduleForm,
    SessionDetailsForm,
    SessionForm,
)
from crm.cohorts.views import page_sections, staff_choices
from crm.domain import DomainError
from crm.extensions import db
from crm.i18n import _
from crm.transaction import refusals_flashed, refusals_shown_on
from crm.validators import is_number


def _ambiguity_notice(form) -> None:
    if form.ambiguous:
        flash(_("A time you entered occurs twice that night (clocks fall back): the first occurrence, "
                "in daylight time, was used."), "info")


def _plan(form, *, cohort=None, enterprise=None):
    form.facilitator_id.choices = staff_choices(
        current_user, (cohort or enterprise).organization_id,
        include=tuple(cohort.facilitators) if cohort else (enterprise.coach, current_user))
    if request.method == "GET":
        default = (cohort.facilitators[0] if cohort and cohort.facilitators
                   else enterprise.coach if enterprise and enterprise.coach else current_user)
        form.facilitator_id.data = default.id
        if cohort is not None:
            form.mode.data, form.place.data = cohort.mode, cohort.place
    if form.validate_on_submit():
        starts_at, ends_at = form.utc_range()
        with refusals_shown_on(form):
            session = services.create_session(actor=current_user, cohort=cohort, enterprise=enterprise,
                                              starts_at=starts_at, ends_at=ends_at, **form.details())
            flash(_("Session planned."), "success")
            _ambiguity_notice(form)
            return redirect(url_for("cohorts.session_page", session_id=session.id))
    return render_template("cohorts/session_form.html", form=form, cohort=cohort, enterprise=enterprise,
                           time_hint=TIME_HINT), 400 if form.errors else 200


@bp.route("/cohorts/<int:cohort_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_cohort_session(cohort_id):
    cohort = get_cohort_or_404(cohort_id, current_user, for_manage=True)
    return _plan(SessionForm(), cohort=cohort)


@bp.route("/enterprises/<int:enterprise_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_individual_session(enterprise_id):
    enterprise = get_enterprise_or_404(enterprise_id, current_user)
    if not can_plan_individual_session(current_user, enterprise):
        abort(403)
    return _plan(SessionForm(), enterprise=enterprise)


@bp.route("/sessions/<int:session_id>")
@login_required
def session_page(session_id):
    session = get_session_or_404(session_id, current_user)
    page = queries.session_page(session)
    linked = linkable_enterprise_ids(current_user, [(p.enterprise.id, p.enterprise.organization_id)
                                                    for p in page["participants"]])
    return render_template("cohorts/session.html", programme_session=session, cancel_form=CancelForm(),
                           facilitate=can_facilitate(current_user, session),
                           manage=can_manage_session(current_user, session), linked=linked,
                           started=session.starts_utc <= timeutil.now(),
                           sections=page_sections(session, current_user), **page)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id):
    session = get_session_or_404(session_id, current_user, for_facilitate=True)
    form = SessionDetailsForm(obj=session)
    form.facilitator_id.choices = staff_choices(
        current_user, session.organization_id,
        include=(session.facilitator, *(session.cohort.facilitators if session.cohort else ())))
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.update_session(session, actor=current_user, **form.details())
            flash(_("Session saved."), "success")
            return redirect(url_for("cohorts.session_page", session_id=session.id))
    return (render_template("cohorts/session_edit.html", form=form, programme_session=session),
            400 if form.errors else 200)


@bp.route("/sessions/<int:session_id>/reschedule", methods=["GET", "POST"])
@login_required
def reschedule_session(session_id):
    session = get_session_or_404(session_id, current_user, for_facilitate=True)
    form = RescheduleForm()
    if request.method == "GET":
        start, end = timeutil.to_local(session.starts_at), timeutil.to_local(session.ends_at)
        form.start_date.data, form.start_time.data = start.date(), start.time().replace(tzinfo=None)
        form.end_time.data = end.time().replace(tzinfo=None)
        form.end_date.data = end.date() if end.date() != start.date() else None
    if form.validate_on_submit():
        starts_at, ends_at = form.utc_range()
        with refusals_shown_on(form):
            services.reschedule_session(session, actor=current_user, starts_at=starts_at, ends_at=ends_at,
                                        reason=form.reason.data)
            flash(_("Session rescheduled."), "success")
            _ambiguity_notice(form)
            return redirect(url_for("cohorts.session_page", session_id=session.id))
    return render_template("cohorts/reschedule.html", form=form, programme_session=session,
                           time_hint=TIME_HINT), 400 if form.errors else 200


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@login_required
def cancel_session(session_id):
    session = get_session_or_404(session_id, current_user, for_facilitate=True)
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400)
    with refusals_flashed("error"):
        services.cancel_session(session, actor=current_user, reason=form.reason.data)
        flash(_("Session cancelled."), "success")
    return redirect(url_for("cohorts.session_page", session_id=session.id))


def _read_attendance(participants):
    """The statuses and contacts ticked on the attendance form, or None when invalid."""
    marks, came = {}, {}
    for participant in participants:
        enterprise_id = participant.enterprise.id
        status = request.form.get(f"status-{enterprise_id}", "")
        if status not in services.ATTENDANCE_STATUSES:
            return None, None
        marks[enterprise_id] = status
        ids = request.form.getlist(f"contacts-{enterprise_id}")
        if not all(is_number(i) and len(i) < 10 for i in ids):
            return None, None
        came[enterprise_id] = {int(i) for i in ids}
    return marks, came


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(session_id):
    session = get_session_or_404(session_id, current_user, for_facilitate=True)
    form = AttendanceForm()
    data = queries.session_page(session)
    errors = []
    if form.validate_on_submit():
        marks, came = _read_attendance(data["participants"])
        if marks is None:
            errors.append(_("Choose present, absent or excused for every enterprise."))
        else:
            try:
                services.record_attendance(session, marks, came, actor=current_user,
                                           participants=data["participants"])
            except DomainError as error:
                db.session.rollback()
                errors.append(str(error.message))
            else:
                flash(_("Attendance saved."), "success")
                return redirect(url_for("cohorts.session_page", session_id=session.id))
    status = 400 if errors or form.errors else 200
    # « Everyone present » (?all=present): the sheet comes back with every enterprise ticked present,
    # still to review and save. Any other value is ignored.
    everyone = request.method == "GET" and request.args.get("all") == "present"
    return render_template("cohorts/attendance.html", form=form, programme_session=session, errors=errors,
                           posted=request.form if request.method == "POST" else None, everyone_present=everyone,
                           started=session.starts_utc <= timeutil.now(), **data), status


@bp.route("/sessions/<int:session_id>.ics")
@login_required
def session_ics(session_id):
    session = get_session_or_404(session_id, current_user)
    body = ics.calendar_bytes([session], url_for_session=lambda s: url_for(
        "cohorts.session_page", session_id=s.id, _external=True))
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="seance-{session.id}.ics"'})
