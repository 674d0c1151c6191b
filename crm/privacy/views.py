"""Law 25 tools for the programme office: contacts' information, erasure, access log, incidents."""
from datetime import timedelta
from functools import wraps

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from crm import access, signals
from crm.access import can_administer_privacy
from crm.auth.models import User
from crm.contacts import queries as contact_queries
from crm.contacts import services as contact_services
from crm.contacts.models import PURPOSES, Contact
from crm.contributions import MenuItem
from crm.db import utcnow
from crm.domain import local_midnight
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.i18n import _, _l
from crm.privacy import export, services
from crm.privacy.forms import AccessLogFilterForm, AnonymizeForm, ConsentForm, ContactSearchForm, IncidentForm
from crm.privacy.models import AccessLogEntry, Incident
from crm.query_args import paginate
from crm.reference import choices
from crm.transaction import refusals_flashed, refusals_shown_on

bp = Blueprint("privacy", __name__, template_folder="templates", url_prefix="/privacy/admin")

PER_PAGE = 50


def privacy_admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not can_administer_privacy(current_user):
            abort(403)
        return view(*args, **kwargs)
    return login_required(wrapped)


def _contact_or_404(contact_id: int) -> Contact:
    contact = db.session.scalar(
        select(Contact).join(Contact.enterprise).options(contains_eager(Contact.enterprise))
        .where(Contact.id == contact_id))
    if contact is None:
        abort(404)
    return contact


@bp.route("/")
@privacy_admin_required
def index():
    form = ContactSearchForm(request.args)
    contacts = None
    if form.validate() and form.q.data and form.q.data.strip():
        term = form.q.data.strip().lower()
        query = (
            select(Contact).join(Contact.enterprise).options(contains_eager(Contact.enterprise))
            .where(or_(*(func.lower(column).contains(term, autoescape=True) for column in
                         (Contact.first_name, Contact.last_name, Contact.email, Enterprise.name))))
            .order_by(Contact.last_name, Contact.first_name, Contact.id)
        )
        contacts = paginate(query, per_page=PER_PAGE)
    return render_template("privacy/index.html", form=form, contacts=contacts)


@bp.route("/contacts/<int:contact_id>")
@privacy_admin_required
def contact(contact_id: int):
    contact = _contact_or_404(contact_id)
    events = db.session.scalars(contact_queries.consent_history(contact.id, newest_first=True)).all()
    services.record_access(current_user, "view_contact", subject_type="contacts", subject_id=contact.id)
    return render_template("privacy/contact.html", contact=contact, events=events,
                           consent_form=ConsentForm(), purposes=PURPOSES)


@bp.route("/contacts/<int:contact_id>/consent", methods=["POST"])
@privacy_admin_required
def record_consent(contact_id: int):
    contact = _contact_or_404(contact_id)
    form = ConsentForm()
    if form.validate_on_submit():
        change = contact_services.grant_consent if form.decision.data == "grant" else contact_services.withdraw_consent
        with refusals_flashed("error"):
            event = change(contact, form.purpose.data, source=form.source.data, actor=current_user)
            flash(_("Consent recorded.") if event else _("Nothing changed: this was already the case."),
                  "success" if event else "info")
        return redirect(url_for(".contact", contact_id=contact_id))
    events = db.session.scalars(contact_queries.consent_history(contact.id, newest_first=True)).all()
    return render_template("privacy/contact.html", contact=contact, events=events,
                           consent_form=form, purposes=PURPOSES), 400


@bp.route("/contacts/<int:contact_id>/export.<fmt>")
@privacy_admin_required
def export_contact(contact_id: int, fmt: str):
    if fmt not in ("json", "csv"):
        abort(404)
    contact = _contact_or_404(contact_id)
    data = export.build_contact_export(contact)
    services.record_access(current_user, "export_contact", subject_type="contacts",
                           subject_id=contact.id, details={"format": fmt})
    filename = f"virage-contact-{contact.id}-{utcnow():%Y%m%d}.{fmt}"
    body, mimetype = ((export.to_json(data), "application/json") if fmt == "json"
                      else (export.to_csv(data), "text/csv; charset=utf-8"))
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


