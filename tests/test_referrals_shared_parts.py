"""While a share runs, what its referral did not share (contacts, history, diagnostics) stays with the
organization that owns the enterprise: the enterprise page's sections, the contacts routes and the
API ask ``access.can_see_shared_part``. The owner sees everything; once the share ends, the roles flip."""
from datetime import timedelta

import pytest

from crm.db import utcnow
from crm.referrals import integration
from crm.referrals.services import today
from tests.api_helpers import bearer, personal_token
from tests.conftest import csrf_token
from tests.referrals_helpers import enterprise, programme, refer, referral, signed_in

RECORDED = {"consent_method": "recorded", "consent_source": "Par téléphone avec la directrice"}
PARTS = ("contacts", "history", "diagnostics")
SECTIONS = {"contacts": 'id="contacts"', "history": 'id="timeline"', "diagnostics": 'id="diagnostics"'}


def _shown(client, enterprise_id) -> set[str]:
    page = client.get(f"/enterprises/{enterprise_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return {part for part, marker in SECTIONS.items() if marker in html}


def _found(client, words, enterprise_id) -> bool:
    page = client.get("/enterprises", query_string={"q": words})
    assert page.status_code == 200
    return f'href="/enterprises/{enterprise_id}"' in page.get_data(as_text=True)


def _api(app, user, enterprise_id, contact_id):
    client, headers = app.test_client(), bearer(personal_token(app, user))
    return (client.get(f"/api/v1/enterprises/{enterprise_id}/contacts", headers=headers).status_code,
            client.get(f"/api/v1/contacts/{contact_id}", headers=headers).status_code,
            client.get(f"/api/v1/enterprises/{enterprise_id}/activities", headers=headers).status_code)


@pytest.mark.parametrize("part", PARTS)
def test_only_what_the_share_shares_reaches_the_organization_that_does_not_own_it(app, make, part):
    p = programme(app, make)
    chantier, hub = signed_in(app, p.chantier_manager), signed_in(app, p.hub_manager)
    with app.app_context():
        ends = today(utcnow()) + timedelta(days=10)
    assert refer(chantier, p, kind="share", share_ends_on=ends.isoformat(), shared=["record", part],
                 **RECORDED).status_code == 302
    row = referral(app, enterprise_id=p.enterprise_id)
    path = f"/referrals/{row.id}"
    hub.post(f"{path}/accept", data={"accept-coach_id": p.hub_coach.id, "csrf_token": csrf_token(hub, path)})
    assert enterprise(app, p.enterprise_id).organization_id == p.hub.id
    with app.app_context():
        from crm.contacts.models import Contact
        from crm.extensions import db

        contact_id = db.session.scalar(db.select(Contact.id).where(Contact.enterprise_id == p.enterprise_id))
    # The hub owns it while the share runs: it sees everything; the Chantier, only what it shared.
    assert _shown(hub, p.enterprise_id) == set(PARTS)
    assert _shown(signed_in(app, p.hub_coach), p.enterprise_id) == set(PARTS)
    for sharer in (chantier, signed_in(app, p.chantier_coach)):
        assert _shown(sharer, p.enterprise_id) == {part}
    # Searching for the contact's name finds the enterprise only where its contacts are seen.
    with app.app_context():
        contact = db.session.get(Contact, contact_id)
        name, last_name = enterprise(app, p.enterprise_id).name, contact.last_name
    assert _found(hub, last_name, p.enterprise_id)
    assert _found(chantier, last_name, p.enterprise_id) == (part == "contacts")
    assert _found(chantier, name, p.enterprise_id)
    # The API says the same: the contacts (list and one), the timeline (history).
    allowed = {"contacts": (200, 200, 403), "history": (403, 403, 200), "diagnostics": (403, 403, 403)}[part]
    assert _api(app, p.chantier_coach, p.enterprise_id, contact_id) == allowed
    assert _api(app, p.hub_coach, p.enterprise_id, contact_id) == (200, 200, 200)
    # The contacts' pages stay the owner's: the sharer may not write there, whatever was shared.
    assert chantier.get(f"/enterprises/{p.enterprise_id}/contacts/new").status_code == 403
    assert chantier.get(f"/enterprises/{p.enterprise_id}/contacts/{contact_id}/edit").status_code == 403
    # The history of changes is for those who may change the record: the owner's.
    assert 'id="history"' in hub.get(f"/enterprises/{p.enterprise_id}").get_data(as_text=True)
    assert 'id="history"' not in chantier.get(f"/enterprises/{p.enterprise_id}").get_data(as_text=True)
    # The share ends: the Chantier owns it again and sees everything; the hub, nothing.
    with app.app_context():
        integration.run_round(me="test", now=utcnow() + timedelta(days=11))
    assert _shown(chantier, p.enterprise_id) == set(PARTS)
    assert _api(app, p.chantier_coach, p.enterprise_id, contact_id) == (200, 200, 200)
    assert hub.get(f"/enterprises/{p.enterprise_id}").status_code == 404
    assert _api(app, p.hub_coach, p.enterprise_id, contact_id) == (404, 404, 404)


def test_the_predicate_per_part_both_ways(app, make):
    """``can_see_shared_part`` itself: the owner's side always; the other side of a running share, what
    it shared; a third organization, nothing; the programme office, everything."""
    from crm import access
    from crm.auth.models import User
    from crm.enterprises.models import Enterprise
    from crm.extensions import db

    p = programme(app, make)
    chantier, hub = signed_in(app, p.chantier_manager), signed_in(app, p.hub_manager)
    with app.app_context():
        ends = today(utcnow()) + timedelta(days=10)
    refer(chantier, p, kind="share", share_ends_on=ends.isoformat(), shared=["record", "contacts"], **RECORDED)
    row = referral(app, enterprise_id=p.enterprise_id)
    path = f"/referrals/{row.id}"
    hub.post(f"{path}/accept", data={"accept-coach_id": p.hub_coach.id, "csrf_token": csrf_token(hub, path)})
    admin = make.user("admin", None)
    with app.app_context():
        row = db.session.get(Enterprise, p.enterprise_id)

        def sees(user):
            person = db.session.get(User, user.id)
            return {part for part in ("record", *PARTS) if access.can_see_shared_part(person, row, part)}

        assert sees(p.hub_manager) == {"record", *PARTS}
        assert sees(p.chantier_manager) == {"record", "contacts"}
        assert sees(p.third_manager) == set()
        assert sees(admin) == {"record", *PARTS}
        # Handed back to the Chantier during the share (the programme office may): the roles flip.
        row.organization_id = p.chantier.id
        db.session.flush()
        assert sees(p.chantier_manager) == {"record", *PARTS}
        assert sees(p.hub_manager) == {"record", "contacts"}
        db.session.rollback()
