"""Routes of cohorts: list, create, edit, page, members (one by one and in bulk)."""
import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from crm.access import (
    can_choose_organization,
    can_manage_cohort,
    can_plan_cohorts,
    get_cohort_or_404,
    get_enterprise_or_404,
    linkable_enterprise_ids,
    visible_cohorts,
    visible_enterprises,
)
from crm.auth.models import User
from crm.auth.views import safe_next
from crm.cohorts import bp, queries, services, timeutil
from crm.cohorts.forms import COHORT_KINDS, COHORT_STATUSES, AddMemberForm, CohortForm, EnrolForm, LeaveForm
from crm.cohorts.models import Cohort, CohortMembership
from crm.cohorts.views import page_sections, staff_choices
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.i18n import _, ngettext
from crm.organizations.models import Organization
from crm.query_args import paginate
from crm.reference import SelectChoice
from crm.transaction import refusals_flashed, refusals_shown_on
from crm.validators import is_number

log = logging.getLogger(__name__)


def _require_planner():
    if not can_plan_cohorts(current_user):
        abort(403)


COHORTS_PER_PAGE = 50

# The cohort page shows its facilitators' names: in the cohort's query, without their accounts.
_FACILITATOR_NAMES = (joinedload(Cohort.facilitators).load_only(User.id, User.full_name).lazyload(User.organization),)


@bp.route("/cohorts")
@login_required
def list_cohorts():
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    query = visible_cohorts(current_user)
    if status in COHORT_STATUSES:
        query = query.where(Cohort.status == status)
    if kind in COHORT_KINDS:
        query = query.where(Cohort.kind == kind)
    page = paginate(query.order_by(Cohort.start_date.desc(), Cohort.id.desc()), per_page=COHORTS_PER_PAGE)
    members = dict(db.session.execute(
        select(CohortMembership.cohort_id, func.count())
        .where(CohortMembership.cohort_id.in_([c.id for c in page.items]), CohortMembership.left_on.is_(None))
        .group_by(CohortMembership.cohort_id)).all()) if page.items else {}
    rows = [(cohort, members.get(cohort.id, 0)) for cohort in page.items]
    return render_template("cohorts/list.html", rows=rows, page=page, status=status, kind=kind,
                           statuses=COHORT_STATUSES.items(), kinds=COHORT_KINDS.items(),
                           can_create=can_plan_cohorts(current_user))


def _cohort_form(cohort: Cohort | None = None) -> CohortForm:
    form = CohortForm(obj=cohort)
    if request.method == "GET" and cohort is not None:
        form.facilitator_ids.data = [u.id for u in cohort.facilitators]
        form.region_code.data = cohort.region_code or ""
    if can_choose_organization(current_user):
        orgs = db.session.scalars(select(Organization).where(Organization.is_active.is_(True))
                                  .order_by(Organization.name))
        form.organization_id.choices = [SelectChoice(o.id, o.name) for o in orgs]
    else:
        form.organization_id.choices = [SelectChoice(current_user.organization_id, current_user.organization.name)]
        if request.method == "GET" and cohort is None:
            form.organization_id.data = current_user.organization_id
    current = tuple(cohort.facilitators) if cohort else ()
    form.facilitator_ids.choices = staff_choices(current_user, None, include=current)
    return form


def _chosen_facilitators(form) -> list[User]:
    return list(db.session.scalars(select(User).where(User.id.in_(form.facilitator_ids.data or []))))


@bp.route("/cohorts/new", methods=["GET", "POST"])
@login_required
def new_cohort():
    _require_planner()
    form = _cohort_form()
    if form.validate_on_submit():
        with refusals_shown_on(form):
            cohort = services.create_cohort(actor=current_user, facilitators=_chosen_facilitators(form),
                                            **form.values())
            flash(_("Cohort created."), "success")
            return redirect(url_for("cohorts.cohort_page", cohort_id=cohort.id))
    return render_template("cohorts/cohort_form.html", form=form, cohort=None), 400 if form.errors else 200


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@login_required
def edit_cohort(cohort_id):
    cohort = get_cohort_or_404(cohort_id, current_user, for_manage=True)
    form = _cohort_form(cohort)
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.update_cohort(cohort, actor=current_user, facilitators=_chosen_facilitators(form),
                                   **form.values())
            flash(_("Cohort saved."), "success")
            return redirect(url_for("cohorts.cohort_page", cohort_id=cohort.id))
    return render_template("cohorts/cohort_form.html", form=form, cohort=cohort), 400 if form.errors else 200


