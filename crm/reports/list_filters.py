"""The enterprise list's filters, read from its query string, for the list exports.

Same parameter names as the enterprise list (stage, region, legal_form, organization, coach, q);
the integrator may swap :func:`enterprises_for_export` for the list's own query builder
(``crm.enterprises.queries.filtered_enterprises(user, filters)``): exports take any select().
"""
from sqlalchemy import Select

from crm.access import visible_enterprises
from crm.domain import DomainError
from crm.enterprises.models import Enterprise
from crm.i18n import _l
from crm.reference import LEGAL_FORMS, REGIONS, STAGES
from crm.text import fold

MAX_SEARCH_LENGTH = 200


def _codes(args, name: str, allowed: dict, message) -> list[str]:
    values = [v for v in args.getlist(name) if v]
    if any(v not in allowed for v in values):
        raise DomainError(message, field=name)
    return values


def _id(args, name: str, message) -> int | None:
    value = args.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise DomainError(message, field=name)
    return int(value)


def enterprises_for_export(user, args) -> Select:
    """Enterprises the user may see, narrowed by the list's filters; DomainError on a bad value."""
    query = visible_enterprises(user)
    stages = _codes(args, "stage", STAGES, _l("Unknown stage."))
    regions = _codes(args, "region", REGIONS, _l("Unknown region."))
    legal_forms = _codes(args, "legal_form", LEGAL_FORMS, _l("Unknown legal form."))
    organization_id = _id(args, "organization", _l("Unknown organization."))
    coach_id = _id(args, "coach", _l("Unknown coach."))
    text = args.get("q", "")
    if len(text) > MAX_SEARCH_LENGTH:
        raise DomainError(_l("The search text is too long (%(max)d characters at most).",
                             max=MAX_SEARCH_LENGTH), field="q")
    if stages:
        query = query.where(Enterprise.stage.in_(stages))
    if regions:
        query = query.where(Enterprise.region_code.in_(regions))
    if legal_forms:
        query = query.where(Enterprise.legal_form.in_(legal_forms))
    if organization_id is not None:
        query = query.where(Enterprise.organization_id == organization_id)
    if coach_id is not None:
        query = query.where(Enterprise.coach_id == coach_id)
    for word in fold(text).split():
        query = query.where(Enterprise.search_text.contains(word, autoescape=True))
    return query.order_by(Enterprise.name_key, Enterprise.id)
