"""The scale seed's outcomes: scored diagnostics, digital plans and projects, inserted in bulk.

Enterprises in training or beyond get a scored diagnostic (the ministry's audit mostly), those that
went on to coaching a second one, better on most dimensions; about half of the diagnosed produce a
digital plan, and most plans lead to projects, some carried out. Dates stay between the enterprise's
creation and now.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import func, insert, select

from crm.enterprises.models import DiagnosticScore, DigitalDiagnostic
from crm.extensions import db
from crm.outcomes.models import DigitalPlan, DigitalProject
from crm.reference import DIAGNOSTIC_DIMENSIONS, PROJECT_CATEGORIES

CHUNK = 4000
DIAGNOSED = frozenset({"training", "coaching_individual", "coaching_collective", "completed"})
DIAGNOSED_TWICE = frozenset({"coaching_individual", "coaching_collective", "completed"})
PROJECT_TITLES = {
    "website_ecommerce": "Boutique en ligne", "management_software": "Logiciel de gestion des membres",
    "collaboration_tools": "Outils collaboratifs infonuagiques", "data_analytics": "Tableau de bord des ventes",
    "automation": "Automatisation de la facturation", "cybersecurity": "Plan de cybersécurité",
    "infrastructure": "Renouvellement du parc informatique", "digital_marketing": "Campagne sur les réseaux sociaux",
    "skills_training": "Formation de l'équipe aux outils numériques", "other": "Projet numérique",
}


def _next_id(model) -> int:
    table = model.__table__
    return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1


class _Rows:
    """Rows of one table, with the next id, inserted by chunks (after those of ``parent``, which
    they refer to)."""

    def __init__(self, model, progress, parent=None):
        self.table, self.progress, self.parent = model.__table__, progress, parent
        self.next_id, self.rows = _next_id(model), []

    def add(self, **values) -> int:
        values["id"] = self.next_id
        self.next_id += 1
        self.rows.append(values)
        if len(self.rows) >= CHUNK:
            self.flush()
        return values["id"]

    def flush(self) -> None:
        if self.parent is not None:
            self.parent.flush()
        if self.rows:
            db.session.execute(insert(self.table), self.rows)
            self.progress(len(self.rows))
            self.rows = []


def _day_between(rng, start, end):
    span = max(0, (end - start).days)
    return start + timedelta(days=rng.randint(0, span))


def seed_outcomes(enterprises, rng, now: datetime, progress) -> None:
    """``enterprises``: the scale seed's (id, stage, coach_id, created_at) of each enterprise."""
    today = now.date() - timedelta(days=1)
    dimensions = list(DIAGNOSTIC_DIMENSIONS)
    categories = list(PROJECT_CATEGORIES)
    diagnostics = _Rows(DigitalDiagnostic, progress)
    scores = _Rows(DiagnosticScore, progress, parent=diagnostics)
    plans = _Rows(DigitalPlan, progress)
    projects = _Rows(DigitalProject, progress)
    for enterprise in enterprises:
        if enterprise.stage not in DIAGNOSED:
            continue
        start = enterprise.created_at.date()
        first_on = _day_between(rng, start, min(today, start + timedelta(days=120)))
        levels = {code: rng.randint(1, 3) for code in dimensions}
        visits = [(first_on, levels)]
        if enterprise.stage in DIAGNOSED_TWICE and first_on < today:
            later = {code: min(5, level + rng.choice((0, 1, 1, 2))) for code, level in levels.items()}
            visits.append((_day_between(rng, first_on + timedelta(days=1), today), later))
        for performed_on, scored in visits:
            diagnostic_id = diagnostics.add(
                enterprise_id=enterprise.id, performed_on=performed_on,
                tool=rng.choices(("audit_industrie_40", "adn_40", "own"), (60, 30, 10))[0],
                maturity_level=round(sum(scored.values()) / len(scored)), link=None, notes=None,
                created_by_id=enterprise.coach_id, created_at=datetime.combine(performed_on, time(15)))
            for code, score in scored.items():
                scores.add(diagnostic_id=diagnostic_id, dimension=code, score=score)
        if rng.random() >= 0.55 or first_on >= today:
            continue
        produced_on = _day_between(rng, first_on + timedelta(days=1), min(today, first_on + timedelta(days=90)))
        plans.add(enterprise_id=enterprise.id, produced_on=produced_on, link=None, notes=None,
                  created_by_id=enterprise.coach_id, created_at=datetime.combine(produced_on, time(15)))
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            status = rng.choices(("planned", "started", "carried_out", "abandoned"), (25, 25, 40, 10))[0]
            category = rng.choice(categories)
            invested = rng.randrange(2_000, 80_000, 500)
            started = _day_between(rng, produced_on, today) if status != "planned" else None
            completed = _day_between(rng, started, today) if status == "carried_out" else None
            at = datetime.combine(produced_on, time(15))
            projects.add(enterprise_id=enterprise.id, title=PROJECT_TITLES[category], category=category,
                         status=status, amount_invested=invested,
                         public_funding=int(round(invested * rng.choice((0, 0.25, 0.5, 0.6)), -2)),
                         jobs_created=rng.choice((0, 0, 1, 2)) if status == "carried_out" else None,
                         jobs_maintained=rng.choice((0, 1, 2, 3)) if status == "carried_out" else None,
                         started_on=started, completed_on=completed, created_by_id=enterprise.coach_id,
                         version=1, created_at=at, updated_at=at)
    for rows in (scores, plans, projects):
        rows.flush()
