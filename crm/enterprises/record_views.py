"""The enterprise page and what is recorded on it: stage, timeline, follow-ups, diagnostics."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from crm import access, signals
from crm.auth.models import User
from crm.enterprises import bp, diagnostics, queries, services, timeline
from crm.enterprises.filtering import organization_choices
from crm.enterprises.forms import (
    ActivityForm,
    AssignForm,
    ConfirmForm,
    HandOverForm,
    StageForm,
    TaskForm,
    diagnostic_form,
)
from crm.enterprises.history import describe_history
from crm.enterprises.models import FollowUpTask
from crm.enterprises.sections import sections_for
from crm.extensions import db
from crm.i18n import _, _l
from crm.organizations.models import Organization
from crm.reference import NEXT_STAGE
from crm.transaction import refusals_flashed, refusals_shown_on


def assign_choices(enterprise) -> list[SelectChoice]:
    coaches = db.session.execute(access.assignable_coaches(current_user)
                                 .where(User.organization_id == enterprise.organization_id)
                                 .with_only_columns(User.id, User.full_name))
    return [SelectChoice("", _l("Nobody")), *(SelectChoice(str(id_), name) for id_, name in coaches)]


def _task_form(enterprise, formdata=None) -> TaskForm:
    form = TaskForm(prefix="task", formdata=formdata)
    people = db.session.execute(access.task_assignees(enterprise).with_only_columns(User.id, User.full_name))
    form.assignee_id.choices = [SelectChoice(id_, name) for id_, name in people]
    if form.assignee_id.data is None and request.method == "GET":
        form.assignee_id.data = enterprise.coach_id or current_user.id
    return form


def render_enterprise(enterprise, *, status=200, **forms):
    user = current_user
    can_edit = access.can_edit_enterprise(user, enterprise)
    can_manage = access.can_manage_enterprise(user, enterprise)
    can_history = access.can_view_history(user, enterprise)
    page = queries.enterprise_page(enterprise, with_history=can_history,
                                   whole_timeline=request.args.get("timeline") == "all")
    # While a share runs, the organization that does not own the enterprise sees only what was shared.
    shows = {part: access.can_see_shared_part(user, enterprise, part) for part in ("history", "diagnostics")}
    context = {"enterprise": enterprise, "page": page, "can_edit": can_edit, "can_manage": can_manage,
               "can_history": can_history, "shows": shows, "confirm_form": ConfirmForm(),
               "today": timeline.today_in_quebec(), "comparison": diagnostics.comparison(page.diagnostics)}
    if can_edit:
        context["stage_form"] = forms.get("stage_form") or StageForm(
            prefix="stage", formdata=None, stage=NEXT_STAGE.get(enterprise.stage, ""))
        activity_form = forms.get("activity_form") or ActivityForm(prefix="activity", formdata=None)
        if activity_form.occurred_on.data is None and "activity_form" not in forms:
            activity_form.occurred_on.data = context["today"]
        context["activity_form"] = activity_form
        context["task_form"] = forms.get("task_form") or _task_form(enterprise)
        context["diagnostic_form"] = forms.get("diagnostic_form") or diagnostic_form(prefix="diagnostic",
                                                                                      formdata=None)
    if can_manage:
        assign_form = forms.get("assign_form") or AssignForm(prefix="assign", formdata=None)
        assign_form.coach_id.choices = assign_choices(enterprise)
        if "assign_form" not in forms:
            assign_form.coach_id.data = str(enterprise.coach_id or "")
        context["assign_form"] = assign_form
        handover_form = forms.get("handover_form") or HandOverForm(prefix="handover", formdata=None)
        handover_form.organization_id.choices = organization_choices(exclude_id=enterprise.organization_id)
        context["handover_form"] = handover_form
    context["history"] = describe_history(page.history) if can_history else []
    sections = sections_for(enterprise, user)
    context.update(profile_sections=sections.beside_profile, extra_sections=sections.after,
                   section_nav=sections.nav, summary_items=sections.summary)
    return render_template("enterprises/detail.html", **context), status


@bp.route("/enterprises/<int:enterprise_id>")
@login_required
def detail(enterprise_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user)
    response = render_enterprise(enterprise)
    # Law 25: viewing an enterprise shows its contacts' personal information.
    signals.personal_information_accessed.send(current_user, action="view_enterprise", subject_type="enterprises",
                                               subject_id=enterprise.id)
    return response


def _back(enterprise, anchor=""):
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id) + anchor)


def _record(enterprise, form, form_name, anchor, write, success):
    """The shared shape of the page's small forms: validate, call the service, or show the errors."""
    if form.validate_on_submit():
        with refusals_shown_on(form):
            write()
            flash(success, "success")
            return _back(enterprise, anchor)
    return render_enterprise(enterprise, status=400, **{form_name: form})


