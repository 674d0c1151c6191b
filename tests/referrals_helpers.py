"""Shared set-up of the referral tests: the Chantier, the Estrie hub and a third organization, an
enterprise of the Chantier with its open work, the referral form filled as a person would."""
import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from crm.auth.models import User
from crm.cohorts import services as cohort_services
from crm.cohorts import timeutil
from crm.enterprises import timeline
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.referrals.models import Referral
from tests.conftest import Auth, csrf_token

CONSENT_LINK = re.compile(r"http://127\.0\.0\.1:5000(/referrals/consent/[^\s?]+)(\?lang=(\w+))?")


@dataclass
class Programme:
    chantier: object
    hub: object
    third: object
    chantier_manager: object
    chantier_coach: object
    hub_manager: object
    hub_coach: object
    third_manager: object
    enterprise_id: int
    contact_email: str
    task_id: int
    session_id: int


def programme(app, make, *, language="fr") -> Programme:
    chantier = make.organization(name="Chantier de l'économie sociale", code="chantier")
    hub = make.organization(name="Réseau des entreprises d'économie sociale de l'Estrie", code="estrie",
                            kind="regional")
    third = make.organization(name="Pôle de l'Outaouais", code="outaouais", kind="regional")
    chantier_coach = make.user("coach", chantier, full_name="Camille Chantier")
    people = {
        "chantier_manager": make.user("manager", chantier, full_name="Gestion Chantier"),
        "hub_manager": make.user("manager", hub, full_name="Gestion Estrie", locale="fr"),
        "hub_coach": make.user("coach", hub, full_name="Conseil Estrie"),
        "third_manager": make.user("manager", third, full_name="Gestion Outaouais"),
    }
    enterprise = make.enterprise(chantier, coach=chantier_coach, actor=chantier_coach, stage="awareness", contacts=1,
                                 name="Coopérative du Marais")
    with app.app_context():
        row = db.session.get(Enterprise, enterprise.id)
        contact = row.contacts[0]
        contact.preferred_language = language
        coach = db.session.get(User, chantier_coach.id)
        task = timeline.add_task(row, actor=coach, title="Rappeler la directrice", due_on=date(2030, 1, 5),
                                 assignee=coach)
        starts = timeutil.now().replace(microsecond=0) + timedelta(days=20)
        session = cohort_services.create_session(actor=coach, enterprise=row, starts_at=starts,
                                                 ends_at=starts + timedelta(hours=2), title="Accompagnement",
                                                 mode="virtual", facilitator_id=coach.id)
        db.session.commit()
        ids = (task.id, session.id, contact.email)
    return Programme(chantier, hub, third, people["chantier_manager"], chantier_coach, people["hub_manager"],
                     people["hub_coach"], people["third_manager"], enterprise.id, ids[2], ids[0], ids[1])


def signed_in(app, user):
    client = app.test_client()
    Auth(client).sign_in(user)
    return client


def refer(client, p: Programme, **fields):
    """The referral form, as a browser sends it."""
    path = f"/enterprises/{p.enterprise_id}/refer"
    page = client.get(path).get_data(as_text=True)
    contact = re.search(r'name="contact_id"[^>]*>\s*<option (?:selected )?value="(\d+)"', page)
    data = {"to_organization_id": p.hub.id, "kind": "move", "purpose": "Accompagnement individuel en Estrie",
            "message": "Elle est prête à commencer.", "shared": ["record", "contacts", "history"],
            "contact_id": contact.group(1) if contact else "", "consent_method": "email", "consent_source": "",
            "share_ends_on": "", "csrf_token": csrf_token(client, path)}
    data.update(fields)
    return client.post(path, data=data)


def worker(runner) -> None:
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output


def referral(app, **where) -> Referral:
    with app.app_context():
        row = db.session.scalars(select(Referral).filter_by(**where).order_by(Referral.id.desc())).first()
        db.session.expunge(row)
        return row


def enterprise(app, enterprise_id) -> Enterprise:
    with app.app_context():
        row = db.session.get(Enterprise, enterprise_id)
        db.session.expunge(row)
        return row
