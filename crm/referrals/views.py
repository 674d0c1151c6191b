"""Referral pages: refer an enterprise, the incoming and outgoing referrals, a referral (record the
contact's answer, accept or decline), and the public page where the contact answers."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from crm import access
from crm.auth.models import User
from crm.contacts.models import Contact
from crm.db import utcnow
from crm.extensions import db
from crm.i18n import _, force_locale
from crm.organizations.models import Organization
from crm.query_args import paginate
from crm.referrals import bp, queries, services, tokens
from crm.referrals.forms import (
    CONSENT_STATUS_LABELS,
    SHARED_LABELS,
    SHORT_KIND_LABELS,
    STATUS_LABELS,
    AcceptForm,
    AnswerForm,
    ConsentForm,
    DeclineForm,
    EndShareForm,
    ReferForm,
)
from crm.referrals.models import Referral
from crm.transaction import refusals_flashed, refusals_shown_on

LABELS = {"statuses": STATUS_LABELS, "kinds": SHORT_KIND_LABELS, "shared_labels": SHARED_LABELS,
          "consent_labels": CONSENT_STATUS_LABELS}


PER_PAGE = 50
BOXES = ("incoming", "outgoing")


@bp.route("/referrals")
@login_required
def index():
    """The organization's incoming or outgoing referrals (``?box=``), or every one for the programme
    office; and the figures by organization."""
    if not access.can_list_referrals(current_user):
        abort(403)
    if access.sees_every_referral(current_user):
        box, query = "all", queries.everything(current_user)
        figures = queries.figures_by_organization()
    else:
        box = request.args.get("box") if request.args.get("box") in BOXES else "incoming"
        query = (queries.incoming if box == "incoming" else queries.outgoing)(current_user)
        figures = queries.figures_by_organization(current_user.organization_id)
    return render_template("referrals/index.html", box=box, page=paginate(query, per_page=PER_PAGE),
                           figures=figures, **LABELS)


def _refer_form(enterprise, formdata=None) -> ReferForm:
    form = ReferForm(formdata=formdata)
    organizations = db.session.execute(select(Organization.id, Organization.name).where(
        Organization.is_active.is_(True), Organization.id != enterprise.organization_id).order_by(Organization.name))
    form.to_organization_id.choices = [SelectChoice(id_, name) for id_, name in organizations]
    contacts = db.session.execute(select(Contact.id, Contact.first_name, Contact.last_name, Contact.email).where(
        Contact.enterprise_id == enterprise.id, Contact.archived_at.is_(None), Contact.anonymized_at.is_(None))
        .order_by(Contact.last_name, Contact.first_name))
    form.contact_id.choices = [SelectChoice(id_, Contact.join_name(first, last) + (f" <{email}>" if email else ""))
                               for id_, first, last, email in contacts]
    return form


@bp.route("/enterprises/<int:enterprise_id>/refer", methods=["GET", "POST"])
@login_required
def refer(enterprise_id):
    enterprise = access.get_enterprise_or_404(enterprise_id, current_user)
    if not access.can_refer_enterprise(current_user, enterprise):
        abort(403)
    form = _refer_form(enterprise, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        with refusals_shown_on(form):
            organization = db.session.get(Organization, form.to_organization_id.data)
            referral = services.refer(
                enterprise, actor=current_user, to_organization=organization,
                kind=form.kind.data, purpose=form.purpose.data, message=form.message.data, shared=form.shared.data,
                contact=db.session.get(Contact, form.contact_id.data), consent_method=form.consent_method.data,
                consent_source=form.consent_source.data, share_ends_on=form.share_ends_on.data)
            flash(_("Referral sent to %(organization)s.", organization=referral.to_organization.name)
                  if referral.status == "sent" else _("The contact's consent is asked by email."), "success")
            return redirect(url_for("referrals.detail", referral_id=referral.id))
    status = 400 if request.method == "POST" else 200
    return render_template("referrals/refer.html", enterprise=enterprise, form=form), status


def render_referral(referral, *, status=200, **forms):
    user = current_user
    context = {"referral": referral, "enterprise": referral.enterprise, **LABELS,
               "can_decide": access.can_decide_referral(user, referral) and referral.status == "sent",
               "can_record": access.can_record_referral_consent(user, referral)
               and referral.status == "consent_pending",
               "can_open_enterprise": access.can_view_enterprise(user, referral.enterprise),
               # A refused ending (the share ended meanwhile) keeps its form, to show why.
               "can_end": access.can_end_share(user, referral) and (referral.is_running_share or "end_form" in forms)}
    if context["can_decide"]:
        accept_form = forms.get("accept_form") or AcceptForm(prefix="accept", formdata=None)
        accept_form.coach_id.choices = _coach_choices(referral)
        context["accept_form"] = accept_form
        context["decline_form"] = forms.get("decline_form") or DeclineForm(prefix="decline", formdata=None)
    if context["can_end"]:
        context["end_form"] = forms.get("end_form") or EndShareForm(prefix="end", formdata=None)
    if context["can_record"]:
        context["consent_form"] = forms.get("consent_form") or ConsentForm(prefix="consent", formdata=None)
    return render_template("referrals/detail.html", **context), status


def _coach_choices(referral) -> list[SelectChoice]:
    coaches = db.session.execute(access.referral_coaches(current_user, referral)
                                 .with_only_columns(User.id, User.full_name))
    return [SelectChoice(id_, name) for id_, name in coaches]


@bp.route("/referrals/<int:referral_id>")
@login_required
def detail(referral_id):
    return render_referral(access.get_referral_or_404(referral_id, current_user))


def _back(referral):
    return redirect(url_for("referrals.detail", referral_id=referral.id))


@bp.route("/referrals/<int:referral_id>/consent", methods=["POST"])
@login_required
def record_consent(referral_id):
    referral = access.get_referral_or_404(referral_id, current_user)
    if not access.can_record_referral_consent(current_user, referral):
        abort(403)
    form = ConsentForm(prefix="consent")
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.record_consent(referral, actor=current_user, given=form.answer.data == "given",
                                    source=form.source.data)
            flash(_("The contact's answer is recorded."), "success")
            return _back(referral)
    return render_referral(referral, status=400, consent_form=form)


@bp.route("/referrals/<int:referral_id>/accept", methods=["POST"])
@login_required
def accept(referral_id):
    referral = access.get_referral_or_404(referral_id, current_user, for_decide=True)
    form = AcceptForm(prefix="accept")
    form.coach_id.choices = _coach_choices(referral)
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.accept(referral, actor=current_user, coach=db.session.get(User, form.coach_id.data))
            flash(_("Referral accepted: %(enterprise)s is followed by your organization.",
                    enterprise=referral.enterprise.name), "success")
            return redirect(url_for("enterprises.detail", enterprise_id=referral.enterprise_id))
    return render_referral(referral, status=400, accept_form=form)


@bp.route("/referrals/<int:referral_id>/decline", methods=["POST"])
@login_required
def decline(referral_id):
    referral = access.get_referral_or_404(referral_id, current_user, for_decide=True)
    form = DeclineForm(prefix="decline")
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.decline(referral, actor=current_user, reason=form.reason.data)
            flash(_("Referral declined."), "success")
            return _back(referral)
    return render_referral(referral, status=400, decline_form=form)


@bp.route("/referrals/<int:referral_id>/end", methods=["POST"])
@login_required
def end_share(referral_id):
    referral = access.get_referral_or_404(referral_id, current_user)
    if not access.can_end_share(current_user, referral):
        abort(403)
    form = EndShareForm(prefix="end")
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.end_share(referral, actor=current_user)
            flash(_("Share ended: %(enterprise)s is back with %(organization)s.", enterprise=referral.enterprise.name,
                    organization=referral.from_organization.name), "success")
            return _back(referral)
    return render_referral(referral, status=400, end_form=form)


# The contact's page, without an account: the signed link of the email is the credential -------------

def _referral_for_token(token: str) -> Referral:
    referral_id = tokens.referral_id_from_token(token)
    referral = db.session.get(Referral, referral_id) if referral_id is not None else None
    if referral is None or referral.contact is None or referral.contact.anonymized_at is not None:
        abort(404)
    return referral


@bp.route("/referrals/consent/<token>", methods=["GET", "POST"])
def consent(token):
    referral = _referral_for_token(token)
    contact = referral.contact
    language = request.args.get("lang")
    if language not in ("fr", "en"):
        language = contact.preferred_language if contact.preferred_language in ("fr", "en") else "fr"
    form = AnswerForm()
    status = 200
    with force_locale(language):
        if request.method == "POST":
            answer = request.form.get("answer")
            if not form.validate_on_submit() or answer not in ("given", "refused"):
                form.form_errors.append(_("Choose one of the two buttons to answer."))
                status = 400
            else:
                with refusals_flashed():
                    services.answer_consent(referral, given=answer == "given", now=utcnow())
                    flash(_("Thank you: your answer is recorded."), "success")
                return redirect(url_for("referrals.consent", token=token, lang=language))
        response = render_template("referrals/consent.html", referral=referral, contact=contact, form=form,
                                   token=token, language=language, shared_labels=SHARED_LABELS)
    return response, status, {"Cache-Control": "no-store"}
