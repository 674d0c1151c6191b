"""The issue's "done when", end to end through the real pages and the worker: the Chantier refers an
enterprise to the Estrie hub with the contact's consent asked by email; the contact accepts on the
public page; the hub accepts and assigns a coach; the follow-ups and future sessions follow; the
Chantier keeps its earlier stage credit; a third organization still gets 404."""
from sqlalchemy import select

from crm.cohorts.models import ProgrammeSession
from crm.contributions import ReportScope
from crm.enterprises.models import FollowUpTask, StageChange
from crm.extensions import db
from crm.privacy.models import AccessLogEntry
from crm.referrals import queries
from tests.conftest import csrf_token
from tests.referrals_helpers import CONSENT_LINK, enterprise, programme, refer, referral, signed_in, worker


def _credit(app, organization_id) -> int:
    with app.app_context():
        scope = ReportScope(select(db.literal(0)), organization_id=organization_id)
        return queries.stage_credit(scope)


def test_chantier_refers_to_the_estrie_hub_with_the_contact_s_consent(app, make, runner, smtp_server):
    p = programme(app, make)
    chantier = signed_in(app, p.chantier_manager)
    hub = signed_in(app, p.hub_manager)
    third = signed_in(app, p.third_manager)
    assert _credit(app, p.chantier.id) == 1 and _credit(app, p.hub.id) == 0

    # 1. The Chantier's manager refers the enterprise, asking the contact's consent by email.
    response = refer(chantier, p)
    assert response.status_code == 302, response.get_data(as_text=True)
    row = referral(app, enterprise_id=p.enterprise_id)
    assert (row.status, row.consent_status, row.to_organization_id) == ("consent_pending", "pending", p.hub.id)
    # Nothing is communicated to the hub before the consent: the referral does not exist for it.
    assert hub.get(f"/referrals/{row.id}").status_code == 404
    assert "Coopérative du Marais" not in hub.get("/referrals").get_data(as_text=True)

    # 2. The contact receives the request, in French, and accepts on the public page (no JavaScript:
    # a form with two buttons).
    worker(runner)
    (request,) = smtp_server.mailbox.to(p.contact_email)
    body = request.get_body(("plain",)).get_content()
    link = CONSENT_LINK.search(body)
    assert link and link.group(3) == "fr"
    person = app.test_client()
    page = person.get(link.group(1) + "?lang=fr")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'lang="fr"' in html and 'name="answer" value="given"' in html and "Coopérative du Marais" in html
    answered = person.post(link.group(1) + "?lang=fr",
                           data={"answer": "given", "csrf_token": csrf_token(person, link.group(1) + "?lang=fr")})
    assert answered.status_code == 302
    row = referral(app, enterprise_id=p.enterprise_id)
    assert (row.status, row.consent_status, row.consent_source) == ("sent", "given", "referral-email-link")
    # Law 25: the communication is in the access log.
    with app.app_context():
        logged = db.session.scalars(select(AccessLogEntry)
                                    .where(AccessLogEntry.action == "communicate_enterprise")).all()
        assert [(e.subject_id, e.details["to_organization_id"]) for e in logged] == [(p.enterprise_id, p.hub.id)]

    # 3. The hub's manager is told by email, sees the referral and accepts it, choosing a coach.
    worker(runner)
    assert len(smtp_server.mailbox.to(p.hub_manager.email)) == 1
    assert "Coopérative du Marais" in hub.get("/referrals").get_data(as_text=True)
    assert hub.get(f"/enterprises/{p.enterprise_id}").status_code == 404  # not before accepting
    path = f"/referrals/{row.id}"
    accepted = hub.post(f"{path}/accept", data={"accept-coach_id": p.hub_coach.id, "csrf_token": csrf_token(hub, path)})
    assert accepted.status_code == 302
    assert referral(app, id=row.id).status == "accepted"

    # 4. The enterprise, its open follow-up and its future session follow; its history stays readable.
    moved = enterprise(app, p.enterprise_id)
    assert (moved.organization_id, moved.coach_id) == (p.hub.id, p.hub_coach.id)
    with app.app_context():
        task = db.session.get(FollowUpTask, p.task_id)
        session = db.session.get(ProgrammeSession, p.session_id)
        assert task.assignee_id == p.hub_coach.id
        assert (session.organization_id, session.facilitator_id) == (p.hub.id, p.hub_coach.id)
        steps = db.session.execute(select(StageChange.to_stage, StageChange.organization_id)
                                   .where(StageChange.enterprise_id == p.enterprise_id)
                                   .order_by(StageChange.id)).all()
    assert [tuple(s) for s in steps] == [("identified", p.chantier.id), ("awareness", p.chantier.id)]
    coach = signed_in(app, p.hub_coach)
    page = coach.get(f"/enterprises/{p.enterprise_id}")
    assert page.status_code == 200 and "Sensibilisation" in page.get_data(as_text=True)

    # 5. The Chantier keeps its earlier stage credit; the hub's grows only with its own work.
    assert _credit(app, p.chantier.id) == 1 and _credit(app, p.hub.id) == 0
    coach.post(f"/enterprises/{p.enterprise_id}/stage",
               data={"stage-stage": "training", "csrf_token": csrf_token(coach, f"/enterprises/{p.enterprise_id}")})
    assert _credit(app, p.chantier.id) == 1 and _credit(app, p.hub.id) == 1
    with app.app_context():
        assert queries.figures_by_organization() == [
            {"organization_id": p.chantier.id, "name": p.chantier.name, "sent": 1, "received": 0, "accepted": 0},
            {"organization_id": p.hub.id, "name": p.hub.name, "sent": 0, "received": 1, "accepted": 1}]

    # 6. The Chantier (a move) and a third organization no longer see anything of it.
    assert chantier.get(f"/enterprises/{p.enterprise_id}").status_code == 404
    assert chantier.get(f"/referrals/{row.id}").status_code == 200  # its own referral, not the enterprise
    for path in (f"/enterprises/{p.enterprise_id}", f"/referrals/{row.id}", f"/enterprises/{p.enterprise_id}/refer"):
        assert third.get(path).status_code == 404, path
    for box in ("incoming", "outgoing"):
        assert "Coopérative du Marais" not in third.get(f"/referrals?box={box}").get_data(as_text=True)
    assert "Coopérative du Marais" in chantier.get("/referrals?box=outgoing").get_data(as_text=True)

    # 7. The Chantier's referrer is told it was accepted; the hub's coach that it is theirs.
    worker(runner)
    assert len(smtp_server.mailbox.to(p.chantier_manager.email)) == 1
    (assigned,) = smtp_server.mailbox.to(p.hub_coach.email)
    assert assigned["Subject"].startswith("Vous suivez maintenant Coopérative du Marais")
    assert f"/referrals/{row.id}" in assigned.get_body(("plain",)).get_content()
