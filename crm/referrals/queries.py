"""Reads of referrals: the lists of a user, an enterprise's, and the figures by organization."""
from sqlalchemy import Select, func, literal, select, union_all
from sqlalchemy.orm import selectinload

from crm import access
from crm.contributions import ReportScope
from crm.enterprises.models import Enterprise, StageChange
from crm.extensions import db
from crm.organizations.models import Organization
from crm.reference import REACHED_STAGES
from crm.referrals.models import Referral

RECEIVED = ("sent", "accepted", "declined", "expired", "ended")  # the statuses a receiver has seen
ACCEPTED = ("accepted", "ended")


def _with_names(query: Select) -> Select:
    return query.options(selectinload(Referral.enterprise), selectinload(Referral.coach),
                         selectinload(Referral.referred_by)).order_by(Referral.created_at.desc(), Referral.id.desc())


def incoming(user, organization_id: int | None = None) -> Select:
    organization_id = organization_id if organization_id is not None else user.organization_id
    return _with_names(access.visible_referrals(user).where(Referral.to_organization_id == organization_id))


def outgoing(user, organization_id: int | None = None) -> Select:
    organization_id = organization_id if organization_id is not None else user.organization_id
    return _with_names(access.visible_referrals(user).where(Referral.from_organization_id == organization_id))


def everything(user) -> Select:
    return _with_names(access.visible_referrals(user))


def of_enterprise(user, enterprise_id: int) -> Select:
    return _with_names(access.visible_referrals(user).where(Referral.enterprise_id == enterprise_id))


def _in_period(column, scope: ReportScope | None) -> list:
    conditions = []
    if scope is not None and scope.start is not None:
        conditions.append(column >= scope.start)
    if scope is not None and scope.end is not None:
        conditions.append(column < scope.end)
    return conditions


def figures_by_organization(organization_id: int | None = None, scope: ReportScope | None = None) -> list[dict]:
    """Per organization: enterprises referred (sent), received (consent on record) and accepted, each
    enterprise counted once however many times it was referred. One query."""
    rows = union_all(
        select(Referral.from_organization_id.label("organization_id"), Referral.enterprise_id.label("enterprise_id"),
               literal("sent").label("what"))
        .where(*_in_period(Referral.created_at, scope)),
        select(Referral.to_organization_id, Referral.enterprise_id, literal("received"))
        .where(Referral.status.in_(RECEIVED), Referral.consent_status == "given",
               *_in_period(Referral.created_at, scope)),
        select(Referral.to_organization_id, Referral.enterprise_id, literal("accepted"))
        .where(Referral.status.in_(ACCEPTED), *_in_period(Referral.decided_at, scope)),
    ).subquery("moves")
    query = (select(rows.c.organization_id, Organization.name, rows.c.what,
                    func.count(rows.c.enterprise_id.distinct()))
             .join(Organization, Organization.id == rows.c.organization_id)
             .group_by(rows.c.organization_id, Organization.name, rows.c.what)
             .order_by(Organization.name))
    if organization_id is not None:
        query = query.where(rows.c.organization_id == organization_id)
    table: dict[int, dict] = {}
    for org_id, name, what, count in db.session.execute(query):
        table.setdefault(org_id, {"organization_id": org_id, "name": name, "sent": 0, "received": 0,
                                  "accepted": 0})[what] = int(count)
    return list(table.values())


def stage_credit(scope: ReportScope) -> int:
    """Enterprises the scope's organization brought to awareness or beyond (steps it took itself, even
    for enterprises another organization follows now); programme-wide, the enterprises in scope."""
    query = select(func.count(StageChange.enterprise_id.distinct())).where(
        StageChange.to_stage.in_(sorted(REACHED_STAGES)), *_in_period(StageChange.changed_at, scope))
    if scope.organization_id is not None:
        query = query.where(StageChange.organization_id == scope.organization_id)
        if scope.region:
            query = query.join(Enterprise, Enterprise.id == StageChange.enterprise_id).where(
                Enterprise.region_code == scope.region)
    else:
        query = query.where(StageChange.enterprise_id.in_(scope.enterprise_ids))
    return int(db.session.scalar(query) or 0)
