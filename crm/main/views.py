from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import func, select

from crm import access, signals
from crm.access import has_work_queue, visible_enterprises
from crm.auth.views import safe_next
from crm.contributions import MenuItem
from crm.extensions import db
from crm.i18n import _l
from crm.main.forms import LanguageForm
from crm.reference import STAGES
from crm.workqueue.views import render_queue

bp = Blueprint("main", __name__, template_folder="templates")


@bp.route("/")
@login_required
def home():
    """Coaches and managers land on their work queue (crm/workqueue); the programme office on the
    funnel summary."""
    if has_work_queue(current_user):
        return render_queue()
    visible = visible_enterprises(current_user).subquery()
    rows = db.session.execute(
        select(visible.c.stage, func.count()).group_by(visible.c.stage)
    ).all()
    counts = dict(rows)
    by_stage = [(code, label, counts.get(code, 0)) for code, label in STAGES.items()]
    return render_template("main/home.html", by_stage=by_stage, total=sum(counts.values()))


@bp.route("/language", methods=["POST"])
def set_language():
    """The header's language switch: remembered in the session and on the user's profile."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        current_user.locale = form.locale.data
    return redirect(safe_next(form.next.data) or url_for("main.home"))


@bp.route("/privacy")
def privacy():
    """Law 25: the person in charge of personal information is published."""
    return render_template("main/privacy.html", config=current_app.config)


@bp.app_context_processor
def layout_context():
    # The header's language switch posts LanguageForm's fields; written out in base.html rather
    # than built as a form on every page.
    return {"language_next": request.full_path.rstrip("?")}


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return MenuItem("main.home", _l("Home"), 0, access.can_view_funnel_summary)
