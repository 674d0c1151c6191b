"""Counting referrals: the dashboard shows, per organization, the enterprises referred, received and
accepted (each enterprise once), and stage credit stays with the organization that did the work."""
import html
import re
from datetime import date

from crm.extensions import db
from crm.referrals import queries as referral_queries
from crm.reports import queries
from tests.conftest import csrf_token
from tests.referrals_helpers import programme, refer, referral, signed_in

RECORDED = {"consent_method": "recorded", "consent_source": "Par téléphone, le 2 décembre"}


def _figure(client, label: str) -> int:
    page = html.unescape(client.get("/reports/").get_data(as_text=True))
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>([\d\s\u202f]+)</dd>", page)
    assert match, label
    return int(re.sub(r"\D", "", match.group(1)))


def _by_organization(app, admin) -> dict:
    with app.app_context():
        report = queries.dashboard(queries.build_scope(db.session.merge(admin)), today=date(2030, 1, 1))
        return {row.label: row.figures.enterprises for row in report.organizations}, report.totals.enterprises


def _accept(app, hub, referral_id, coach_id):
    path = f"/referrals/{referral_id}"
    return hub.post(f"{path}/accept", data={"accept-coach_id": coach_id, "csrf_token": csrf_token(hub, path)})


def test_dashboard_counts_referrals_once_and_keeps_the_stage_credit(app, make):
    p = programme(app, make)
    admin = make.user("admin", make.organization(name="Bureau du programme"))
    chantier, hub = signed_in(app, p.chantier_manager), signed_in(app, p.hub_manager)
    sent, received = "Entreprises orientées vers une autre organisation", "Entreprises reçues d'une autre organisation"
    accepted = "Orientations reçues et acceptées"
    credit = "Entreprises amenées par l'organisation à la sensibilisation ou au-delà"
    assert _figure(chantier, credit) == 1 and _figure(chantier, sent) == 0

    # Referred, declined, referred again and accepted: one enterprise, counted once on each side.
    refer(chantier, p, **RECORDED)
    first = referral(app, enterprise_id=p.enterprise_id)
    path = f"/referrals/{first.id}"
    hub.post(f"{path}/decline", data={"decline-reason": "Pas ce mois-ci.", "csrf_token": csrf_token(hub, path)})
    refer(chantier, p, **RECORDED)
    second = referral(app, enterprise_id=p.enterprise_id, status="sent")
    assert _accept(app, hub, second.id, p.hub_coach.id).status_code == 302
    with app.app_context():
        rows = {row["name"]: (row["sent"], row["received"], row["accepted"])
                for row in referral_queries.figures_by_organization()}
    assert rows == {p.chantier.name: (1, 0, 0), p.hub.name: (0, 1, 1)}
    assert (_figure(chantier, sent), _figure(chantier, credit)) == (1, 1)
    assert (_figure(hub, received), _figure(hub, accepted), _figure(hub, credit)) == (1, 1, 0)
    # The referrals page shows the same figures.
    page = html.unescape(hub.get("/referrals").get_data(as_text=True))
    assert p.hub.name in page and "Orientations par organisation" in page

    # Programme-wide, the enterprise counts once, with the organization that took its latest step …
    organizations, total = _by_organization(app, admin)
    assert organizations.get(p.chantier.name) == 1 and p.hub.name not in organizations and total == 1
    # … until the hub moves it forward.
    coach = signed_in(app, p.hub_coach)
    page = f"/enterprises/{p.enterprise_id}"
    coach.post(f"{page}/stage", data={"stage-stage": "training", "csrf_token": csrf_token(coach, page)})
    organizations, total = _by_organization(app, admin)
    assert organizations.get(p.hub.name) == 1 and p.chantier.name not in organizations and total == 1
    assert (_figure(chantier, credit), _figure(hub, credit)) == (1, 1)
