"""Routes of reminders: a session's reminders (and resend), the programme-wide list, the opt-out link."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import ValidationError

from crm import access, signals
from crm.access import (
    can_choose_organization,
    can_list_reminders,
    can_manage_session,
    can_see_session_reminders,
    get_reminder_or_404,
    get_session_or_404,
    visible_reminders,
)
from crm.contacts.models import Contact
from crm.contributions import MenuItem
from crm.extensions import csrf, db
from crm.i18n import _, _l, force_locale
from crm.organizations.models import Organization
from crm.query_args import paginate
from crm.reminders import cli, history, queries, services
from crm.reminders.content import contact_id_from_token
from crm.reminders.forms import KIND_LABELS, STATE_LABELS, FilterForm, OffsetsForm, OptOutForm, ResendForm
from crm.reminders.models import SessionReminderOffsets
from crm.transaction import refusals_flashed, refusals_shown_on

bp = Blueprint("reminders", __name__, template_folder="templates", cli_group="reminders")
cli.register(bp)


PER_PAGE = 50


@bp.app_template_global()
def reminders_panel(session):
    """What ``reminders/_session_reminders.html`` shows, or None when the user may not see it."""
    if not current_user.is_authenticated or not can_see_session_reminders(current_user, session):
        return None
    return {"rows": queries.session_reminders(session.id), "resend_form": ResendForm(),
            "states": STATE_LABELS, "kinds": KIND_LABELS}


bp.add_app_template_filter(history.offset_text, "reminder_offset")
bp.add_app_template_filter(history.error_text, "reminder_error")


@bp.route("/sessions/<int:session_id>/reminders", methods=["GET", "POST"])
@login_required
def session_reminders(session_id):
    session = get_session_or_404(session_id, current_user)
    if not can_see_session_reminders(current_user, session):
        abort(403)
    manage = can_manage_session(current_user, session)
    override = db.session.get(SessionReminderOffsets, session.id)
    form = OffsetsForm(offsets=override.offsets if override else "")
    if request.method == "POST":
        if not manage:
            abort(403)
        if form.validate_on_submit():
            with refusals_shown_on(form):
                services.set_session_offsets(session, form.offsets.data, actor=current_user)
                flash(_("Reminder schedule saved."), "success")
                return redirect(url_for("reminders.session_reminders", session_id=session.id))
    return render_template("reminders/session.html", programme_session=session, form=form, manage=manage,
                           override=override), 400 if form.errors else 200


@bp.route("/reminders/<int:reminder_id>/resend", methods=["POST"])
@login_required
def resend(reminder_id):
    reminder = get_reminder_or_404(reminder_id, current_user)
    form = ResendForm()
    if not form.validate_on_submit():
        abort(400)
    with refusals_flashed("error"):
        services.resend(reminder, actor=current_user)
        flash(_("The reminder will be sent again within a few minutes."), "success")
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("reminders.session_reminders", session_id=reminder.session_id)
    return redirect(target)


@bp.route("/reminders")
@login_required
def reminders_list():
    if not can_list_reminders(current_user):
        abort(403)
    choose_organization = can_choose_organization(current_user)
    organizations = (db.session.scalars(select(Organization).order_by(Organization.name)).all()
                     if choose_organization else [])
    args = request.args if request.args else MultiDict({"state": "failed"})  # the page opens on failures
    form = FilterForm(args, organizations=organizations)
    if not form.validate():
        return render_template("reminders/list.html", form=form, page=None,
                               choose_organization=choose_organization), 400
    organization_id = int(form.organization_id.data) if choose_organization and form.organization_id.data else None
    query = queries.reminders_list(visible_reminders(current_user), state=form.state.data or None,
                                   kind=form.kind.data or None, organization_id=organization_id)
    page = paginate(query, per_page=PER_PAGE)
    return render_template("reminders/list.html", form=form, page=page, states=STATE_LABELS, kinds=KIND_LABELS,
                           choose_organization=choose_organization,
                           resend_form=ResendForm())


# Public: the link in every reminder to a contact. The signed token is the only credential, so the
# route is exempt from CSRF on purpose: RFC 8058 one-click unsubscribe has mail providers POST
# "List-Unsubscribe=One-Click" from their servers, with no session and no CSRF token. A forged
# cross-site POST could only do what the token's holder can do already: opt that contact out.
# The confirmation form still carries a CSRF token, checked when it is the form that posts.
@bp.route("/r/optout/<token>", methods=["GET", "POST"])
@csrf.exempt
def optout(token):
    contact_id = contact_id_from_token(token)
    contact = db.session.get(Contact, contact_id) if contact_id is not None else None
    if contact is None or contact.anonymized_at is not None:
        abort(404)
    language = contact.preferred_language if contact.preferred_language in ("fr", "en") else "fr"
    one_click = request.method == "POST" and request.form.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST" and not one_click:
        try:
            validate_csrf(request.form.get("csrf_token"))
        except (ValidationError, CSRFError):
            abort(400)
    done = False
    if request.method == "POST":
        services.opt_out(contact, one_click=one_click)
        done = True
    with force_locale(language):
        return render_template("reminders/optout.html", token=token, done=done, form=OptOutForm(),
                               masked=_mask(contact.email), language=language,
                               already=not contact.email_consent and not done)


def _mask(email: str | None) -> str:
    """m•••@coop.example: enough to recognize one's address, not to harvest it."""
    if not email or "@" not in email:
        return ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}•••@{domain}"


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return MenuItem("reminders.reminders_list", _l("Reminders"), 40, access.can_list_reminders, group="programme")
