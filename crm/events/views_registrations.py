"""Routes of an event's registrations: the list with its filters, the export (logged, Law 25), a
manager's cancellation, the enterprises to confirm, a message to everyone registered."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm import access, signals
from crm.cohorts import timeutil
from crm.events import attendance, bp, export, matching, messages, queries, registration
from crm.events.forms import ActionForm, MatchForm, MessageForm, RegistrationFilterForm
from crm.events.models import Registration
from crm.extensions import db
from crm.i18n import _, ngettext
from crm.query_args import paginate
from crm.transaction import refusals_flashed, refusals_shown_on

REGISTRATIONS_PER_PAGE = 100


def _filters():
    form = RegistrationFilterForm(request.args)
    valid = form.validate()
    values = {name: getattr(form, name).data or None for name in ("status", "match", "attended")} if valid else {}
    values["search"] = form.q.data if valid else None
    return form, values


@bp.route("/events/manage/<int:event_id>/registrations")
@login_required
def registrations(event_id):
    event = access.get_event_or_404(event_id, current_user)
    form, filters = _filters()
    page = paginate(queries.registrations(event.id, **filters).options(selectinload(Registration.enterprise)),
                    per_page=REGISTRATIONS_PER_PAGE)
    manage = access.can_manage_event(current_user, event)
    # The enterprises matched: linked only when the user may see them.
    visible = access.viewable_enterprise_ids(current_user, [r.enterprise_id for r in page.items])
    return render_template("events/registrations.html", event=event, form=form, page=page, manage=manage,
                           visible=visible, action_form=ActionForm(), counts=queries.counts(event.id))


@bp.route("/events/manage/<int:event_id>/registrations/export.<fmt>")
@login_required
def export_registrations(event_id, fmt):
    event = access.get_event_or_404(event_id, current_user, for_manage=True)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    _form, filters = _filters()
    rows = db.session.scalars(queries.registrations(event.id, **filters)).all()
    header, cells = export.table(event, rows)
    signals.personal_information_accessed.send(current_user, action="export_event_registrations",
                                               subject_type="events", subject_id=event.id,
                                               details={"count": len(rows), "format": fmt})
    filename = f"inscriptions-{event.id}.{fmt}"
    if fmt == "csv":
        return export.csv_response(header, cells, filename)
    return export.xlsx_response(header, cells, filename, event.title)


def _registration_of(event, registration_id: int) -> Registration:
    row = db.session.get(Registration, registration_id)
    if row is None or row.event_id != event.id:
        abort(404)
    return row


@bp.route("/events/manage/<int:event_id>/registrations/<int:registration_id>/cancel", methods=["POST"])
@login_required
def cancel_by_manager(event_id, registration_id):
    event = access.get_event_or_404(event_id, current_user, for_manage=True)
    row = _registration_of(event, registration_id)
    if ActionForm().validate_on_submit():
        if registration.cancel(row, now=timeutil.now(), actor=current_user):
            flash(_("Registration of %(name)s cancelled; they are told by email.", name=row.full_name), "success")
    return redirect(url_for("events.registrations", event_id=event.id))


@bp.route("/events/manage/<int:event_id>/matching")
@login_required
def matching_queue(event_id):
    event = access.get_event_or_404(event_id, current_user, for_manage=True)
    rows = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.match_status == "to_confirm")
        .options(selectinload(Registration.proposed_enterprise)).order_by(Registration.id)).all()
    return render_template("events/matching.html", event=event, rows=rows, form=MatchForm())


@bp.route("/events/manage/<int:event_id>/matching/<int:registration_id>", methods=["POST"])
@login_required
def decide_match(event_id, registration_id):
    event = access.get_event_or_404(event_id, current_user, for_manage=True)
    row = _registration_of(event, registration_id)
    if MatchForm().validate_on_submit() and request.form.get("decision") in ("same", "new"):
        with refusals_flashed():
            matching.confirm_match(event, row, same=request.form["decision"] == "same", actor=current_user)
            if row.attended_at is not None:
                attendance.move_to_awareness(event, row, actor=current_user)
            flash(_("Enterprise of %(name)s confirmed.", name=row.full_name), "success")
    return redirect(url_for("events.matching_queue", event_id=event.id))


@bp.route("/events/manage/<int:event_id>/message", methods=["GET", "POST"])
@login_required
def message(event_id):
    event = access.get_event_or_404(event_id, current_user, for_manage=True)
    form = MessageForm()
    if form.validate_on_submit():
        with refusals_shown_on(form):
            sent = messages.send_message(event, subject=form.subject.data.strip(), body=form.body.data.strip(),
                                         include_waiting=bool(form.include_waiting.data), actor=current_user,
                                         now=timeutil.now())
            flash(ngettext("Message queued for %(num)s person.", "Message queued for %(num)s people.",
                           sent.recipients), "success")
            return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/message.html", event=event, form=form,
                           counts=queries.counts(event.id)), 400 if form.errors else 200
