"""The webhooks pages: an organization's subscriptions (the secret shown once), each one's delivery
log with the endpoint's answers, and the « send a test » button."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from crm import access, signals
from crm.api import pages, webhooks
from crm.api.forms import EVENT_LABELS, RevokeForm, WebhookForm
from crm.api.models import WebhookDelivery, WebhookSubscription
from crm.contributions import MenuItem
from crm.enterprises.filtering import organization_choices
from crm.extensions import db
from crm.i18n import _, _l
from crm.organizations.models import Organization
from crm.transaction import refusals_flashed, refusals_shown_on

LOG_SHOWN = 50


def _form(data=True) -> WebhookForm:
    form = WebhookForm() if data else WebhookForm(formdata=None)
    if access.can_choose_organization(current_user):
        form.organization_id.choices = organization_choices()
    else:
        del form.organization_id
    return form


@pages.route("/webhooks", methods=["GET", "POST"])
@login_required
def webhooks_index():
    if not access.can_manage_webhooks(current_user):
        abort(403)
    form = _form()
    secret = None
    if form.validate_on_submit():
        organization_id = form.organization_id.data if "organization_id" in form else current_user.organization_id
        with refusals_shown_on(form):
            _subscription, secret = webhooks.create_subscription(
                db.session.get(Organization, organization_id), actor=current_user, url=form.url.data,
                events=form.events.data)
            form = _form(data=False)
    rows = db.session.scalars(access.visible_webhooks(current_user)
                              .order_by(WebhookSubscription.is_active.desc(), WebhookSubscription.id.desc())).all()
    status = 400 if form.errors or form.form_errors else 200
    return render_template("api/webhooks.html", form=form, rows=rows, secret=secret, labels=EVENT_LABELS), status


@pages.route("/webhooks/<int:subscription_id>")
@login_required
def webhook_log(subscription_id):
    subscription = access.get_webhook_or_404(subscription_id, current_user)
    deliveries = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
                                    .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
                                    .limit(LOG_SHOWN)).all()
    return render_template("api/webhook_log.html", subscription=subscription, deliveries=deliveries,
                           button=RevokeForm(), labels=EVENT_LABELS)


@pages.route("/webhooks/<int:subscription_id>/test", methods=["POST"])
@login_required
def webhook_test(subscription_id):
    subscription = access.get_webhook_or_404(subscription_id, current_user)
    if RevokeForm().validate_on_submit():
        with refusals_flashed():
            webhooks.send_test(subscription, actor=current_user)
            flash(_("Test queued: the worker sends it within a minute; its answer appears below."), "success")
    return redirect(url_for("api_pages.webhook_log", subscription_id=subscription.id))


@pages.route("/webhooks/<int:subscription_id>/stop", methods=["POST"])
@login_required
def webhook_stop(subscription_id):
    subscription = access.get_webhook_or_404(subscription_id, current_user)
    if RevokeForm().validate_on_submit():
        with refusals_flashed():
            webhooks.deactivate(subscription, actor=current_user)
            flash(_("Subscription stopped: nothing more is sent to this address."), "success")
    return redirect(url_for("api_pages.webhook_log", subscription_id=subscription.id))


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return MenuItem("api_pages.webhooks_index", _l("Webhooks"), 92, access.can_manage_webhooks, group="admin")
