"""Routes of the manager's side of events: list, create, edit, publish, close and reopen, sessions."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from crm import access
from crm.cohorts import timeutil
from crm.events import bp, queries, services
from crm.events.forms import (
    EVENT_STATUSES,
    ActionForm,
    EventForm,
    EventSessionForm,
    NewEventForm,
)
from crm.events.models import Event, EventSession
from crm.extensions import db
from crm.i18n import _
from crm.query_args import paginate
from crm.reference import SelectChoice
from crm.transaction import refusals_flashed, refusals_shown_on

EVENTS_PER_PAGE = 50


@bp.route("/events/manage")
@login_required
def manage_list():
    if not access.can_see_events(current_user):
        abort(403)
    status = request.args.get("status", "")
    query = access.visible_events(current_user)
    if status in EVENT_STATUSES:
        query = query.where(Event.status == status)
    page = paginate(query.order_by(Event.starts_at.desc(), Event.id.desc()), per_page=EVENTS_PER_PAGE)
    counts = queries.counts_by_event([event.id for event in page.items])
    return render_template("events/manage_list.html", page=page, counts=counts, status=status,
                           statuses=EVENT_STATUSES.items(), can_create=access.can_manage_events(current_user))


def _organization_choices(form) -> None:
    form.organization_id.choices = [SelectChoice(o.id, o.name)
                                    for o in db.session.scalars(access.event_organizations(current_user))]
    if request.method == "GET" and form.organization_id.data is None:
        form.organization_id.data = current_user.organization_id


@bp.route("/events/manage/new", methods=["GET", "POST"])
@login_required
def new_event():
    if not access.can_manage_events(current_user):
        abort(403)
    form = NewEventForm()
    _organization_choices(form)
    if form.validate_on_submit():
        starts_at, ends_at = form.utc_range()
        with refusals_shown_on(form):
            event = services.create_event(actor=current_user, starts_at=starts_at, ends_at=ends_at, **form.values())
            flash(_("Event saved as a draft. Publish it when it is ready."), "success")
            return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=None), 400 if form.errors else 200


@bp.route("/events/manage/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit_event(event_id):
    event = access.get_event_or_404(event_id, current_user, for_manage=True)
    form = EventForm(obj=event)
    _organization_choices(form)
    if request.method == "GET":
        form.region_code.data = event.region_code or ""
        form.fill_deadline(event.registration_deadline)
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.update_event(event, actor=current_user, now=timeutil.now(), **form.values())
            flash(_("Event saved."), "success")
            return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=event), 400 if form.errors else 200


@bp.route("/events/manage/<int:event_id>")
@login_required
def manage_event(event_id):
    event = access.get_event_or_404(event_id, current_user)
    manage = access.can_manage_event(current_user, event)
    return render_template("events/manage_event.html", event=event, manage=manage,
                           counts=queries.counts(event.id), action_form=ActionForm(),
                           session_form=EventSessionForm() if manage else None,
                           public_url=url_for("events.public_event", event_id=event.id, _external=True),
                           now=timeutil.now())


def _status_action(event_id, action, done_message):
    event = access.get_event_or_404(event_id, current_user, for_manage=True)
    if ActionForm().validate_on_submit():
        with refusals_flashed():
            action(event)
            flash(done_message, "success")
    return redirect(url_for("events.manage_event", event_id=event.id))


@bp.route("/events/manage/<int:event_id>/publish", methods=["POST"])
@login_required
def publish_event(event_id):
    return _status_action(event_id, lambda e: services.publish_event(e, actor=current_user, now=timeutil.now()),
                          _("Event published: registration is open."))


@bp.route("/events/manage/<int:event_id>/close", methods=["POST"])
@login_required
def close_event(event_id):
    return _status_action(event_id, lambda e: services.close_registration(e, actor=current_user),
                          _("Registration closed."))


@bp.route("/events/manage/<int:event_id>/reopen", methods=["POST"])
@login_required
def reopen_event(event_id):
    return _status_action(event_id, lambda e: services.reopen_registration(e, actor=current_user),
                          _("Registration reopened."))


@bp.route("/events/manage/<int:event_id>/sessions", methods=["POST"])
@login_required
def add_session(event_id):
    event = access.get_event_or_404(event_id, current_user, for_manage=True)
    form = EventSessionForm()
    if form.validate_on_submit():
        starts_at, ends_at = form.utc_range()
        with refusals_shown_on(form):
            services.add_session(event, actor=current_user, starts_at=starts_at, ends_at=ends_at, now=timeutil.now())
            flash(_("Session added."), "success")
            return redirect(url_for("events.manage_event", event_id=event.id))
    return render_template("events/manage_event.html", event=event, manage=True, counts=queries.counts(event.id),
                           action_form=ActionForm(), session_form=form, now=timeutil.now(),
                           public_url=url_for("events.public_event", event_id=event.id, _external=True)), 400


@bp.route("/events/manage/<int:event_id>/sessions/<int:event_session_id>/remove", methods=["POST"])
@login_required
def remove_session(event_id, event_session_id):
    event = access.get_event_or_404(event_id, current_user, for_manage=True)
    session = db.session.get(EventSession, event_session_id)
    if session is None or session.event_id != event.id:
        abort(404)
    if ActionForm().validate_on_submit():
        with refusals_flashed():
            services.remove_session(event, session, actor=current_user)
            flash(_("Session removed."), "success")
    return redirect(url_for("events.manage_event", event_id=event.id))

