"""Routes of the surveys: the public questionnaire behind a survey's signed link, the results for
managers, the questions an admin adds, and a cohort's timing."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from crm import access
from crm.cohorts import timeutil
from crm.formatting import format_decimal
from crm.i18n import _, force_locale
from crm.surveys import bp, queries, services
from crm.surveys.forms import (
    QUESTION_KIND_LABELS,
    QuestionForm,
    RetireForm,
    TimingForm,
    answer_form,
)
from crm.surveys.tokens import survey_id_from_token
from crm.transaction import refusals_flashed, refusals_shown_on

NO_STORE = {"Cache-Control": "no-store"}


@bp.app_template_filter("score")
def score_filter(value) -> str:
    """An average out of 5, one decimal: « 4,2 » in French, "4.2" in English."""
    return "" if value is None else format_decimal(value, format="0.0")


def _survey_for_token(token: str):
    survey_id = survey_id_from_token(token) if len(token) < 200 else None
    survey = queries.survey_for_answering(survey_id) if survey_id is not None else None
    if survey is None:
        abort(404)
    return survey


def _language(survey) -> str:
    language = request.args.get("lang")
    if language in ("fr", "en"):
        return language
    contact = survey.contact
    return contact.preferred_language if contact is not None and contact.preferred_language in ("fr", "en") else "fr"


@bp.route("/surveys/answer/<token>", methods=["GET", "POST"])
def answer(token):
    survey = _survey_for_token(token)
    language = _language(survey)
    with force_locale(language):
        if not survey.is_open:
            page = render_template("surveys/closed.html", survey=survey, language=language)
            return page, 409 if request.method == "POST" else 200, NO_STORE
        questions = queries.active_questions()
        form = answer_form(questions, language, survey if request.method == "GET" else None)
        status = 200
        if form.validate_on_submit():
            with refusals_shown_on(form):
                services.save_answers(survey, **form.values(), extras=form.extras(questions), now=timeutil.now())
                flash(_("Thank you: your answers are recorded."), "success")
                return redirect(url_for("surveys.answer", token=token, lang=language)), 303, NO_STORE
            status = 400
        elif form.is_submitted():
            status = 400
        page = render_template("surveys/answer.html", survey=survey, form=form, questions=questions, token=token,
                               language=language)
    return page, status, NO_STORE


@bp.route("/surveys")
@login_required
def results():
    if not access.can_view_survey_results(current_user):
        abort(403)
    organization_id = access.organization_in_view(current_user)
    data = queries.results(organization_id=organization_id)
    comments = []
    if organization_id is not None and access.can_read_survey_comments(current_user, organization_id):
        comments = queries.comments(organization_id=organization_id)
    if not data["total"].shown:  # read all the same: the page sends as many queries either way
        comments = []
    return render_template("surveys/results.html", data=data, comments=comments, programme=organization_id is None,
                           extras=queries.extra_results(organization_id=organization_id),
                           can_manage_questions=access.can_manage_survey_questions(current_user))


@bp.route("/surveys/questions", methods=["GET", "POST"])
@login_required
def questions():
    if not access.can_manage_survey_questions(current_user):
        abort(403)
    form = QuestionForm()
    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.add_question(actor=current_user, kind=form.kind.data, label_fr=form.label_fr.data.strip(),
                                  label_en=form.label_en.data.strip())
            flash(_("Question added."), "success")
            return redirect(url_for("surveys.questions"))
    return render_template("surveys/questions.html", form=form, questions=queries.all_questions(),
                           retire_form=RetireForm(), kinds=QUESTION_KIND_LABELS), 400 if form.errors else 200


@bp.route("/surveys/questions/<int:question_id>/retire", methods=["POST"])
@login_required
def retire_question(question_id):
    question = access.get_survey_question_or_404(question_id, current_user)
    if not RetireForm().validate_on_submit():
        abort(400)
    services.retire_question(question, actor=current_user)
    flash(_("Question retired: it is no longer asked."), "success")
    return redirect(url_for("surveys.questions"))


@bp.route("/cohorts/<int:cohort_id>/survey-timing", methods=["POST"])
@login_required
def cohort_timing(cohort_id):
    cohort = access.get_cohort_or_404(cohort_id, current_user, for_manage=True)
    form = TimingForm()
    if not form.validate_on_submit():
        abort(400)
    with refusals_flashed("error"):
        services.set_cohort_timing(cohort, form.timing.data, actor=current_user)
        flash(_("Survey timing saved."), "success")
    return redirect(url_for("cohorts.cohort_page", cohort_id=cohort.id, _anchor="surveys"))
