"""Reads of the outcome chain: an enterprise's plans and projects, and the dashboard's figures.

The dashboard's conversion "plan → project carried out" counts, among the enterprises of the scope
that produced a digital plan during the period (any plan until its end when the period has no start),
those with a project carried out by the end of the period; per organization and region, in one
aggregate query. The totals of the projects carried out in the period take one more.
"""
from sqlalchemy import case, func, literal, select, union_all

from crm.contributions import ReportScope
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.organizations.models import Organization
from crm.outcomes.models import DigitalPlan, DigitalProject


def plans_of(enterprise_id: int) -> list[DigitalPlan]:
    return list(db.session.scalars(select(DigitalPlan).where(DigitalPlan.enterprise_id == enterprise_id)
                                   .order_by(DigitalPlan.produced_on.desc(), DigitalPlan.id.desc())))


def projects_of(enterprise_id: int) -> list[DigitalProject]:
    return list(db.session.scalars(select(DigitalProject).where(DigitalProject.enterprise_id == enterprise_id)
                                   .order_by(DigitalProject.created_at.desc(), DigitalProject.id.desc())))


def _carried_out(scope: ReportScope, *, in_period: bool):
    p = DigitalProject
    conditions = [p.status == "carried_out"]
    if scope.date_to is not None:
        conditions.append(p.completed_on <= scope.date_to)
    if in_period and scope.date_from is not None:
        conditions.append(p.completed_on >= scope.date_from)
    return conditions


def conversion_rows(scope: ReportScope) -> list[list]:
    """[[organization id, its name, region code, enterprises with a plan, of them with a project
    carried out]]."""
    plans = [DigitalPlan.enterprise_id.in_(scope.enterprise_ids)]
    if scope.date_from is not None:
        plans.append(DigitalPlan.produced_on >= scope.date_from)
    if scope.date_to is not None:
        plans.append(DigitalPlan.produced_on <= scope.date_to)
    planned = select(DigitalPlan.enterprise_id).where(*plans)
    carried = select(DigitalProject.enterprise_id).where(*_carried_out(scope, in_period=False))
    converted = func.coalesce(func.sum(case((Enterprise.id.in_(carried), 1), else_=0)), 0)
    rows = db.session.execute(
        select(Enterprise.organization_id, Organization.name, Enterprise.region_code, func.count(Enterprise.id),
               converted)
        .join(Organization, Organization.id == Enterprise.organization_id)
        .where(Enterprise.id.in_(planned))
        .group_by(Enterprise.organization_id, Organization.name, Enterprise.region_code))
    return [[organization_id, name, region, int(count), int(done)]
            for organization_id, name, region, count, done in rows]


def carried_out_totals(scope: ReportScope) -> dict:
    """The projects carried out during the period by enterprises of the scope, and what they brought."""
    p = DigitalProject
    row = db.session.execute(
        select(func.count(p.id), func.count(p.enterprise_id.distinct()), func.coalesce(func.sum(p.amount_invested), 0),
               func.coalesce(func.sum(p.public_funding), 0), func.coalesce(func.sum(p.jobs_created), 0),
               func.coalesce(func.sum(p.jobs_maintained), 0))
        .where(p.enterprise_id.in_(scope.enterprise_ids), *_carried_out(scope, in_period=True))).one()
    projects, enterprises, invested, funding, created, maintained = row
    return {"projects": int(projects), "enterprises": int(enterprises), "invested": int(invested),
            "funding": int(funding), "jobs_created": int(created), "jobs_maintained": int(maintained)}


# --- The ministry's report pack ------------------------------------------------------------------

PACK_COLUMNS = ("plans", "projects", "invested", "funding", "jobs_created", "jobs_maintained", "planned",
                "converted")


def _columns(**given) -> list:
    """The pack's columns in their order: those given, zero for the others."""
    return [(given[name] if name in given else literal(0)).label(name) for name in PACK_COLUMNS]


def pack_measures(scope: ReportScope):
    """Per enterprise: its digital plans produced during the period; its projects carried out during the
    period and what they brought; and, when it produced a plan during the period, 1 planned and 1
    converted if it has a project carried out by the end of the period."""
    ids = scope.enterprise_ids
    plans_in_period = [DigitalPlan.enterprise_id.in_(ids)]
    if scope.date_from is not None:
        plans_in_period.append(DigitalPlan.produced_on >= scope.date_from)
    if scope.date_to is not None:
        plans_in_period.append(DigitalPlan.produced_on <= scope.date_to)
    p = DigitalProject
    carried = select(p.enterprise_id).where(*_carried_out(scope, in_period=False))
    plans = (select(DigitalPlan.enterprise_id.label("enterprise_id"),
                    *_columns(plans=func.count(), planned=literal(1),
                              converted=func.max(case((DigitalPlan.enterprise_id.in_(carried), 1), else_=0))))
             .where(*plans_in_period).group_by(DigitalPlan.enterprise_id))
    projects = (select(p.enterprise_id, *_columns(
        projects=func.count(), invested=func.coalesce(func.sum(p.amount_invested), 0),
        funding=func.coalesce(func.sum(p.public_funding), 0), jobs_created=func.coalesce(func.sum(p.jobs_created), 0),
        jobs_maintained=func.coalesce(func.sum(p.jobs_maintained), 0)))
        .where(p.enterprise_id.in_(ids), *_carried_out(scope, in_period=True)).group_by(p.enterprise_id))
    return union_all(plans, projects)
