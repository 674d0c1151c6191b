"""Referrals that do not end in a move: declined by the hub, refused by the contact, expired without
an answer, and a share for a period that the worker closes on its end date; bad input changes nothing."""
from datetime import timedelta

from sqlalchemy import func, select

from crm.db import utcnow
from crm.enterprises.models import StageChange
from crm.extensions import db
from crm.referrals import integration
from crm.referrals.models import Referral
from crm.referrals.services import today
from crm.reports.models import OrganizationVersion
from tests.api_helpers import bearer, personal_token
from tests.conftest import csrf_token
from tests.referrals_helpers import CONSENT_LINK, enterprise, programme, refer, referral, signed_in, worker

RECORDED = {"consent_method": "recorded", "consent_source": "Par téléphone avec la directrice, le 2 décembre"}


def _version(app, organization_id) -> int:
    with app.app_context():
        return db.session.scalar(select(OrganizationVersion.version)
                                 .where(OrganizationVersion.organization_id == organization_id)) or 0


def _referrals(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Referral.id)))


def test_the_hub_declines_with_a_reason_and_the_enterprise_stays(app, make, runner, smtp_server):
    p = programme(app, make)
    chantier, hub = signed_in(app, p.chantier_manager), signed_in(app, p.hub_manager)
    assert refer(chantier, p, **RECORDED).status_code == 302
    row = referral(app, enterprise_id=p.enterprise_id)
    assert (row.status, row.consent_status) == ("sent", "given")  # recorded consent: straight to the hub
    path = f"/referrals/{row.id}"
    # A decline without a reason is refused, translated, and changes nothing.
    empty = hub.post(f"{path}/decline", data={"decline-reason": " ", "csrf_token": csrf_token(hub, path)})
    assert empty.status_code == 400 and "Ce champ est requis" in empty.get_data(as_text=True)
    assert referral(app, id=row.id).status == "sent"
    # The Chantier's manager sees the referral but may not decide it.
    assert chantier.post(f"{path}/decline", data={"decline-reason": "x", "csrf_token": csrf_token(chantier, path)}
                         ).status_code == 403
    declined = hub.post(f"{path}/decline", data={"decline-reason": "Aucune place avant l'été.",
                                                 "csrf_token": csrf_token(hub, path)})
    assert declined.status_code == 302
    row = referral(app, id=row.id)
    assert (row.status, row.decline_reason) == ("declined", "Aucune place avant l'été.")
    assert enterprise(app, p.enterprise_id).organization_id == p.chantier.id
    # Accepting afterwards is refused with a message, never a 500.
    late = hub.post(f"{path}/accept", data={"accept-coach_id": p.hub_coach.id, "csrf_token": csrf_token(hub, path)})
    assert late.status_code in (400, 403)
    assert enterprise(app, p.enterprise_id).organization_id == p.chantier.id
    worker(runner)
    (notice,) = smtp_server.mailbox.to(p.chantier_manager.email)
    assert "Aucune place avant l'été." in notice.get_body(("plain",)).get_content()
    # A new referral may follow a closed one, but not a second one while it is under way.
    refer_button = f'href="/enterprises/{p.enterprise_id}/refer"'
    assert refer_button in chantier.get(f"/enterprises/{p.enterprise_id}").get_data(as_text=True)
    assert refer(chantier, p, **RECORDED).status_code == 302 and _referrals(app) == 2
    assert refer_button not in chantier.get(f"/enterprises/{p.enterprise_id}").get_data(as_text=True)
    again = refer(chantier, p, **RECORDED)
    assert again.status_code == 400 and "déjà une orientation en cours" in again.get_data(as_text=True)
    assert _referrals(app) == 2