@bp.route("/enterprises/<int:enterprise_id>/stage", methods=["POST"])
@login_required
def change_stage(enterprise_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_edit=True)
    form = StageForm(prefix="stage")
    return _record(enterprise, form, "stage_form", "#stage", lambda: services.change_stage(
        enterprise, form.stage.data, actor=current_user, comment=form.comment.data), _("Stage changed."))


@bp.route("/enterprises/<int:enterprise_id>/activities", methods=["POST"])
@login_required
def add_activity(enterprise_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_edit=True)
    form = ActivityForm(prefix="activity")
    return _record(enterprise, form, "activity_form", "#timeline", lambda: timeline.add_activity(
        enterprise, actor=current_user, kind=form.kind.data, occurred_on=form.occurred_on.data,
        body=form.body.data, is_coaching=form.is_coaching.data, duration_minutes=form.duration_minutes(),
    ), _("Added to the timeline."))


@bp.route("/enterprises/<int:enterprise_id>/tasks", methods=["POST"])
@login_required
def add_task(enterprise_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_edit=True)
    form = _task_form(enterprise, formdata=request.form)
    return _record(enterprise, form, "task_form", "#tasks", lambda: timeline.add_task(
        enterprise, actor=current_user, title=form.title.data, due_on=form.due_on.data,
        assignee=db.session.get(access.User, form.assignee_id.data),
    ), _("Follow-up added."))


@bp.route("/enterprises/<int:enterprise_id>/tasks/<int:task_id>/done", methods=["POST"])
@login_required
def complete_task(enterprise_id, task_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user)
    task = db.session.get(FollowUpTask, task_id)
    if task is None or task.enterprise_id != enterprise.id:
        abort(404)
    if not access.can_complete_task(current_user, enterprise, task):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with refusals_flashed():
        timeline.complete_task(task, enterprise, actor=current_user)
        flash(_("Follow-up done."), "success")
    return redirect(request.form.get("next") == "caseload" and url_for("enterprises.caseload")
                    or url_for("enterprises.detail", enterprise_id=enterprise.id) + "#tasks")


@bp.route("/enterprises/<int:enterprise_id>/diagnostics", methods=["POST"])
@login_required
def add_diagnostic(enterprise_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_edit=True)
    form = diagnostic_form(prefix="diagnostic")
    return _record(enterprise, form, "diagnostic_form", "#diagnostics", lambda: timeline.add_diagnostic(
        enterprise, actor=current_user, performed_on=form.performed_on.data, tool=form.tool.data,
        maturity_level=int(form.maturity_level.data), link=form.link.data, notes=form.notes.data,
        scores=form.scores(),
    ), _("Diagnostic added."))


def _redirect_detail(enterprise):
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))


@bp.route("/enterprises/<int:enterprise_id>/archive", methods=["POST"])
@login_required
def archive(enterprise_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_manage=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with refusals_flashed("error"):
        if request.form.get("restore"):
            services.restore_enterprise(enterprise, actor=current_user)
        else:
            services.archive_enterprise(enterprise, actor=current_user)
        flash(_("Enterprise restored.") if request.form.get("restore") else _("Enterprise archived."), "success")
    return _redirect_detail(enterprise)


@bp.route("/enterprises/<int:enterprise_id>/assign", methods=["POST"])
@login_required
def assign(enterprise_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_manage=True)
    form = AssignForm(prefix="assign")
    form.coach_id.choices = assign_choices(enterprise)
    if form.validate_on_submit():
        coach = None
        if form.coach_id.data:
            coach = db.session.scalar(access.assignable_coaches(current_user)
                                      .where(User.id == int(form.coach_id.data)))
        with refusals_shown_on(form):
            services.assign_coach([enterprise], coach, actor=current_user)
            flash(_("Coach assignment saved."), "success")
            return _redirect_detail(enterprise)
    return render_enterprise(enterprise, status=400, assign_form=form)


@bp.route("/enterprises/<int:enterprise_id>/handover", methods=["POST"])
@login_required
def handover(enterprise_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_manage=True)
    form = HandOverForm(prefix="handover")
    form.organization_id.choices = organization_choices(exclude_id=enterprise.organization_id)
    if form.validate_on_submit():
        organization = db.session.get(Organization, form.organization_id.data)
        with refusals_shown_on(form):
            services.hand_over(enterprise, organization, actor=current_user, comment=form.comment.data)
            flash(_("%(organization)s now follows this enterprise.", organization=organization.name), "success")
            if access.can_view_enterprise(current_user, enterprise):
                return _redirect_detail(enterprise)
            return redirect(url_for("enterprises.index"))
    return render_enterprise(enterprise, status=400, handover_form=form)
