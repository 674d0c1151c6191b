"""Small factories for tests: each makes a valid record and accepts overrides."""
import itertools

from crm.auth.models import User
from crm.contacts import services as contact_services
from crm.enterprises import services as enterprise_services
from crm.extensions import db
from crm.organizations.models import Organization

PASSWORD = "correct horse battery"  # noqa: S105
_counter = itertools.count(1)


class Factory:
    def __init__(self, app):
        self.app = app

    def _commit(self, obj):
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj

    def organization(self, **overrides) -> Organization:
        n = next(_counter)
        values = {"code": f"org-{n}", "name": f"Organisation {n}", "kind": "national"}
        values.update(overrides)
        with self.app.app_context():
            return self._commit(Organization(**values))

    def user(self, role="coach", organization=None, password=PASSWORD, **overrides) -> User:
        n = next(_counter)
        organization = organization or self.organization()
        values = {"email": f"user{n}@virage.example", "full_name": f"Personne {n}", "role": role,
                  "organization_id": organization.id}
        values.update(overrides)
        with self.app.app_context():
            user = User(**values)
            user.set_password(password)
            return self._commit(user)

    def enterprise(self, organization, coach=None, actor=None, stage=None, contacts=0, **overrides):
        n = next(_counter)
        values = {"name": f"Coopérative Test {n}", "legal_form": "coop_work", "region_code": "05",
                  "city": "Sherbrooke", "organization_id": organization.id,
                  "coach_id": coach.id if coach else None}
        values.update(overrides)
        with self.app.app_context():
            enterprise = enterprise_services.create_enterprise(actor=actor, **values)
            for i in range(contacts):
                contact_services.add_contact(
                    enterprise, actor=actor, first_name=f"Prénom{i}", last_name=f"Nom{n}",
                    email=f"contact{n}.{i}@entreprise.example", email_consent=True,
                )
            if stage and stage != "identified":
                enterprise_services.change_stage(enterprise, stage, actor=actor, comment="test")
            db.session.commit()
            db.session.refresh(enterprise)
            db.session.expunge(enterprise)
            return enterprise
