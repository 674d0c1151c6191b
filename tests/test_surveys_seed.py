"""``flask crm seed-demo`` and ``seed-scale`` generate surveys, sent and mostly answered."""
from sqlalchemy import func, select

from crm.demo.scale import seed_scale
from crm.extensions import db
from crm.surveys.models import Survey


def _figures(app) -> dict:
    with app.app_context():
        def count(*where):
            return db.session.scalar(select(func.count()).select_from(Survey).where(*where))

        return {"sent": count(Survey.state == "sent"), "answered": count(Survey.answered_at.is_not(None)),
                "commented": count(Survey.comment.is_not(None)), "all": count(),
                "per_session_person": db.session.scalar(select(func.max(
                    select(func.count().label("n")).select_from(Survey)
                    .group_by(Survey.session_id, Survey.contact_id).subquery().c.n)))}


def _check(figures: dict) -> None:
    assert figures["all"] == figures["sent"] > 0
    assert 0 < figures["answered"] < figures["sent"] and figures["commented"] > 0
    assert figures["per_session_person"] == 1


def test_the_demo_has_surveys_and_the_dashboard_shows_them(app, client, auth, demo):
    _check(_figures(app))
    auth.login("admin@virage.example", "virage-demo-2026")
    page = client.get("/reports/").get_data(as_text=True)
    assert "Satisfaction" in page and 'data-figure="surveys-sent"' in page


def test_the_scale_seed_has_them_too(app):
    with app.app_context():
        seed_scale(0.02)
    _check(_figures(app))
