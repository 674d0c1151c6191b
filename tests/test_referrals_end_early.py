"""A share ended before its date, by the receiving organization's managers or the sharer's: confirmed,
audited, closed as the worker closes it on its date, and the other side told through the outbox."""
from datetime import timedelta

from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.db import utcnow
from crm.extensions import db
from crm.referrals.models import ReferralEmail
from crm.referrals.services import today
from tests.conftest import csrf_token
from tests.referrals_helpers import enterprise, programme, refer, referral, signed_in

RECORDED = {"consent_method": "recorded", "consent_source": "Par téléphone avec la directrice"}


def _running_share(app, make):
    p = programme(app, make)
    chantier, hub = signed_in(app, p.chantier_manager), signed_in(app, p.hub_manager)
    with app.app_context():
        ends = today(utcnow()) + timedelta(days=30)
    assert refer(chantier, p, kind="share", share_ends_on=ends.isoformat(), **RECORDED).status_code == 302
    row = referral(app, enterprise_id=p.enterprise_id)
    path = f"/referrals/{row.id}"
    hub.post(f"{path}/accept", data={"accept-coach_id": p.hub_coach.id, "csrf_token": csrf_token(hub, path)})
    assert referral(app, id=row.id).status == "accepted"
    return p, row.id, chantier, hub


def _end(client, referral_id, **data):
    path = f"/referrals/{referral_id}"
    return client.post(f"{path}/end", data={"csrf_token": csrf_token(client, path), **data})


def _emails(app, referral_id, kind):
    with app.app_context():
        return set(db.session.scalars(select(ReferralEmail.user_id).where(
            ReferralEmail.referral_id == referral_id, ReferralEmail.kind == kind)))


def _audit(app, referral_id):
    with app.app_context():
        return db.session.execute(select(AuditEntry.action, AuditEntry.actor_id).where(
            AuditEntry.entity_type == "referrals", AuditEntry.entity_id == referral_id)
            .order_by(AuditEntry.id)).all()


def test_the_receiving_manager_ends_the_share_early_and_the_referrer_is_told(app, make):
    p, referral_id, chantier, hub = _running_share(app, make)
    page = hub.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "Mettre fin au partage" in page
    # Without the confirmation: refused with its error, nothing changes.
    refused = _end(hub, referral_id)
    assert refused.status_code == 400 and "Cochez la case pour confirmer." in refused.get_data(as_text=True)
    assert referral(app, id=referral_id).status == "accepted"
    assert _end(hub, referral_id, **{"end-confirm": "y"}).status_code == 302
    ended = referral(app, id=referral_id)
    assert ended.status == "ended" and ended.ended_at is not None
    back = enterprise(app, p.enterprise_id)
    assert (back.organization_id, back.coach_id) == (p.chantier.id, p.chantier_coach.id)
    assert _audit(app, referral_id)[-1] == ("referral_end_early", p.hub_manager.id)
    assert _emails(app, referral_id, "ended") == {p.chantier_manager.id}
    assert _emails(app, referral_id, "ended_early") == set()
    assert hub.get(f"/enterprises/{p.enterprise_id}").status_code == 404
    history = chantier.get(f"/enterprises/{p.enterprise_id}").get_data(as_text=True)
    assert "Partage terminé avant sa date" in history
    # Ended: no second ending; the form is gone.
    assert "Mettre fin au partage" not in chantier.get(f"/referrals/{referral_id}").get_data(as_text=True)
    again = _end(chantier, referral_id, **{"end-confirm": "y"})
    assert again.status_code == 400 and "pas un partage en cours" in again.get_data(as_text=True)


def test_the_sharer_manager_ends_it_and_the_receiving_side_is_told(app, make, runner, smtp_server):
    p, referral_id, chantier, hub = _running_share(app, make)
    # A coach of either side may not; a third organization does not see the referral.
    assert _end(signed_in(app, p.chantier_coach), referral_id, **{"end-confirm": "y"}).status_code == 403
    assert _end(signed_in(app, p.hub_coach), referral_id, **{"end-confirm": "y"}).status_code == 403
    assert _end(signed_in(app, p.third_manager), referral_id, **{"end-confirm": "y"}).status_code == 404
    assert referral(app, id=referral_id).status == "accepted"
    assert _end(chantier, referral_id, **{"end-confirm": "y"}).status_code == 302
    assert referral(app, id=referral_id).status == "ended"
    assert enterprise(app, p.enterprise_id).organization_id == p.chantier.id
    assert _emails(app, referral_id, "ended_early") == {p.hub_manager.id, p.hub_coach.id}
    assert _emails(app, referral_id, "ended") == set()
    runner.invoke(args=["reminders", "send"])
    (notice,) = [m for m in smtp_server.mailbox.to(p.hub_coach.email) if "avant la date" in m["Subject"]]
    assert notice["Subject"].startswith("Partage terminé avant la date : Coopérative du Marais")
    assert "avant la date prévue" in notice.get_content()
    # The worker on the former end date finds nothing more to close.
    from crm.referrals import integration
    with app.app_context():
        integration.run_round(me="test", now=utcnow() + timedelta(days=31))
    assert _audit(app, referral_id)[-1][0] == "referral_end_early"


def test_the_programme_office_ends_it_and_both_sides_are_told(app, make):
    p, referral_id, _chantier, _hub = _running_share(app, make)
    admin = make.user("admin", None)
    assert _end(signed_in(app, admin), referral_id, **{"end-confirm": "y"}).status_code == 302
    assert referral(app, id=referral_id).status == "ended"
    assert _audit(app, referral_id)[-1] == ("referral_end_early", admin.id)
    assert _emails(app, referral_id, "ended") == {p.chantier_manager.id}
    assert _emails(app, referral_id, "ended_early") == {p.hub_manager.id, p.hub_coach.id}