@bp.route("/contacts/<int:contact_id>/anonymize", methods=["GET", "POST"])
@privacy_admin_required
def anonymize(contact_id: int):
    contact = _contact_or_404(contact_id)
    form = AnonymizeForm()
    if contact.anonymized_at is None and form.validate_on_submit():
        with refusals_flashed("error"):
            services.anonymize_contact(contact, actor=current_user)
            flash(_("The contact was anonymized. The enterprise's statistics are unchanged."), "success")
        return redirect(url_for(".contact", contact_id=contact_id))
    status = 400 if form.errors else 200
    return render_template("privacy/anonymize.html", contact=contact, form=form), status


@bp.route("/access-log")
@privacy_admin_required
def access_log():
    form = AccessLogFilterForm(request.args)
    users = db.session.execute(select(User.id, User.full_name).order_by(User.full_name, User.id)).all()
    form.user.choices = choices({"": _("Everyone"), **{str(uid): name for uid, name in users}})
    query = select(AccessLogEntry).order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
    valid = form.validate()
    if valid:
        if form.user.data:
            query = query.where(AccessLogEntry.user_id == int(form.user.data))
        if form.action.data:
            query = query.where(AccessLogEntry.action == form.action.data)
        if form.start.data:
            query = query.where(AccessLogEntry.at >= local_midnight(form.start.data))
        if form.end.data:
            query = query.where(AccessLogEntry.at < local_midnight(form.end.data + timedelta(days=1)))
    entries = paginate(query, per_page=PER_PAGE)
    return render_template("privacy/access_log.html", form=form, entries=entries,
                           actions=services.ACCESS_ACTIONS), 200 if valid else 400


@bp.route("/incidents")
@privacy_admin_required
def incidents():
    page = paginate(select(Incident).order_by(Incident.discovered_on.desc(), Incident.id.desc()), per_page=PER_PAGE)
    return render_template("privacy/incidents.html", incidents=page)


@bp.route("/incidents/new", methods=["GET", "POST"])
@privacy_admin_required
def new_incident():
    form = IncidentForm()
    if form.validate_on_submit():
        incident = services.create_incident(actor=current_user, **form.values())
        _flash_notification_duty(incident)
        flash(_("Incident recorded in the register."), "success")
        return redirect(url_for(".incidents"))
    return render_template("privacy/incident_form.html", form=form, incident=None), 400 if form.errors else 200


@bp.route("/incidents/<int:incident_id>", methods=["GET", "POST"])
@privacy_admin_required
def edit_incident(incident_id: int):
    incident = db.get_or_404(Incident, incident_id)
    form = IncidentForm(data=_incident_data(incident))
    if form.validate_on_submit():
        try:
            version = int(form.version.data)
        except (TypeError, ValueError):
            version = -1
        with refusals_shown_on(form):
            services.update_incident(incident, actor=current_user, version=version, **form.values())
            _flash_notification_duty(incident)
            flash(_("Incident updated."), "success")
            return redirect(url_for(".incidents"))
        return render_template("privacy/incident_form.html", form=form, incident=incident), 409
    return render_template("privacy/incident_form.html", form=form, incident=incident), 400 if form.errors else 200


def _incident_data(incident: Incident) -> dict:
    data = {name: getattr(incident, name) for name in services.INCIDENT_FIELDS}
    data["serious_injury_risk"] = "yes" if incident.serious_injury_risk else "no"
    data["version"] = incident.version
    return data


def _flash_notification_duty(incident: Incident) -> None:
    if incident.serious_injury_risk and not (incident.commission_notified_on and incident.people_notified_on):
        flash(_("A risk of serious injury must be notified promptly to the Commission d'accès à "
                "l'information and to the people concerned."), "warning")


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return MenuItem("privacy.index", _l("Privacy"), 90, access.can_administer_privacy, group="admin")
