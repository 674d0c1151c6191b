"""The funnel board's page and its move. A card moves by its own small form (keyboard, no
JavaScript needed); static/js/board.js adds drag and drop, which fills and sends the same form."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from crm import access, signals
from crm.contributions import MenuItem
from crm.enterprises import services
from crm.i18n import _, lazy_pgettext
from crm.reference import STAGE_ORDER, STAGES
from crm.transaction import refusals_shown_on
from crm.workqueue import board as funnel
from crm.workqueue import bp
from crm.workqueue.forms import MoveForm


def _who(value) -> str:
    return value if value in funnel.WHO else funnel.default_who(current_user)


def render_board(who: str, *, refused: tuple[int, MoveForm] | None = None, status=200):
    """``refused``: the card whose move was refused, and its form with the error."""
    columns = funnel.board(current_user, who)
    return render_template("workqueue/board.html", columns=columns, who=who, refused=refused,
                           stages=STAGES, ranks={**STAGE_ORDER, "withdrawn": -1},
                           can_edit=lambda card: access.can_edit_enterprise(current_user, card),
                           choose_who=access.has_caseload(current_user)), status


@bp.route("/board")
@login_required
def board():
    return render_board(_who(request.args.get("who")))


@bp.route("/board/enterprises/<int:enterprise_id>/stage", methods=["POST"])
@login_required
def move(enterprise_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user, for_edit=True)
    form = MoveForm()
    who = _who(form.who.data)
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.change_stage(enterprise, form.stage.data, actor=current_user, comment=form.comment.data)
            flash(_("%(name)s moved to %(stage)s.", name=enterprise.name, stage=STAGES[form.stage.data]), "success")
            return redirect(url_for("workqueue.board", who=who))
    return render_board(who, refused=(enterprise.id, form), status=400)


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return MenuItem("workqueue.board", lazy_pgettext("menu", "Funnel board"), 8)  # « Parcours »: short
