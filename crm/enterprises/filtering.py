"""The list's filters: read from the query string, checked, and turned into ``EnterpriseFilters``.

A value that is not understood (an unknown stage, a coach of another organization, a page that is
not a number…) is ignored and the user is told, never a 500.
"""
from urllib.parse import parse_qsl, urlencode

from flask import flash, has_request_context, request
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from crm.access import can_choose_organization
from crm.auth.models import User
from crm.enterprises.forms import FilterForm
from crm.enterprises.queries import UNASSIGNED, EnterpriseFilters
from crm.extensions import db
from crm.i18n import _, _l
from crm.organizations.models import Organization
from crm.validators import is_number

FILTER_KEYS = ("q", "stage", "region", "legal_form", "sector", "organization", "coach", "sort", "columns")


def coach_choices(user, args: MultiDict) -> list[SelectChoice]:
    """Coaches the user may pick, read once per request (the filters and the bulk form share them).

    Managers and coaches pick among their organization's coaches. An admin picks among the coaches
    of the organization chosen in the filters: the whole programme has 1,500 coaches at ten times
    the province, a list nobody can use, which made the admin's page ten times slower. Without an
    organization, the admin's list holds only the coach already asked for, if any.
    """
    organization_id = chosen_organization_id(user, args)
    only_coach = _number(args.get("coach")) if can_choose_organization(user) and organization_id is None else None
    cache = request.environ.setdefault("virage.coach_choices", {}) if has_request_context() else {}
    key = (user.id, organization_id, only_coach)
    if key not in cache:
        query = select(User.id, User.full_name).where(User.role == "coach").order_by(User.full_name, User.id)
        if organization_id is not None:
            query = query.where(User.organization_id == organization_id)
        else:
            query = query.where(User.id == only_coach)
        cache[key] = [SelectChoice(str(id_), name) for id_, name in db.session.execute(query)]
    return [SelectChoice("", _l("All coaches")), SelectChoice(UNASSIGNED, _l("Not assigned")), *cache[key]]


def chosen_organization_id(user, args: MultiDict) -> int | None:
    """The organization whose coaches and cohorts the list offers: the user's own, or the one an admin
    chose in the filters (None when an admin chose none)."""
    return _number(args.get("organization")) if can_choose_organization(user) else user.organization_id


def _number(value) -> int | None:
    return int(value) if is_number(value) and len(value) < 10 else None


def organization_choices(*, blank=None, exclude_id=None) -> list[SelectChoice]:
    organizations = db.session.scalars(
        select(Organization).where(Organization.is_active.is_(True)).order_by(Organization.name)).all()
    items = [SelectChoice(str(o.id), o.name) for o in organizations if o.id != exclude_id]
    return [SelectChoice("", blank), *items] if blank is not None else items


def parse_filters(user, args: MultiDict, *, quiet: bool = False) -> tuple[FilterForm, EnterpriseFilters]:
    form = FilterForm(formdata=args)
    form.coach.choices = coach_choices(user, args)
    if can_choose_organization(user):
        form.organization.choices = organization_choices(blank=_l("All organizations"))
    else:
        del form.organization
    if not form.validate():
        for name in form.errors:
            field = form[name]
            field.data = field.default
            field.raw_data = []
        if not quiet:
            flash(_("Some filters were not understood and were ignored."), "warning")
    coach = form.coach.data or None
    organization = form.organization.data if "organization" in form else None
    filters = EnterpriseFilters(
        q=(form.q.data or "").strip(), stages=list(form.stage.data or []), region=form.region.data or "",
        legal_form=form.legal_form.data or "", sector=form.sector.data or "",
        organization_id=int(organization) if organization else None,
        coach=coach if coach in (None, UNASSIGNED) else int(coach),
        sort=form.sort.data or "name",
    )
    return form, filters


def filter_query_string(args: MultiDict) -> str:
    """Only the filter parameters of a query string, to carry them through a bulk action."""
    return urlencode([(k, v) for k, v in args.items(multi=True) if k in FILTER_KEYS])


def args_from_query_string(query_string: str) -> MultiDict:
    return MultiDict(parse_qsl(query_string or "", keep_blank_values=False)[:200])
