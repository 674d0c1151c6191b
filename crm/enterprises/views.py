"""Enterprise list, bulk actions, caseload, and creating or editing an enterprise's profile.

The enterprise's own page and what is recorded on it are in ``record_views``.
"""
import logging
from dataclasses import asdict
from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from crm import access, signals
from crm.auth.models import User
from crm.contributions import MenuItem
from crm.domain import DomainError
from crm.enterprises import bp, bulk, queries, services
from crm.enterprises.filtering import (
    args_from_query_string,
    chosen_organization_id,
    coach_choices,
    filter_query_string,
    parse_filters,
)
from crm.enterprises.forms import (
    ACTIVITY_LABELS,
    DIAGNOSTIC_TOOL_LABELS,
    MATURITY_LABELS,
    BulkForm,
    EnterpriseForm,
    NewEnterpriseForm,
)
from crm.enterprises.history import stored_value_text
from crm.enterprises.timeline import today_in_quebec
from crm.extensions import db
from crm.i18n import _, _l, ngettext
from crm.query_args import page_number
from crm.reference import label
from crm.reports.cache import cache_key
from crm.transaction import refusals_shown_on, show_refusal

log = logging.getLogger(__name__)
PER_PAGE = 50


@bp.app_template_filter("activity_label")
def activity_label(code):
    return label(ACTIVITY_LABELS, code)


@bp.app_template_filter("diagnostic_tool_label")
def diagnostic_tool_label(code):
    return label(DIAGNOSTIC_TOOL_LABELS, code)


@bp.app_template_filter("maturity_label")
def maturity_label(level):
    return label(MATURITY_LABELS, str(level))


bp.add_app_template_filter(stored_value_text, "stored_value_text")


def _bulk_form(args, *, empty: bool = False) -> BulkForm:
    form = BulkForm(formdata=None) if empty else BulkForm()
    actions = bulk.actions_for(current_user)
    form.action.choices = [SelectChoice(a.code, a.label) for a in actions]
    organization_id = chosen_organization_id(current_user, args)
    for action in actions:
        if action.prepare is not None:
            action.prepare(form, current_user, organization_id)
    coaches = coach_choices(current_user, args)[2:]
    form.coach_id.choices = [SelectChoice("", _l("Choose…")), SelectChoice("none", _l("Nobody (unassign)")),
                             *coaches]
    return form


def _count_with_page(filters) -> bool:
    """A search within one organization: thousands of rows at most, counted in the page's own scan.
    Programme-wide, a common name matches ten thousand enterprises: reading them all to count them
    costs more than walking the name index for one page and counting apart."""
    return bool(filters.q) and (not access.can_choose_organization(current_user) or filters.organization_id is not None)


def _count_key(filters):
    """What the list's count depends on: who looks (what they may see) and the filters."""
    scope = access.organization_in_view(current_user, filters.organization_id)
    return cache_key("enterprise-count-1", access.can_choose_organization(current_user), current_user.organization_id,
                     asdict(filters), organization_id=scope)


def render_list(args, *, bulk_form=None, status=200):
    form, filters = parse_filters(current_user, args, quiet=bulk_form is not None)
    page = page_number(args)
    together = _count_with_page(filters)
    query = (queries.matches_first if together else queries.filtered_enterprises)(current_user, filters)
    pagination = queries.page_of(query, page, PER_PAGE, together=together, count_key=_count_key(filters))
    if bulk_form is None and bulk.actions_for(current_user):
        bulk_form = _bulk_form(args, empty=True)
    if bulk_form is not None:
        bulk_form.filters.data = filter_query_string(args)
    return render_template("enterprises/list.html", form=form, filters=filters, pagination=pagination,
                           bulk_form=bulk_form, filter_args=filter_query_string(args)), status


@bp.route("/enterprises")
@login_required
def index():
    return render_list(request.args)


