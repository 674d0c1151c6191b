"""The demo's outcomes, through the same services as the pages: scored diagnostics, digital plans
and projects of the enterprises in training or beyond. Added once: a second seed-demo adds none."""
import random
from datetime import date, timedelta

from sqlalchemy import func, select

from crm.enterprises.models import DiagnosticScore, Enterprise
from crm.enterprises.timeline import add_diagnostic, today_in_quebec
from crm.extensions import db
from crm.outcomes.services import add_plan, add_project
from crm.reference import PROJECT_CATEGORIES, diagnostic_dimensions

DIAGNOSED = ("training", "coaching_individual", "coaching_collective", "completed")
PROJECTS = {
    "website_ecommerce": "Boutique en ligne", "management_software": "Logiciel de gestion des membres",
    "collaboration_tools": "Outils collaboratifs infonuagiques", "data_analytics": "Tableau de bord des ventes",
    "automation": "Automatisation de la facturation", "cybersecurity": "Plan de cybersécurité",
    "infrastructure": "Renouvellement du parc informatique", "digital_marketing": "Campagne sur les réseaux sociaux",
    "skills_training": "Formation de l'équipe aux outils numériques", "other": "Projet numérique",
}


def _between(rng, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def seed_outcomes() -> None:
    if db.session.scalar(select(func.count()).select_from(DiagnosticScore)):
        return
    rng = random.Random(20261203)  # noqa: S311 - demo data, not security
    today = today_in_quebec() - timedelta(days=1)
    dimensions = list(diagnostic_dimensions())
    enterprises = db.session.scalars(select(Enterprise).where(Enterprise.stage.in_(DIAGNOSED))
                                     .order_by(Enterprise.id)).all()
    for enterprise in enterprises:
        coach = enterprise.coach
        start = enterprise.created_at.date()
        first_on = _between(rng, start, min(today, start + timedelta(days=120)))
        levels = {code: rng.randint(1, 3) for code in dimensions}
        add_diagnostic(enterprise, actor=coach, performed_on=first_on, maturity_level=2, scores=levels,
                       tool=rng.choices(("audit_industrie_40", "adn_40", "own"), (60, 30, 10))[0])
        if enterprise.stage != "training" and first_on < today and rng.random() < 0.8:
            later = {code: min(5, level + rng.choice((0, 1, 1, 2))) for code, level in levels.items()}
            add_diagnostic(enterprise, actor=coach, performed_on=_between(rng, first_on + timedelta(days=1), today),
                           tool="audit_industrie_40", maturity_level=3, scores=later)
        if first_on >= today or rng.random() >= 0.6:
            continue
        produced_on = _between(rng, first_on + timedelta(days=1), min(today, first_on + timedelta(days=90)))
        add_plan(enterprise, actor=coach, produced_on=produced_on,
                 link=f"https://documents.virage.example/plans/{enterprise.id}.pdf")
        for _ in range(rng.choice((1, 1, 2, 3))):
            category = rng.choice(list(PROJECT_CATEGORIES))
            status = rng.choices(("planned", "started", "carried_out", "abandoned"), (25, 25, 40, 10))[0]
            invested = rng.randrange(2_000, 80_000, 500)
            started = _between(rng, produced_on, today) if status != "planned" else None
            add_project(enterprise, actor=coach, title=PROJECTS[category], category=category, status=status,
                        amount_invested=invested, public_funding=int(invested * rng.choice((0, 0.25, 0.5))),
                        jobs_created=rng.choice((0, 1, 2)) if status == "carried_out" else None,
                        jobs_maintained=rng.choice((0, 1, 3)) if status == "carried_out" else None,
                        started_on=started,
                        completed_on=_between(rng, started, today) if status == "carried_out" else None)
    db.session.flush()
