"""Routes of the door and the webinar: check people in on a phone, import a tool's attendance file."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from crm import access
from crm.cohorts import timeutil
from crm.events import attendance, bp, queries
from crm.events.forms import ActionForm, AttendanceFileForm, CheckInSearchForm
from crm.events.models import Registration
from crm.extensions import db
from crm.formatting import format_decimal
from crm.i18n import _, ngettext
from crm.transaction import refusals_flashed, refusals_shown_on

CHECK_IN_SHOWN = 200  # a search narrows a bigger list


def _registration_of(event, registration_id: int) -> Registration:
    row = db.session.get(Registration, registration_id)
    if row is None or row.event_id != event.id:
        abort(404)
    return row


@bp.route("/events/manage/<int:event_id>/check-in")
@login_required
def check_in(event_id):
    event = access.get_event_or_404(event_id, current_user)
    form = CheckInSearchForm(request.args)
    search = form.q.data if form.validate() else None
    query = queries.registrations(event.id, search=search).where(
        Registration.status.in_(("confirmed", "waiting")))
    rows = db.session.scalars(query.limit(CHECK_IN_SHOWN + 1)).all()
    return render_template("events/check_in.html", event=event, rows=rows[:CHECK_IN_SHOWN],
                           more=len(rows) > CHECK_IN_SHOWN, form=form, action_form=ActionForm(),
                           counts=queries.counts(event.id))


def _back_to_check_in(event, row):
    return redirect(url_for("events.check_in", event_id=event.id, q=request.form.get("q") or None,
                            _anchor=f"registration-{row.id}"))


@bp.route("/events/manage/<int:event_id>/check-in/<int:registration_id>", methods=["POST"])
@login_required
def check_in_person(event_id, registration_id):
    event = access.get_event_or_404(event_id, current_user)
    row = _registration_of(event, registration_id)
    if ActionForm().validate_on_submit():
        with refusals_flashed():
            attendance.check_in(event, row, actor=current_user, now=timeutil.now())
            flash(_("%(name)s is checked in.", name=row.full_name), "success")
    return _back_to_check_in(event, row)


@bp.route("/events/manage/<int:event_id>/check-in/<int:registration_id>/undo", methods=["POST"])
@login_required
def undo_check_in(event_id, registration_id):
    event = access.get_event_or_404(event_id, current_user)
    row = _registration_of(event, registration_id)
    if ActionForm().validate_on_submit():
        attendance.undo_check_in(row, actor=current_user)
        flash(_("Check-in of %(name)s undone.", name=row.full_name), "info")
    return _back_to_check_in(event, row)


@bp.route("/events/manage/<int:event_id>/attendance-import", methods=["GET", "POST"])
@login_required
def attendance_import(event_id):
    event = access.get_event_or_404(event_id, current_user, for_manage=True)
    form = AttendanceFileForm()
    result = None
    if form.validate_on_submit():
        upload = request.files.get("file")
        content = upload.read(attendance.MAX_FILE_BYTES + 1) if upload else b""
        if not content:
            form.file.errors = [*form.file.errors, _("Choose the attendance file.")]
        else:
            with refusals_shown_on(form):
                result = attendance.import_attendance(event, content, actor=current_user, now=timeutil.now())
                flash(ngettext("%(num)s person marked as having come.", "%(num)s people marked as having come.",
                               result.marked), "success")
    status = 400 if form.errors or form.form_errors else 200
    return render_template("events/attendance_import.html", event=event, form=form, result=result,
                           number=format_decimal), status


