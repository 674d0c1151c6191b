"""The demo's referrals (``flask crm seed-demo``): the Chantier refers two enterprises to the Estrie
hub, one waiting for the hub's decision (consent recorded), one waiting for its contact's answer
(asked by email, in the outbox). Added once."""
from sqlalchemy import func, select

from crm.auth.models import User
from crm.contacts.models import Contact
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.referrals import services
from crm.referrals.models import Referral

PURPOSE = "Accompagnement individuel de proximité par le pôle de la région"


def seed_referrals(organizations) -> None:
    chantier, estrie = organizations.get("chantier"), organizations.get("reses")
    if chantier is None or estrie is None or db.session.scalar(select(func.count(Referral.id))):
        return
    candidates = db.session.scalars(
        select(Enterprise).where(Enterprise.organization_id == chantier.id, Enterprise.archived_at.is_(None),
                                 Enterprise.coach_id.is_not(None),
                                 Enterprise.id.in_(select(Contact.enterprise_id).where(Contact.email.is_not(None))))
        .order_by(Enterprise.region_code != "05", Enterprise.id).limit(2)).all()
    for enterprise, recorded in zip(candidates, (True, False), strict=False):
        coach = db.session.get(User, enterprise.coach_id)
        contact = db.session.scalar(select(Contact).where(Contact.enterprise_id == enterprise.id,
                                                          Contact.email.is_not(None)).order_by(Contact.id).limit(1))
        services.refer(enterprise, actor=coach, to_organization=estrie, kind="move", purpose=PURPOSE,
                       shared=["record", "contacts", "history"], contact=contact,
                       consent_method="recorded" if recorded else "email",
                       consent_source="Par téléphone avec la direction" if recorded else None)
