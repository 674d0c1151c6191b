"""``flask crm seed-demo`` and ``seed-scale`` generate sectors, scored diagnostics, plans and projects."""
from sqlalchemy import func, select

from crm.demo.scale import seed_scale
from crm.enterprises.models import DiagnosticScore, DigitalDiagnostic, Enterprise
from crm.extensions import db
from crm.outcomes.models import DigitalPlan, DigitalProject


def _outcomes(app) -> dict:
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        twice = select(DigitalDiagnostic.enterprise_id).group_by(DigitalDiagnostic.enterprise_id) \
            .having(func.count() >= 2).subquery()
        return {
            "sectors": set(db.session.scalars(select(Enterprise.sector_code).distinct())),
            "scores": count(DiagnosticScore), "diagnosed_twice": count(twice), "plans": count(DigitalPlan),
            "statuses": set(db.session.scalars(select(DigitalProject.status).distinct())),
            "carried_out_dated": db.session.scalar(select(func.count()).where(
                DigitalProject.status == "carried_out", DigitalProject.completed_on.is_not(None))),
            "carried_out": db.session.scalar(select(func.count()).where(DigitalProject.status == "carried_out")),
        }


def _check(figures: dict) -> None:
    assert len(figures["sectors"] - {None}) >= 10 and None in figures["sectors"]
    assert figures["scores"] > 0 and figures["diagnosed_twice"] > 0 and figures["plans"] > 0
    assert figures["statuses"] == {"planned", "started", "carried_out", "abandoned"}
    assert figures["carried_out"] == figures["carried_out_dated"] > 0


def test_the_demo_has_sectors_scored_diagnostics_plans_and_projects(app, client, auth, demo):
    _check(_outcomes(app))
    auth.login("admin@virage.example", "virage-demo-2026")
    page = client.get("/reports/").get_data(as_text=True)
    assert "Maturité numérique : avant et après" in page and "Du plan numérique aux projets réalisés" in page


def test_the_scale_seed_has_them_too(app):
    with app.app_context():
        seed_scale(0.02)
    _check(_outcomes(app))
