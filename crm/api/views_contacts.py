"""An enterprise's contacts through the API, with their consent to emails. Every read of a contact
is written to the access log (Law 25), naming the token."""
from flask import abort, url_for
from spectree import Response

from crm import access, problems, signals
from crm.api import auth, bp
from crm.api.preconditions import check_if_match, refuse_nulls
from crm.api.schemas import Contact, ContactCreate, ContactList, ContactUpdate, Problem
from crm.api.spec import guarded_by, spec
from crm.contacts import queries, services
from crm.contacts.models import Contact as ContactRow
from crm.extensions import db
from crm.i18n import _

TAG = "Contacts"
ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem, "HTTP_429": Problem}


def etag(contact) -> str:
    return f'"c{contact.id}.{contact.version}"'


def _logged(contacts):
    for contact in contacts:
        signals.personal_information_accessed.send(
            auth.actor(), action="view_contact", subject_type="contacts", subject_id=contact.id,
            details={"via": "api", **auth.audit_context()})
    return contacts


def _editable_enterprise(enterprise_id: int):
    return access.get_enterprise_or_404(enterprise_id, auth.principal(), for_edit=True)


def _contact_or_404(contact_id: int, *, for_edit: bool = False):
    contact = db.session.get(ContactRow, contact_id)
    if contact is None or contact.anonymized_at is not None:
        abort(404)
    enterprise = access.get_enterprise_or_404(contact.enterprise_id, auth.principal(), for_edit=for_edit)
    if not access.can_see_shared_part(auth.principal(), enterprise, "contacts"):
        abort(403)
    return contact


@bp.get("/enterprises/<int:enterprise_id>/contacts")
@spec.validate(resp=Response(HTTP_200=ContactList, **ERRORS), tags=[TAG])
def list_contacts(enterprise_id: int):
    """An enterprise's contacts

    Its contacts (archived ones too, with ``archived_at``), with their consent to emails. Each one
    read is written to the access log.
    """
    enterprise = access.get_enterprise_or_404(enterprise_id, auth.principal())
    if not access.can_see_shared_part(auth.principal(), enterprise, "contacts"):
        abort(403)  # a share running without its contacts
    contacts = _logged(db.session.scalars(queries.enterprise_contacts(enterprise.id)).all())
    return ContactList(items=[Contact.model_validate(c) for c in contacts])


@bp.get("/contacts/<int:contact_id>")
@spec.validate(resp=Response(HTTP_200=Contact, **ERRORS), tags=[TAG])
def get_contact(contact_id: int):
    """One contact

    Written to the access log. The ETag carries its version, for If-Match.
    """
    contact = _logged([_contact_or_404(contact_id)])[0]
    return Contact.model_validate(contact), 200, {"ETag": etag(contact)}


@bp.post("/enterprises/<int:enterprise_id>/contacts")
@spec.validate(json=ContactCreate, resp=Response(HTTP_201=Contact, **ERRORS), tags=[TAG])
@guarded_by(_editable_enterprise)
def create_contact(enterprise_id: int, json: ContactCreate):
    """Add a contact

    With ``email_consent`` true, ``consent_source`` says how the person gave their consent (Law 25).
    """
    enterprise = _editable_enterprise(enterprise_id)
    if json.email_consent and not json.consent_source:
        _consent_source_required()
    contact = services.add_contact(enterprise, actor=auth.actor(), context=auth.audit_context(),
                                   **json.model_dump())
    return Contact.model_validate(contact), 201, {
        "ETag": etag(contact), "Location": url_for("api.get_contact", contact_id=contact.id)}


@bp.patch("/contacts/<int:contact_id>")
@spec.validate(json=ContactUpdate, resp=Response(HTTP_200=Contact, HTTP_412=Problem, HTTP_428=Problem, **ERRORS),
               tags=[TAG])
@guarded_by(lambda contact_id: _contact_or_404(contact_id, for_edit=True))
def update_contact(contact_id: int, json: ContactUpdate):
    """Change a contact

    Send the ETag you read in If-Match (428 without it, 412 when someone changed the contact since).
    Giving or withdrawing consent takes effect at once and records who, when and how.
    """
    contact = _contact_or_404(contact_id, for_edit=True)
    check_if_match(etag(contact), _("Someone else changed this contact since you read it. Read it again, then "
                                    "send your change with its new ETag."))
    values = json.model_dump(exclude_unset=True)
    refuse_nulls(values, ("first_name", "preferred_language", "email_consent"))
    if "last_name" in values:
        values["last_name"] = values["last_name"] or ""
    if values.get("email_consent") and not contact.email_consent and not values.get("consent_source"):
        _consent_source_required()
    services.update_contact(contact, actor=auth.actor(), expected_version=contact.version, **values)
    return Contact.model_validate(contact), 200, {"ETag": etag(contact)}


def _consent_source_required():
    abort(problems.problem(422, _("Some values were refused."), code="invalid-input", errors=[
        {"location": "body", "field": "consent_source", "message": _("Say how the person gave their consent.")}]))