@bp.route("/enterprises/bulk", methods=["POST"])
@login_required
def bulk_action():
    if not bulk.actions_for(current_user):
        abort(403)
    args = args_from_query_string(request.form.get("filters", ""))
    form = _bulk_form(args)
    if form.validate_on_submit():
        action = bulk.get_action(form.action.data, current_user)
        _, filters = parse_filters(current_user, args, quiet=True)
        ids = None if form.scope.data == "all" else list(form.ids.data or [])
        with refusals_shown_on(form):
            targets = partial(bulk.load_targets, queries.selected_enterprises(current_user, filters, ids))
            changed = action.run(targets, form, current_user)
            flash(ngettext("%(num)s enterprise updated.", "%(num)s enterprises updated.", changed), "success")
            return redirect(url_for("enterprises.index") + ("?" + form.filters.data if form.filters.data else ""))
    return render_list(args, bulk_form=form, status=400)


def render_caseload():
    today = today_in_quebec()
    rows = queries.caseload(current_user, today)
    groups: dict[str, list] = {}
    for enterprise, overdue, stale in rows:
        groups.setdefault(enterprise.stage, []).append((enterprise, overdue, stale))
    return render_template("enterprises/caseload.html", groups=groups, total=len(rows),
                           overdue_tasks=queries.overdue_tasks(current_user, today))


@bp.route("/caseload")
@login_required
def caseload():
    if not access.has_caseload(current_user):
        abort(403)
    return render_caseload()


def _duplicate_message(existing, kind: str) -> str:
    if access.can_view_enterprise(current_user, existing):
        if kind == "neq":
            return _("An enterprise with this NEQ already exists: %(name)s.", name=existing.name)
        return _("An enterprise with this name already exists in this city: %(name)s.", name=existing.name)
    return _("%(organization)s already follows this enterprise; contact them rather than creating it again.",
             organization=existing.organization.name)


@bp.route("/enterprises/new", methods=["GET", "POST"])
@login_required
def new():
    if not access.can_create_enterprise(current_user):
        abort(403)
    form = NewEnterpriseForm()
    duplicate = None
    status = 200
    if form.validate_on_submit():
        coach_id = current_user.id if access.has_caseload(current_user) else None
        try:
            enterprise = services.create_enterprise(
                actor=current_user, organization_id=current_user.organization_id, coach_id=coach_id,
                allow_same_name=form.create_anyway.data, **form.profile())
        except services.DuplicateEnterprise as error:
            db.session.rollback()
            duplicate = error.existing if access.can_view_enterprise(current_user, error.existing) else None
            show_refusal(form, DomainError(_duplicate_message(error.existing, error.field), error.field))
        else:
            flash(_("Enterprise created."), "success")
            return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))
    if form.errors or form.form_errors:
        status = 400
    return render_template("enterprises/form.html", form=form, enterprise=None, duplicate=duplicate,
                           show_create_anyway=bool(form.name.errors)), status


@bp.route("/enterprises/<int:enterprise_id>/edit", methods=["GET", "POST"])
@login_required
def edit(enterprise_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_edit=True)
    form = EnterpriseForm(obj=enterprise)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_enterprise(enterprise, actor=current_user,
                                       expected_version=form.expected_version(), **form.profile())
        except (services.StaleVersion, StaleDataError):
            db.session.rollback()
            form.form_errors.append(str(services.StaleVersion().message))
            status = 409
        except services.DuplicateEnterprise as error:
            db.session.rollback()
            show_refusal(form, DomainError(_duplicate_message(error.existing, error.field), error.field))
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            flash(_("Enterprise saved."), "success")
            return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))
    elif request.method == "GET":
        form.version.data = str(enterprise.version)
    if status == 200 and (form.errors or form.form_errors):
        status = 400
    if status == 409:
        form.version.data = str(enterprise.version)  # saving again, after review, is deliberate
    return render_template("enterprises/form.html", form=form, enterprise=enterprise, duplicate=None,
                           current_version=enterprise.version, show_create_anyway=False), status


def coaches_by_id(ids) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return [MenuItem("enterprises.caseload", _l("My caseload"), 5, access.has_caseload),
            MenuItem("enterprises.index", _l("Enterprises"), 10)]
