"""A contact's form (add, edit) and archiving, reached from the enterprise page; and the contacts
section of that page (an answer to ``signals.enterprise_sections``)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from crm import access, signals
from crm.contacts import bp, queries, services
from crm.contacts.forms import ConfirmForm, ContactForm
from crm.contacts.models import Contact
from crm.contributions import Section
from crm.extensions import db
from crm.i18n import _, _l
from crm.transaction import refusals_flashed, refusals_shown_on


def _back(enterprise):
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id) + "#contacts")


def _get_contact(enterprise, contact_id) -> Contact:
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.enterprise_id != enterprise.id or contact.anonymized_at:
        abort(404)
    return contact


def _save(enterprise, form, contact=None):
    """The redirect once saved; else None and the status to show the form again with."""
    with refusals_shown_on(form):
        try:
            if contact is None:
                services.add_contact(enterprise, actor=current_user, **form.values())
            else:
                services.update_contact(contact, actor=current_user, expected_version=form.expected_version(),
                                        **form.values())
        except services.StaleContact as stale:
            db.session.rollback()
            form.form_errors.append(str(stale.message))
            form.version.data = str(contact.version)
            return None, 409
        flash(_("Contact saved."), "success")
        return _back(enterprise), 200
    return None, 400


def _form_page(enterprise, contact=None):
    form = ContactForm(obj=contact)
    status = 200
    if form.validate_on_submit():
        response, status = _save(enterprise, form, contact)
        if response is not None:
            return response
    elif request.method == "GET" and contact is not None:
        form.version.data = str(contact.version)
    if status == 200 and form.errors:
        status = 400
    return render_template("contacts/form.html", form=form, enterprise=enterprise, contact=contact), status


@bp.route("/enterprises/<int:enterprise_id>/contacts/new", methods=["GET", "POST"])
@login_required
def new(enterprise_id):
    return _form_page(access.get_enterprise_or_404(enterprise_id, current_user, for_edit=True))


@bp.route("/enterprises/<int:enterprise_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@login_required
def edit(enterprise_id, contact_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_edit=True)
    return _form_page(enterprise, _get_contact(enterprise, contact_id))


@bp.route("/enterprises/<int:enterprise_id>/contacts/<int:contact_id>/archive", methods=["POST"])
@login_required
def archive(enterprise_id, contact_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_edit=True)
    contact = _get_contact(enterprise, contact_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with refusals_flashed():
        services.archive_contact(contact, actor=current_user)
        flash(_("Contact archived."), "success")
    return _back(enterprise)


# Right after the enterprise's profile (below crm.contributions.BESIDE_PROFILE).
SECTION_ORDER = 10


@signals.enterprise_sections.connect
def enterprise_section(enterprise, *, user, **_extra):
    if not access.can_see_shared_part(user, enterprise, "contacts"):
        return None
    contacts = db.session.scalars(queries.enterprise_contacts(enterprise.id)).all()
    return Section("contacts/_enterprise_section.html", {
        "contacts": [c for c in contacts if c.archived_at is None],
        "archived": sum(1 for c in contacts if c.archived_at is not None),
        "can_edit": access.can_edit_enterprise(user, enterprise),
        "confirm_form": ConfirmForm(),
    }, order=SECTION_ORDER, anchor="contacts", label=_l("Contacts"))
