"""Administration: people who sign in and partner organizations (programme office).

Managers see, read-only, the people of their own organization ("Team"). Creating accounts
stays with the programme office.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from crm import access, signals
from crm.admin import services
from crm.admin.forms import ConfirmForm, OrganizationForm, UserForm
from crm.auth.models import User
from crm.contributions import MenuItem
from crm.extensions import db
from crm.i18n import _, _l
from crm.organizations.models import Organization
from crm.query_args import paginate
from crm.transaction import refusals_flashed, refusals_shown_on

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")

PER_PAGE = 50
USER_FORM_FIELDS = ("email", "full_name", "role", "organization_id", "locale")
ORGANIZATION_FORM_FIELDS = ("code", "name", "kind", "region_code", "is_active", "require_two_factor")


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


@bp.route("/")
@login_required
def index():
    _require(access.can_manage_users(current_user))
    users = db.session.scalar(select(func.count()).select_from(User))
    organizations = db.session.scalar(select(func.count()).select_from(Organization))
    return render_template("admin/index.html", users=users, organizations=organizations)


@bp.route("/users")
@login_required
def users():
    _require(access.can_view_users(current_user))
    query = access.visible_users(current_user).order_by(User.is_active.desc(), User.full_name, User.id)
    page = paginate(query, per_page=PER_PAGE)
    return render_template("admin/users.html", page=page, can_manage=access.can_manage_users(current_user))


def _user_form(user=None) -> UserForm:
    form = UserForm(obj=user)
    active = select(Organization).order_by(Organization.name)
    if user is None:
        active = active.where(Organization.is_active)
    form.set_organizations(db.session.scalars(active))
    return form


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    _require(access.can_manage_users(current_user))
    form = _user_form()
    if form.validate_on_submit():
        with refusals_shown_on(form):
            user = services.create_account(actor=current_user, **{f: form[f].data for f in USER_FORM_FIELDS})
            flash(_("Account of %(name)s created; an email with a link to choose a password is on its way "
                    "to %(email)s.", name=user.full_name, email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), (400 if form.errors else 200)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def edit_user(user_id):
    user = access.get_user_or_404(user_id, current_user, for_manage=True)
    form = _user_form(user)
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.update_account(user, actor=current_user, **{f: form[f].data for f in USER_FORM_FIELDS})
            flash(_("Account of %(name)s saved.", name=user.full_name), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, confirm=ConfirmForm()), \
        (400 if form.errors else 200)


@bp.route("/users/<int:user_id>/<action>", methods=["POST"])
@login_required
def user_action(user_id, action):
    """deactivate, reactivate, send-reset (a password link), reset-two-factor (lost phone)."""
    if action not in (*_ACTION_MESSAGES, "send-reset"):
        abort(404)
    user = access.get_user_or_404(user_id, current_user, for_manage=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with refusals_flashed("error"):
        if action in ("deactivate", "reactivate"):
            services.set_active(user, action == "reactivate", actor=current_user)
        elif action == "reset-two-factor":
            services.reset_two_factor(user, actor=current_user)
        else:
            services.send_password_link(user, actor=current_user)
        if action == "send-reset":
            flash(_("An email with a link to choose a password is on its way to %(email)s.", email=user.email),
                  "success")
        else:
            flash(_ACTION_MESSAGES[action], "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


_ACTION_MESSAGES = {
    "deactivate": _l("Account deactivated; its sessions are ended."),
    "reactivate": _l("Account reactivated."),
    "reset-two-factor": _l("Two-factor authentication reset; the person sets it up again at the next sign-in."),
}


@bp.route("/organizations")
@login_required
def organizations():
    _require(access.can_manage_organizations(current_user))
    counts = select(User.organization_id, func.count().label("members")).group_by(User.organization_id).subquery()
    rows = db.session.execute(
        select(Organization, func.coalesce(counts.c.members, 0))
        .outerjoin(counts, counts.c.organization_id == Organization.id)
        .order_by(Organization.is_active.desc(), Organization.name)
    ).all()
    return render_template("admin/organizations.html", rows=rows)


@bp.route("/organizations/new", methods=["GET", "POST"])
@bp.route("/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
@login_required
def edit_organization(organization_id=None):
    _require(access.can_manage_organizations(current_user))
    organization = db.get_or_404(Organization, organization_id) if organization_id else None
    form = OrganizationForm(obj=organization)
    if form.validate_on_submit():
        values = {f: form[f].data for f in ORGANIZATION_FORM_FIELDS}
        with refusals_shown_on(form):
            if organization is None:
                services.create_organization(actor=current_user, **values)
            else:
                services.update_organization(organization, actor=current_user, **values)
            flash(_("Organization %(name)s saved.", name=values["name"].strip()), "success")
            return redirect(url_for("admin.organizations"))
    return render_template("admin/organization_form.html", form=form, organization=organization), \
        (400 if form.errors else 200)


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return [MenuItem("admin.index", _l("Administration"), 90, access.can_manage_organizations, group="admin"),
            MenuItem("admin.users", _l("Team"), 90, access.can_view_team, group="admin")]
