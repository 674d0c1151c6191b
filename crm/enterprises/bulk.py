"""Bulk actions of the enterprise list: features answer ``signals.enterprise_bulk_actions`` with
theirs (``crm.contributions.BulkAction``), beside "assign".

A handler receives ``targets``, which loads the targeted enterprises (``load_targets`` of the
select() limited by the access rules and the list's filters), the submitted ``BulkForm`` and the
actor; it calls services (which flush), returns how many enterprises changed, and raises
``DomainError`` to refuse.
"""
from sqlalchemy import Select

from crm import signals
from crm.access import assignable_coaches, can_bulk_assign
from crm.auth.models import User
from crm.contributions import BulkAction
from crm.domain import DomainError
from crm.enterprises import services
from crm.extensions import db
from crm.i18n import _l

MAX_BULK = 2000


def actions_for(user) -> list[BulkAction]:
    return [action for action in signals.answers(signals.enterprise_bulk_actions) if action.allowed(user)]


def get_action(code: str, user) -> BulkAction | None:
    return next((action for action in actions_for(user) if action.code == code), None)


def load_targets(query: Select) -> list:
    """The enterprises ``query`` selects; refused when there are none or more than MAX_BULK."""
    enterprises = list(db.session.scalars(query.limit(MAX_BULK + 1)))
    if not enterprises:
        raise DomainError(_l("Tick at least one enterprise, or choose every enterprise matching the filters."),
                          field="ids")
    if len(enterprises) > MAX_BULK:
        raise DomainError(_l("Too many enterprises at once: narrow the filters."), field="scope")
    return enterprises


def _assign(targets, form, actor) -> int:
    raw = form.coach_id.data or ""
    coach = None
    if raw != "none":
        try:
            coach_id = int(raw)
        except ValueError:
            raise DomainError(_l("Choose a coach."), field="coach_id") from None
        coach = db.session.scalar(assignable_coaches(actor).where(User.id == coach_id))
        if coach is None:
            raise DomainError(_l("Choose a coach."), field="coach_id")
    return services.assign_coach(targets(), coach, actor=actor)


@signals.enterprise_bulk_actions.connect
def assign_action(_sender, **_extra):
    return BulkAction("assign", _l("Assign to a coach"), can_bulk_assign, _assign)
