"""The signed-in person's security settings: password change, two-factor authentication."""
import logging

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user

from crm import signals
from crm.auth import two_factor
from crm.auth.forms import ChangePasswordForm, PasswordConfirmForm, TwoFactorSetupForm
from crm.auth.services import change_password
from crm.auth.views import finish_pending_login, pending_user
from crm.contributions import MenuItem
from crm.extensions import db
from crm.i18n import _, _l
from crm.transaction import refusals_flashed, refusals_shown_on

bp = Blueprint("account", __name__, template_folder="templates", url_prefix="/account")
log = logging.getLogger(__name__)


@bp.route("/")
@login_required
def security():
    return render_template(
        "account/security.html", user=current_user, disable_form=PasswordConfirmForm(),
        codes_form=PasswordConfirmForm(prefix="codes"),
        required=two_factor.requires_two_factor(current_user),
        remaining=two_factor.remaining_recovery_codes(current_user) if current_user.has_two_factor else 0,
    )


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password_page():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with refusals_shown_on(form):
            change_password(current_user, current=form.current_password.data, new=form.password.data)
            # This session goes on with the new session version (the real object: a proxy in
            # flask.g would point at itself).
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Your other sessions are signed out."), "success")
            return redirect(url_for("account.security"))
    status = 400 if form.errors else 200
    return render_template("account/password.html", form=form), status


def _enrolling_user():
    """The signed-in person, or the one half-way through signing in who must enrol first."""
    if current_user.is_authenticated:
        return current_user, False
    return pending_user("enrol"), True


@bp.route("/two-factor/setup", methods=["GET", "POST"])
def two_factor_setup():
    user, signing_in = _enrolling_user()
    if user is None:
        return redirect(url_for("auth.login"))
    if user.has_two_factor:
        return redirect(url_for("account.security"))
    secret = two_factor.setup_secret(user)  # kept on the server, not in the cookie
    # The secret the page shows must outlive a mistyped code (an answer the request's step rolls back).
    db.session.commit()
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        with refusals_shown_on(form):
            two_factor.confirm_setup(user, form.code.data)
            if signing_in:
                finish_pending_login(user)
            return redirect(url_for("account.recovery_codes"))
    uri = two_factor.provisioning_uri(user, secret)
    return render_template(
        "account/two_factor_setup.html", form=form, qr_code=two_factor.qr_code_data_uri(uri),
        manual_key=two_factor.grouped(secret), signing_in=signing_in,
        required=two_factor.requires_two_factor(user),
    ), (400 if form.errors else 200)


@bp.route("/two-factor/recovery-codes")
@login_required
def recovery_codes():
    """New recovery codes, shown once: they are stored hashed and cannot be shown again."""
    codes = two_factor.codes_to_show(current_user)  # forgotten as soon as read
    if not codes:
        return redirect(url_for("account.security"))
    return render_template("account/recovery_codes.html", codes=codes)


@bp.route("/two-factor/recovery-codes/new", methods=["POST"])
@login_required
def new_recovery_codes():
    form = PasswordConfirmForm(prefix="codes")
    if not current_user.has_two_factor:
        return redirect(url_for("account.security"))
    if form.validate_on_submit() and current_user.check_password(form.password.data):
        two_factor.regenerate_recovery_codes(current_user)
        return redirect(url_for("account.recovery_codes"))
    db.session.rollback()
    flash(_("The password is incorrect; no new codes were made."), "error")
    return redirect(url_for("account.security"))


@bp.route("/two-factor/disable", methods=["POST"])
@login_required
def disable_two_factor():
    form = PasswordConfirmForm()
    if not form.validate_on_submit():
        flash(_("The password is incorrect."), "error")
    elif current_user.has_two_factor:
        with refusals_flashed("error"):
            two_factor.disable(current_user, actor=current_user, password=form.password.data)
            flash(_("Two-factor authentication is off."), "info")
    return redirect(url_for("account.security"))


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return MenuItem("account.security", _l("My account"), 95, group="account")
