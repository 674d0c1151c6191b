"""Blueprint of cohorts, sessions and calendars; the routes live in views_*.py."""
from flask import Blueprint, flash
from sqlalchemy import select

from crm import signals
from crm.auth.models import User
from crm.extensions import db
from crm.i18n import _l
from crm.navigation import MenuItem
from crm.reference import SelectChoice

bp = Blueprint("cohorts", __name__, template_folder="templates")



@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return [MenuItem("cohorts.list_cohorts", _l("Cohorts"), 30),
            MenuItem("cohorts.my_sessions", _l("My sessions"), 31),
            MenuItem("cohorts.month", _l("Calendar"), 32, also=frozenset({"cohorts.week"}))]


def show_domain_error(form, error) -> None:
    """A service's refusal, next to its field when the form has it, else above the form."""
    db.session.rollback()
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))
        flash(str(error.message), "error")


def staff_choices(user, organization_id: int | None, *, include: tuple = ()) -> list[SelectChoice]:
    """Coaches and managers who may facilitate: the owner's people (all organizations for admins)."""
    query = select(User).where(User.is_active.is_(True), User.role.in_(("coach", "manager")))
    if not user.is_admin:
        query = query.where(User.organization_id == user.organization_id)
    elif organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    people = {u.id: u for u in db.session.scalars(query.order_by(User.full_name))}
    for extra in include:
        if extra is not None:
            people.setdefault(extra.id, extra)
    return [SelectChoice(u.id, u.full_name) for u in sorted(people.values(), key=lambda u: u.full_name)]




def _register_filters():
    from crm.cohorts import forms
    from crm.reference import label

    filters = {
        "cohort_kind_label": forms.COHORT_KINDS, "cohort_status_label": forms.COHORT_STATUSES,
        "mode_label": forms.MODES, "attendance_label": forms.ATTENDANCE_LABELS,
        "session_status_label": forms.SESSION_STATUSES,
    }
    for name, mapping in filters.items():
        bp.add_app_template_filter(lambda code, mapping=mapping: label(mapping, code), name)


_register_filters()

from crm.cohorts import integration, reporting, views_calendar, views_cohorts, views_sessions  # noqa: E402, F401 - register routes