def test_the_contact_refuses_in_english_and_nothing_reaches_the_hub(app, make, runner, smtp_server):
    p = programme(app, make, language="en")
    chantier, hub = signed_in(app, p.chantier_manager), signed_in(app, p.hub_manager)
    refer(chantier, p)
    worker(runner)
    (request,) = smtp_server.mailbox.to(p.contact_email)
    link = CONSENT_LINK.search(request.get_body(("plain",)).get_content())
    assert link.group(3) == "en" and "Hello" in request.get_body(("plain",)).get_content()
    person = app.test_client()
    page = person.get(link.group(1))
    assert 'lang="en"' in page.get_data(as_text=True)
    assert person.post(link.group(1), data={"answer": "refused", "csrf_token": csrf_token(person, link.group(1))}
                       ).status_code == 302
    row = referral(app, enterprise_id=p.enterprise_id)
    assert (row.status, row.consent_status) == ("declined", "refused")
    assert "nothing was communicated" in person.get(link.group(1)).get_data(as_text=True)
    # Answering twice changes nothing; the hub never sees the referral; the referrer is told.
    person.post(link.group(1), data={"answer": "given", "csrf_token": csrf_token(person, link.group(1))})
    assert referral(app, id=row.id).consent_status == "refused"
    assert hub.get(f"/referrals/{row.id}").status_code == 404
    worker(runner)
    assert smtp_server.mailbox.to(p.hub_manager.email) == []
    assert len(smtp_server.mailbox.to(p.chantier_manager.email)) == 1


def test_a_forged_or_missing_answer_is_refused(app, make):
    p = programme(app, make)
    refer(signed_in(app, p.chantier_manager), p)
    client = app.test_client()
    assert client.get("/referrals/consent/not-a-token").status_code == 404
    with app.app_context():
        from crm.referrals.tokens import consent_token

        path = "/referrals/consent/" + consent_token(referral(app, enterprise_id=p.enterprise_id).id)
    response = client.post(path, data={"answer": "maybe", "csrf_token": csrf_token(client, path)})
    assert response.status_code == 400
    assert referral(app, enterprise_id=p.enterprise_id).consent_status == "pending"


def test_unanswered_referrals_expire(app, make, runner, smtp_server):
    p = programme(app, make)
    refer(signed_in(app, p.chantier_manager), p)
    row = referral(app, enterprise_id=p.enterprise_id)
    with app.app_context():
        integration.run_round(me="test", now=utcnow() + timedelta(days=29))
    assert referral(app, id=row.id).status == "consent_pending"
    with app.app_context():
        integration.run_round(me="test", now=utcnow() + timedelta(days=31))
    assert referral(app, id=row.id).status == "expired"
    assert enterprise(app, p.enterprise_id).organization_id == p.chantier.id
    subjects = [m["Subject"] for m in smtp_server.mailbox.to(p.chantier_manager.email)]
    assert len(subjects) == 1 and "expiré" in subjects[0]


