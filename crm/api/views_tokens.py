"""The pages that make and revoke tokens: personal ones on the account page, service ones for the
programme office. A token's secret is shown once, in the answer that made it, and stored hashed."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from crm import access
from crm.api import pages, tokens
from crm.api.forms import RevokeForm, ServiceTokenForm, TokenForm
from crm.enterprises.filtering import organization_choices
from crm.extensions import db
from crm.i18n import _
from crm.organizations.models import Organization
from crm.transaction import refusals_flashed, refusals_shown_on


@pages.route("/account/tokens", methods=["GET", "POST"])
@login_required
def personal_tokens():
    if not access.can_make_personal_tokens(current_user):
        abort(403)
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        with refusals_shown_on(form):
            token, secret = tokens.create_personal_token(current_user, name=form.name.data, scopes=form.scopes.data,
                                                         days=int(form.days.data))
            form = TokenForm(formdata=None)
    rows = db.session.scalars(tokens.personal_tokens(current_user)).all()
    status = 400 if form.errors or form.form_errors else 200
    return render_template("api/tokens.html", form=form, rows=rows, secret=secret, revoke_form=RevokeForm(),
                           service=False), status


@pages.route("/admin/api-tokens", methods=["GET", "POST"])
@login_required
def service_tokens():
    if not access.can_manage_service_tokens(current_user):
        abort(403)
    form = ServiceTokenForm()
    form.organization_id.choices = organization_choices()
    secret = None
    if form.validate_on_submit():
        with refusals_shown_on(form):
            token, secret = tokens.create_service_token(
                db.session.get(Organization, form.organization_id.data), actor=current_user, name=form.name.data,
                scopes=form.scopes.data, days=int(form.days.data))
            choices = form.organization_id.choices
            form = ServiceTokenForm(formdata=None)
            form.organization_id.choices = choices
    rows = db.session.scalars(tokens.service_tokens()).all()
    status = 400 if form.errors or form.form_errors else 200
    return render_template("api/tokens.html", form=form, rows=rows, secret=secret, revoke_form=RevokeForm(),
                           service=True), status


@pages.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    token = access.get_token_or_404(token_id, current_user)
    form = RevokeForm()
    if form.validate_on_submit():
        with refusals_flashed():
            tokens.revoke(token, actor=current_user)
            flash(_("Token « %(name)s » revoked: it no longer opens the API.", name=token.name), "success")
    return redirect(url_for("api_pages.service_tokens" if token.is_service else "api_pages.personal_tokens"))
