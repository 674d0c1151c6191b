"""Routes of saved views: the list of one's views, save, apply, rename or share, delete; and the
panel the enterprise list shows (``saved_views_panel``)."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from crm import access
from crm.enterprises.filtering import filter_query_string
from crm.extensions import db
from crm.i18n import _
from crm.savedviews import bp, services
from crm.savedviews.forms import DeleteViewForm, SaveViewForm, ViewForm
from crm.savedviews.models import SavedView
from crm.transaction import refusals_flashed, refusals_shown_on


def _views() -> list[SavedView]:
    """The user's views and their organization's shared ones, by name (one query)."""
    query = access.visible_saved_views(current_user).order_by(SavedView.name, SavedView.id)
    return list(db.session.scalars(query))


@bp.app_template_global()
def saved_views_panel(args):
    """What ``savedviews/_panel.html`` shows on the enterprise list: the views, and the form that
    saves the list's current filters."""
    form = SaveViewForm(formdata=None, filters=filter_query_string(args))
    return {"views": _views(), "form": form}


def _render_index(*, save_form=None, refused: tuple[int, ViewForm] | None = None, status=200):
    """The page of views; ``refused``: the view whose change was refused, and its form with the errors."""
    views = _views()
    forms = {view.id: ViewForm(formdata=None, prefix=f"view-{view.id}", obj=view)
             for view in views if access.can_change_saved_view(current_user, view)}
    if refused is not None:
        forms[refused[0]] = refused[1]
    return render_template("savedviews/index.html", views=views, forms=forms, save_form=save_form,
                           delete_form=DeleteViewForm()), status


@bp.route("/enterprises/views")
@login_required
def index():
    return _render_index()


@bp.route("/enterprises/views", methods=["POST"])
@login_required
def save():
    form = SaveViewForm()
    if form.validate_on_submit():
        with refusals_shown_on(form):
            view = services.save_view(actor=current_user, name=form.name.data, query_string=form.filters.data,
                                      shared=form.shared.data)
            flash(_("View “%(name)s” saved.", name=view.name), "success")
            return redirect(url_for("savedviews.apply", view_id=view.id))
    return _render_index(save_form=form, status=400)


@bp.route("/enterprises/views/<int:view_id>")
@login_required
def apply(view_id):
    """Applying a view is opening the list with its query string; the list reads it as any other,
    so values it no longer understands (a coach who left, say) are ignored with a message."""
    view = access.get_saved_view_or_404(view_id, current_user)
    return redirect(url_for("enterprises.index") + ("?" + view.query_string if view.query_string else ""))


@bp.route("/enterprises/views/<int:view_id>/edit", methods=["POST"])
@login_required
def change(view_id):
    view = access.get_saved_view_or_404(view_id, current_user, for_change=True)
    form = ViewForm(prefix=f"view-{view.id}")
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.change_view(view, actor=current_user, name=form.name.data, shared=form.shared.data)
            flash(_("View “%(name)s” saved.", name=view.name), "success")
            return redirect(url_for("savedviews.index"))
    return _render_index(refused=(view.id, form), status=400)


@bp.route("/enterprises/views/<int:view_id>/delete", methods=["POST"])
@login_required
def delete(view_id):
    view = access.get_saved_view_or_404(view_id, current_user, for_change=True)
    if not DeleteViewForm().validate_on_submit():
        return _render_index(status=400)
    with refusals_flashed("error"):
        name = view.name
        services.delete_view(view, actor=current_user)
        flash(_("View “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("savedviews.index"))