def test_a_share_for_a_period_is_read_only_for_the_sharer_and_ends_on_its_date(app, make, runner):
    p = programme(app, make)
    chantier, hub = signed_in(app, p.chantier_manager), signed_in(app, p.hub_manager)
    chantier_coach, third = signed_in(app, p.chantier_coach), signed_in(app, p.third_manager)
    with app.app_context():
        ends = today(utcnow()) + timedelta(days=10)
    # A share needs an end date after today: refused with its error, nothing recorded.
    missing = refer(chantier, p, kind="share", **RECORDED)
    assert missing.status_code == 400 and _referrals(app) == 0
    assert refer(chantier, p, kind="share", share_ends_on=ends.isoformat(), **RECORDED).status_code == 302
    row = referral(app, enterprise_id=p.enterprise_id)
    path = f"/referrals/{row.id}"
    hub.post(f"{path}/accept", data={"accept-coach_id": p.hub_coach.id, "csrf_token": csrf_token(hub, path)})
    assert referral(app, id=row.id).status == "accepted"
    assert enterprise(app, p.enterprise_id).organization_id == p.hub.id
    with app.app_context():
        from crm.formatting import date_filter

        with app.test_request_context():
            shown = date_filter(ends)
    for client, box in ((chantier, "outgoing"), (hub, "incoming")):
        listed = client.get(f"/referrals?box={box}").get_data(as_text=True)
        assert "Partage" in listed and shown in listed
        assert shown in client.get(f"/enterprises/{p.enterprise_id}").get_data(as_text=True)
    # Both see it; the sharer read-only; the third organization nothing.
    page = f"/enterprises/{p.enterprise_id}"
    assert chantier_coach.get(page).status_code == 200
    assert "Coopérative du Marais" in chantier.get("/enterprises").get_data(as_text=True)
    stage = {"stage-stage": "training", "csrf_token": csrf_token(chantier_coach, page)}
    assert chantier_coach.post(f"{page}/stage", data=stage).status_code == 403
    assert hub.get(page).status_code == 200
    assert third.get(page).status_code == 404
    assert "Coopérative du Marais" not in third.get("/enterprises").get_data(as_text=True)
    # The API follows the same rules: the sharer reads, may not write; the third organization sees nothing.
    api = app.test_client()
    base = f"/api/v1/enterprises/{p.enterprise_id}"
    sharer_token = bearer(personal_token(app, p.chantier_coach))
    assert api.get(base, headers=sharer_token).status_code == 200
    assert p.enterprise_id in [e["id"] for e in api.get("/api/v1/enterprises", headers=sharer_token).json["items"]]
    assert api.post(f"{base}/stage-changes", headers=sharer_token, json={"stage": "training"}).status_code == 403
    assert api.get(base, headers=bearer(personal_token(app, p.third_manager))).status_code == 404
    # The hub's work shows at once in the sharer's cached lists and counts: its version moves too.
    before = _version(app, p.chantier.id)
    hub_coach = signed_in(app, p.hub_coach)
    hub_coach.post(f"{page}/stage", data={"stage-stage": "training", "csrf_token": csrf_token(hub_coach, page)})
    assert enterprise(app, p.enterprise_id).stage == "training"
    assert _version(app, p.chantier.id) > before
    # The worker leaves it until its date, then gives it back with its coach of before.
    with app.app_context():
        integration.run_round(me="test", now=utcnow() + timedelta(days=5))
    assert referral(app, id=row.id).status == "accepted"
    with app.app_context():
        integration.run_round(me="test", now=utcnow() + timedelta(days=11))
    assert referral(app, id=row.id).status == "ended"
    back = enterprise(app, p.enterprise_id)
    assert (back.organization_id, back.coach_id) == (p.chantier.id, p.chantier_coach.id)
    assert hub.get(page).status_code == 404
    # Back with the Chantier, its coach works on it again; the hub's step stays credited to the hub.
    stage = {"stage-stage": "coaching_individual", "csrf_token": csrf_token(chantier_coach, page)}
    assert chantier_coach.post(f"{page}/stage", data=stage).status_code == 302
    with app.app_context():
        steps = db.session.execute(select(StageChange.to_stage, StageChange.organization_id)
                                   .where(StageChange.enterprise_id == p.enterprise_id).order_by(StageChange.id)).all()
    assert [tuple(step) for step in steps][-2:] == [("training", p.hub.id), ("coaching_individual", p.chantier.id)]


def test_bad_referral_input_is_refused_and_changes_nothing(app, make):
    p = programme(app, make)
    chantier = signed_in(app, p.chantier_manager)
    for fields in ({"purpose": ""}, {"shared": ["contacts"]}, {"to_organization_id": "999999"},
                   {"consent_method": "recorded", "consent_source": ""}, {"kind": "teleport"},
                   {"share_ends_on": "2020-13-45", "kind": "share"}, {"contact_id": "999999"}):
        response = refer(chantier, p, **fields)
        assert response.status_code == 400, fields
    assert _referrals(app) == 0
    # A coach of the owner who does not follow the enterprise may not refer it.
    other_coach = make.user("coach", p.chantier)
    assert signed_in(app, other_coach).get(f"/enterprises/{p.enterprise_id}/refer").status_code == 403


def test_erasing_the_contact_erases_how_they_answered(app, make):
    from crm.audit.models import AuditEntry
    from crm.contacts.models import Contact
    from crm.privacy import services as privacy_services

    p = programme(app, make)
    refer(signed_in(app, p.chantier_manager), p, **RECORDED)
    row = referral(app, enterprise_id=p.enterprise_id)
    with app.app_context():
        privacy_services.anonymize_contact(db.session.get(Contact, row.contact_id), actor=None)
        db.session.commit()
        contexts = db.session.scalars(select(AuditEntry.context).where(AuditEntry.entity_type == "referrals",
                                                                      AuditEntry.action == "referral_consent")).all()
    after = referral(app, id=row.id)
    assert (after.consent_status, after.consent_source) == ("given", "[anonymized]")
    assert contexts == [{"source": "[anonymized]"}]
