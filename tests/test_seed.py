from sqlalchemy import func, select

from crm.auth.models import User
from crm.contacts.models import Contact
from crm.demo.seed import DEMO_ENTERPRISES, DEMO_PASSWORD
from crm.enterprises.models import Enterprise, StageChange
from crm.extensions import db
from crm.organizations.models import Organization


def test_seed_demo_is_idempotent_and_prints_logins(app, runner, client, auth):
    first = runner.invoke(args=["crm", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "admin@virage.example" in first.output and DEMO_PASSWORD in first.output
    second = runner.invoke(args=["crm", "seed-demo"])
    assert second.exit_code == 0
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(Enterprise) == DEMO_ENTERPRISES
        assert count(Organization) >= 20
        assert count(Contact) >= DEMO_ENTERPRISES
        roles = set(db.session.scalars(select(User.role)))
        assert roles == {"admin", "manager", "coach"}
        regions = set(db.session.scalars(select(Enterprise.region_code).distinct()))
        assert len(regions) == 17
        orgs_with_users = db.session.scalar(select(func.count(func.distinct(User.organization_id))))
        assert orgs_with_users >= 4
        # The current stage is always the last history entry's.
        for enterprise in db.session.scalars(select(Enterprise).limit(50)):
            last = db.session.scalars(select(StageChange).where(StageChange.enterprise_id == enterprise.id)
                                      .order_by(StageChange.changed_at.desc(), StageChange.id.desc())).first()
            assert last.to_stage == enterprise.stage
    assert auth.login("admin@virage.example", DEMO_PASSWORD).status_code == 302
    home = client.get("/").get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert "800 entreprises en tout" in home
