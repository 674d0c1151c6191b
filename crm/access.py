"""Who may see and do what: the one place for access rules.

- admin (programme office): everything.
- manager: everything owned by their organization; assigns its enterprises to its coaches.
- coach: reads what their organization owns and what is assigned to them; edits what is
  assigned to them.
Anything else does not exist for the user (404), so ids of other organizations leak nothing.
"""
from flask import abort
from sqlalchemy import Select, or_, select

from crm.enterprises.models import Enterprise
from crm.extensions import db


def visible_enterprises(user, *, include_archived: bool = False) -> Select:
    """Enterprises the user may see, as a select() to filter further."""
    query = select(Enterprise)
    if not user.is_admin:
        query = query.where(
            or_(Enterprise.organization_id == user.organization_id, Enterprise.coach_id == user.id)
        )
    if not include_archived:
        query = query.where(Enterprise.archived_at.is_(None))
    return query


def can_view_enterprise(user, enterprise: Enterprise) -> bool:
    return (
        user.is_admin
        or enterprise.organization_id == user.organization_id
        or enterprise.coach_id == user.id
    )


def can_manage_enterprise(user, enterprise: Enterprise) -> bool:
    """Assign, hand over, archive: the programme office and the owner's managers."""
    return user.is_admin or (user.is_manager and enterprise.organization_id == user.organization_id)


def can_edit_enterprise(user, enterprise: Enterprise) -> bool:
    """Profile, stage, notes, tasks: managers of the owner and the assigned coach."""
    return can_manage_enterprise(user, enterprise) or enterprise.coach_id == user.id


def can_manage_users(user) -> bool:
    return user.is_admin


def get_enterprise_or_404(enterprise_id: int, user, *, for_edit: bool = False,
                          for_manage: bool = False) -> Enterprise:
    """Load and authorize in one step: invisible is 404, visible but read-only is 403."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or not can_view_enterprise(user, enterprise):
        abort(404)
    if for_manage and not can_manage_enterprise(user, enterprise):
        abort(403)
    if for_edit and not can_edit_enterprise(user, enterprise):
        abort(403)
    return enterprise


# --- Reports -----------------------------------------------------------------------------------
# Figures are aggregates: every role may see a dashboard, but of its own organization only, except
# the programme office, which sees the whole programme and may narrow it to one organization.
# Coaches get their organization's dashboard, read-only like everyone's (decided with issue 6).


def can_view_reports(user) -> bool:
    return user.role in {"admin", "manager", "coach"}


def can_filter_reports_by_organization(user) -> bool:
    return user.is_admin


def report_enterprises(user, *, organization_id: int | None = None) -> Select:
    """Enterprises counted in the user's figures (archived ones excluded), as a select()."""
    query = select(Enterprise.id).where(Enterprise.archived_at.is_(None))
    if not user.is_admin:
        query = query.where(Enterprise.organization_id == user.organization_id)
    elif organization_id is not None:
        query = query.where(Enterprise.organization_id == organization_id)
    return query