@bp.route("/cohorts/<int:cohort_id>")
@login_required
def cohort_page(cohort_id):
    cohort = get_cohort_or_404(cohort_id, current_user, options=_FACILITATOR_NAMES)
    manage = can_manage_cohort(current_user, cohort)
    q = request.args.get("q", "").strip()[:100]
    candidates = queries.enterprise_candidates(current_user, cohort, q) if manage and q else []
    page = queries.cohort_page(cohort)
    # Enterprises of other organizations may be members: their names are links only for who may open them.
    linked = linkable_enterprise_ids(current_user, [(m.enterprise_id, m.organization_id)
                                                    for m in page["active"] + page["former"]])
    return render_template("cohorts/cohort.html", cohort=cohort, manage=manage, q=q, candidates=candidates,
                           linked=linked, today=timeutil.to_local(timeutil.now()).date(),
                           sections=page_sections(cohort, current_user), **page)


@bp.route("/cohorts/<int:cohort_id>/members", methods=["POST"])
@login_required
def add_member(cohort_id):
    cohort = get_cohort_or_404(cohort_id, current_user, for_manage=True)
    form = AddMemberForm()
    if not form.validate_on_submit() or not is_number(form.enterprise_id.data) or len(form.enterprise_id.data) > 9:
        abort(400)
    enterprise = get_enterprise_or_404(int(form.enterprise_id.data), current_user)
    with refusals_flashed("error"):
        added, _skipped = services.enrol_enterprises(cohort, [enterprise], actor=current_user,
                                                     move_stage=form.move_stage.data)
        if added:
            flash(_("%(name)s joined the cohort.", name=enterprise.name), "success")
        else:
            flash(_("%(name)s is already in the cohort.", name=enterprise.name), "info")
    return redirect(url_for("cohorts.cohort_page", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/members/<int:membership_id>/leave", methods=["POST"])
@login_required
def leave_member(cohort_id, membership_id):
    cohort = get_cohort_or_404(cohort_id, current_user, for_manage=True)
    membership = db.session.get(CohortMembership, membership_id)
    if membership is None or membership.cohort_id != cohort.id:
        abort(404)
    form = LeaveForm()
    if not form.validate_on_submit():
        flash(_("Give a valid leaving date."), "error")
        return redirect(url_for("cohorts.cohort_page", cohort_id=cohort.id))
    with refusals_flashed("error"):
        services.leave_cohort(membership, actor=current_user, left_on=form.left_on.data)
        flash(_("%(name)s left the cohort.", name=membership.enterprise.name), "success")
    return redirect(url_for("cohorts.cohort_page", cohort_id=cohort.id))


@bp.route("/cohorts/enrol", methods=["POST"])
@login_required
def enrol():
    """Bulk enrolment from the filtered enterprise list; redirects back to ``next``."""
    form = EnrolForm()
    back = safe_next(form.next.data) or url_for("cohorts.list_cohorts")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(back)
    cohort = get_cohort_or_404(form.cohort_id.data, current_user, for_manage=True)
    ids = set(form.enterprise_ids.data)
    enterprises = db.session.scalars(visible_enterprises(current_user).where(
        Enterprise.id.in_(ids))).unique().all()
    if len(enterprises) != len(ids):
        abort(404)
    with refusals_flashed("error"):
        added, skipped = services.enrol_enterprises(cohort, enterprises, actor=current_user,
                                                    move_stage=form.move_stage.data)
        flash(ngettext("%(num)s enterprise joined %(cohort)s.", "%(num)s enterprises joined %(cohort)s.",
                       len(added), cohort=cohort.name), "success")
        if skipped:
            flash(ngettext("%(num)s was already in the cohort.", "%(num)s were already in the cohort.",
                           len(skipped)), "info")
    return redirect(back)
