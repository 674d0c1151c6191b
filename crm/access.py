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


# People and organizations (crm/admin). Admins manage both; a manager sees, read-only, the
# people of their own organization; coaches see neither.
def can_view_users(user) -> bool:
    return user.is_admin or user.is_manager


def visible_users(user) -> Select:
    """Users the person may list, as a select() to filter further."""
    from crm.auth.models import User

    query = select(User)
    if not user.is_admin:
        query = query.where(User.organization_id == user.organization_id)
    return query


def can_manage_organizations(user) -> bool:
    return user.is_admin


def get_user_or_404(user_id: int, viewer, *, for_manage: bool = False):
    """A user of another organization does not exist for a manager; editing is admins' only."""
    from crm.auth.models import User

    if not can_view_users(viewer):
        abort(403)
    target = db.session.get(User, user_id)
    if target is None or not (viewer.is_admin or target.organization_id == viewer.organization_id):
        abort(404)
    if for_manage and not can_manage_users(viewer):
        abort(403)
    return target
