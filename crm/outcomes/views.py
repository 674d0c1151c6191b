"""Recording an enterprise's digital plans and projects. The forms stand, closed, in the enterprise
page's section; each also has a page of its own, where a refused form comes back with its errors."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from crm import access
from crm.i18n import _
from crm.outcomes import bp, services
from crm.outcomes.forms import PlanForm, ProjectForm
from crm.transaction import refusals_shown_on


def _back(enterprise):
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id) + "#outcomes")


@bp.route("/enterprises/<int:enterprise_id>/plans/new", methods=["GET", "POST"])
@login_required
def new_plan(enterprise_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_edit=True)
    form = PlanForm(prefix="plan")
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.add_plan(enterprise, actor=current_user, produced_on=form.produced_on.data,
                              link=form.link.data, notes=form.notes.data)
            flash(_("Digital plan added."), "success")
            return _back(enterprise)
    status = 400 if form.is_submitted() else 200
    return render_template("outcomes/plan_form.html", form=form, enterprise=enterprise), status


@bp.route("/enterprises/<int:enterprise_id>/projects/new", methods=["GET", "POST"])
@login_required
def new_project(enterprise_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_edit=True)
    form = ProjectForm(prefix="project")
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.add_project(enterprise, actor=current_user, **form.values())
            flash(_("Project added."), "success")
            return _back(enterprise)
    status = 400 if form.is_submitted() else 200
    return render_template("outcomes/project_form.html", form=form, enterprise=enterprise, project=None), status


@bp.route("/enterprises/<int:enterprise_id>/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit_project(enterprise_id, project_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user)
    project = access.get_project_or_404(enterprise, project_id, current_user)
    form = ProjectForm(prefix="project", obj=project)
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.update_project(project, actor=current_user, expected_version=form.expected_version(),
                                    **form.values())
            flash(_("Project saved."), "success")
            return _back(enterprise)
    status = 400 if form.is_submitted() else 200
    return render_template("outcomes/project_form.html", form=form, enterprise=enterprise,
                           project=project), status
