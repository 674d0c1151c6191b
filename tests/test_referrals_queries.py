"""The referral pages send as many SQL queries with many referrals as with one: nothing is loaded row by row."""
from sqlalchemy import select

from crm.auth.models import User
from crm.contacts.models import Contact
from crm.enterprises.models import Enterprise
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.organizations.models import Organization
from crm.referrals import services
from tests.cohorts_helpers import count_queries
from tests.referrals_helpers import programme, signed_in


def _referred_and_declined(app, p, *, times: int, new_enterprises: int = 0) -> int:
    """``times`` referrals, each declined, of the programme's enterprise and of ``new_enterprises``
    new ones of the Chantier; returns the first referral's id."""
    with app.app_context():
        hub = db.session.get(Organization, p.hub.id)
        actor, decider = db.session.get(User, p.chantier_manager.id), db.session.get(User, p.hub_manager.id)
        enterprises = [db.session.get(Enterprise, p.enterprise_id)]
        for n in range(new_enterprises):
            enterprise = create_enterprise(actor=actor, name=f"Coop Magog {n}", legal_form="obnl", region_code="05",
                                           city="Magog", organization_id=p.chantier.id)
            db.session.add(Contact(enterprise_id=enterprise.id, first_name="Léa", last_name=str(n)))
            enterprises.append(enterprise)
        db.session.flush()
        ids = []
        for enterprise in enterprises:
            contact = db.session.scalars(select(Contact).where(Contact.enterprise_id == enterprise.id)).first()
            for _ in range(times):
                referral = services.refer(enterprise, actor=actor, to_organization=hub, kind="move", purpose="Région",
                                          shared=["record"], contact=contact, consent_method="recorded",
                                          consent_source="Par téléphone")
                services.decline(referral, actor=decider, reason="Plus tard")
                ids.append(referral.id)
        db.session.commit()
        return ids[0]


def _count(app, client, path) -> int:
    with count_queries(app) as statements:
        assert client.get(path).status_code == 200, path
    return len(statements)


def test_referral_pages_send_a_constant_number_of_queries(app, make):
    p = programme(app, make)
    chantier, hub = signed_in(app, p.chantier_manager), signed_in(app, p.hub_manager)
    first = _referred_and_declined(app, p, times=1)
    paths = ["/referrals?box=outgoing", f"/referrals/{first}", f"/enterprises/{p.enterprise_id}"]
    before = {path: _count(app, chantier, path) for path in paths}
    hub_before = _count(app, hub, "/referrals?box=incoming")
    _referred_and_declined(app, p, times=3, new_enterprises=4)
    assert {path: _count(app, chantier, path) for path in paths} == before
    assert _count(app, hub, "/referrals?box=incoming") == hub_before
