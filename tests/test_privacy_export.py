"""Access and portability: one contact's information as JSON and CSV files, logged."""
import csv
import io
import json

import pytest
from sqlalchemy import select

from crm import signals
from crm.contacts.models import Contact
from crm.extensions import db
from crm.privacy.models import AccessLogEntry
from tests.conftest import post_form
from tests.privacy_helpers import contact_ids, count_queries, setup_people


@pytest.fixture
def world(app, client, auth, make):
    people, enterprise = setup_people(make)
    contact_id = contact_ids(app, enterprise)[0]
    with app.app_context():
        contact = db.session.get(Contact, contact_id)
        contact.first_name = "=HYPERLINK(\"http://evil.example\")"
        contact.title = "@SUM(A1)"
        contact.phone = "+1 514 555 0199"
        db.session.commit()
    auth.sign_in(people["admin"])
    page = f"/privacy/admin/contacts/{contact_id}"
    post_form(client, f"{page}/consent", {"purpose": "email_reminders", "decision": "withdraw",
                                          "source": "-retrait par téléphone"}, page=page)
    return people, enterprise, contact_id


def test_json_export_holds_profile_consents_and_history(app, client, world):
    people, enterprise, contact_id = world
    response = client.get(f"/privacy/admin/contacts/{contact_id}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="virage-contact-{contact_id}-')
    data = json.loads(response.data)
    sections = data["sections"]
    assert data["contact_id"] == contact_id
    assert sections["profile"][0]["phone"] == "+1 514 555 0199"
    assert sections["profile"][0]["enterprise"] == enterprise.name
    assert sections["profile"][0]["email_consent"] is False
    assert [(c["purpose"], c["granted"], c["source"]) for c in sections["consents"]] == [
        ("email_reminders", True, "Formulaire de contact"), ("email_reminders", False, "-retrait par téléphone")]
    assert [a["action"] for a in sections["audit"]][:1] == ["create"]
    assert "consent_withdrawn" in [a["action"] for a in sections["audit"]]
    with app.app_context():
        entry = db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "export_contact")).one()
        assert (entry.user_id, entry.subject_type, entry.subject_id, entry.details) == (
            people["admin"].id, "contacts", contact_id, {"format": "json"})


def test_csv_export_is_utf8_with_bom_and_neutralizes_formulas(client, world):
    _, _, contact_id = world
    response = client.get(f"/privacy/admin/contacts/{contact_id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].endswith('.csv"')
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["section", "record", "field", "value"]
    values = {(r[0], r[2]): r[3] for r in rows[1:] if r[1] == "1"}
    withdrawal = {r[2]: r[3] for r in rows[1:] if r[0] == "consents" and r[1] == "2"}
    assert values[("profile", "first_name")] == "'=HYPERLINK(\"http://evil.example\")"
    assert values[("profile", "title")] == "'@SUM(A1)"
    assert values[("profile", "phone")] == "'+1 514 555 0199"
    assert withdrawal["source"] == "'-retrait par téléphone"
    assert values[("profile", "enterprise_id")].isdigit()
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_features_add_their_sections(client, world):
    _, _, contact_id = world

    def section(contact, **_extra):
        return ("reminders_test", [{"contact": contact.id, "subject": "=cmd"}])

    signals.contact_export_sections.connect(section)
    try:
        data = json.loads(client.get(f"/privacy/admin/contacts/{contact_id}/export.json").data)
        assert data["sections"]["reminders_test"] == [{"contact": contact_id, "subject": "=cmd"}]
        text = client.get(f"/privacy/admin/contacts/{contact_id}/export.csv").data.decode("utf-8-sig")
        assert "reminders_test,1,subject,'=cmd" in text
    finally:
        signals.contact_export_sections.disconnect(section)


def test_export_and_contact_page_use_a_constant_number_of_queries(app, client, world):
    _, _, contact_id = world
    page = f"/privacy/admin/contacts/{contact_id}"

    def measure():
        counts = []
        for url in (page, f"{page}/export.json", f"{page}/export.csv"):
            with count_queries(app) as n:
                assert client.get(url).status_code == 200
            counts.append(n())
        return counts

    small = measure()
    for i in range(6):  # more history: consents and audit entries
        decision = "grant" if i % 2 == 0 else "withdraw"
        post_form(client, f"{page}/consent", {"purpose": "email_reminders", "decision": decision,
                                              "source": f"fois {i}"}, page=page)
    assert measure() == small
