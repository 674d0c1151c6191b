"""The work queue's page and its row actions.

Each action is a plain form that posts and comes back to the queue with a message; with
JavaScript (static/js/workqueue.js), the same request is sent in the background and the queue is
replaced by the page it comes back to, so the person stays where they were.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from crm import access
from crm.cohorts import timeutil
from crm.enterprises import timeline
from crm.enterprises.forms import ACTIVITY_LABELS, ConfirmForm
from crm.enterprises.models import FollowUpTask
from crm.extensions import db
from crm.i18n import _
from crm.transaction import refusals_flashed, refusals_shown_on
from crm.workqueue import bp, cli, digest, queries
from crm.workqueue.forms import DigestForm, QuickActivityForm

cli.register(bp)


def render_queue(*, failed_form=None, failed_row=None, status=200):
    today = timeline.today_in_quebec()
    queue = queries.work_queue(current_user, today, timeutil.now())
    return render_template("workqueue/queue.html", queue=queue, failed_form=failed_form, failed_row=failed_row,
                           activity_labels=ACTIVITY_LABELS,
                           team=access.can_view_team(current_user)), status


def _back():
    return redirect(url_for("main.home"))


@bp.route("/queue/enterprises/<int:enterprise_id>/activities", methods=["POST"])
@login_required
def log_activity(enterprise_id):
    if not access.has_work_queue(current_user):
        abort(403)
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_edit=True)
    form = QuickActivityForm()
    if form.validate_on_submit():
        with refusals_shown_on(form):
            timeline.add_activity(enterprise, actor=current_user, kind=form.kind.data, body=form.body.data,
                                  occurred_on=form.occurred_on.data or timeline.today_in_quebec())
            flash(_("Activity logged for %(name)s.", name=enterprise.name), "success")
            return _back()
    # The row whose form was sent opens again with its errors (its key, as the page wrote it).
    return render_queue(failed_form=form, failed_row=request.form.get("row", "")[:20], status=400)


@bp.route("/queue/tasks/<int:task_id>/done", methods=["POST"])
@login_required
def complete_task(task_id):
    if not access.has_work_queue(current_user):
        abort(403)
    task = db.session.get(FollowUpTask, task_id)
    if task is None:
        abort(404)
    enterprise = access.get_enterprise_or_404(task.enterprise_id, current_user)
    if not access.can_complete_task(current_user, enterprise, task):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with refusals_flashed("error"):
        timeline.complete_task(task, enterprise, actor=current_user)
        flash(_("Follow-up “%(title)s” done.", title=task.title), "success")
    return _back()


@bp.app_template_global()
def digest_setting():
    """What the account page shows of the daily digest (``workqueue/_digest_setting.html``), or None
    for people who have no digest."""
    if not access.has_caseload(current_user):
        return None
    return {"on": digest.wants_digest(current_user), "form": DigestForm()}


@bp.route("/account/digest", methods=["POST"])
@login_required
def set_digest():
    if not access.has_caseload(current_user):
        abort(403)
    form = DigestForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = form.wanted.data == "on"
    digest.set_digest(current_user, wanted=wanted)
    flash(_("You will receive the daily digest.") if wanted else _("You will no longer receive the daily digest."),
          "success")
    return redirect(url_for("account.security"))
