"""Where the surveys meet the other features, through the signals of crm/signals.py: the worker's
round (queue what is due, send the outbox), the sections of the cohort and session pages, the menu,
the dashboard's section, a contact's export and erasure (Law 25)."""
import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from crm import access, signals
from crm.cohorts import timeutil
from crm.cohorts.models import Cohort
from crm.contributions import DashboardSection, Indicator, MenuItem, ReportIndicators, Section
from crm.extensions import db
from crm.i18n import _, _l
from crm.reports import versions
from crm.surveys import emails, queries, services
from crm.surveys.forms import TIMING_LABELS, TimingForm
from crm.surveys.models import Survey, SurveyExtraAnswer, SurveyQuestion
from crm.transaction import step

log = logging.getLogger(__name__)

SECTION_ORDER = 60


def run_round(*, me: str, now: datetime | None = None, batch: int | None = None) -> int:
    """Queue the surveys due (one step), then send them; returns how many were sent. The dashboard's
    figures count what was sent: the organizations whose surveys went out are marked changed."""
    started = now or timeutil.now()
    try:
        with step():
            services.queue_due_surveys(started)
    except OperationalError:  # SQLite: another sender holds the write lock; what is due waits a round
        log.warning("surveys due not queued by %s: database busy", me)
    sent = emails.send_due(me=me, now=started, batch=batch)
    if sent:
        with step():
            versions.organizations_changed(db.session, db.session.scalars(
                select(Survey.organization_id).where(Survey.sent_at >= started).distinct()))
    return sent


@signals.outboxes.connect
def worker_round(_sender, *, me, batch=None, **_extra):
    return run_round(me=me, batch=batch)


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return MenuItem("surveys.results", _l("Surveys"), 45, access.can_view_survey_results,
                    also=frozenset({"surveys.questions"}), group="reports")


# --- The cohort's and the session's pages --------------------------------------------------------

def _section(user, organization_id: int, data: dict, comments_of: dict, **context) -> Section:
    comments = []
    if access.can_read_survey_comments(user, organization_id):
        comments = queries.comments(organization_id=organization_id, **comments_of)
    if not data["total"].shown:  # read all the same: the page sends as many queries either way
        comments = []
    return Section("surveys/_page_section.html", {"data": data, "comments": comments, **context},
                   order=SECTION_ORDER)


@signals.cohort_sections.connect
def page_section(shown, *, user, **_extra):
    if not access.can_see_survey_figures(user, shown.organization_id):
        return None
    if isinstance(shown, Cohort):
        context = {"cohort": shown, "timing_form": None, "timing": None}
        if access.can_set_survey_timing(user, shown):
            timing = queries.cohort_timing(shown.id) or current_app.config["SURVEY_TIMING"]
            context.update(timing_form=TimingForm(formdata=None, timing=timing), timing=TIMING_LABELS.get(timing))
        return _section(user, shown.organization_id, queries.results(cohort_id=shown.id),
                        {"cohort_id": shown.id}, **context)
    data = queries.results(session_id=shown.id)
    if not data["total"].sent:  # a session nobody was surveyed about (an individual one, most often)
        return None
    return _section(user, shown.organization_id, data, {"session_id": shown.id}, cohort=None)


# --- The dashboard -------------------------------------------------------------------------------

def survey_values(scope) -> list:
    return queries.figures_by_organization(scope)


def present_surveys(values: list) -> dict:
    minimum = queries.minimum_answers()
    total = queries.Figures(minimum=minimum)
    organizations = []
    for _org_id, name, *sums in values:
        figures = queries.Figures(*sums, minimum=minimum)
        total.add(figures)
        organizations.append(queries.Group(_org_id, name, figures))
    return {"total": total, "organizations": sorted(organizations, key=lambda g: g.label), "minimum": minimum}


def survey_sheets(section: dict) -> list:
    def row(label, f):
        return [label, f.sent, f.answered, (f.response_rate, "0.0%") if f.response_rate is not None else None,
                f.satisfaction, f.usefulness, (f.would_recommend, "0.0%") if f.would_recommend is not None else None]

    header = [_("Organization"), _("Surveys sent"), _("Answers"), _("Response rate"),
              _("Average satisfaction (1 to 5)"), _("Average usefulness (1 to 5)"), _("Would recommend")]
    rows = [row(_("All"), section["total"]), *(row(g.label, g.figures) for g in section["organizations"])]
    return [(_("Satisfaction"), header, rows)]


@signals.report_indicators.connect
def report_indicators(_sender, **_extra):
    """Satisfaction in the ministry's report pack: for the whole scope only (an average of people's
    answers does not add up by region or sector, and small groups would be re-identifiable)."""
    return ReportIndicators("surveys", (
        Indicator("surveys_sent", _l("Satisfaction surveys sent"), _l(
            "Surveys sent during the period to the people marked present at a training or coaching session (or "
            "at the end of their cohort) of the enterprises in scope; one per person and session."), value="sent"),
        Indicator("survey_response_rate", _l("Survey response rate"), _l(
            "Surveys answered to date, out of the surveys sent during the period."), kind="percent",
            value="answered", per="sent"),
        Indicator("average_satisfaction", _l("Average overall satisfaction"), _l(
            "Mean of the answers to \"overall satisfaction\", from 1 (not at all satisfied) to 5 (very satisfied); "
            "not shown below the minimum number of answers that keeps answers anonymous (5 unless the programme "
            "set another)."), kind="score", value="average_satisfaction"),
        Indicator("would_recommend", _l("Would recommend"), _l(
            "Share of the people who answered \"would you recommend it?\" who said yes; not shown below the "
            "minimum number of answers."), kind="percent", value="would_recommend"),
    ), totals=queries.satisfaction_figures, order=15, heading=_l("Satisfaction"))


@signals.dashboard_sections.connect
def dashboard_section(_sender, **_extra):
    return DashboardSection("surveys", survey_values, "surveys/_dashboard_section.html", present_surveys,
                            order=30, sheets=survey_sheets)


# --- Law 25 --------------------------------------------------------------------------------------

@signals.contact_export_sections.connect
def export_section(contact, **_extra):
    surveys = db.session.scalars(
        select(Survey).where(Survey.contact_id == contact.id).order_by(Survey.id)
        .options(selectinload(Survey.session), selectinload(Survey.cohort),
                 selectinload(Survey.extra_answers).selectinload(SurveyExtraAnswer.question))).all()
    return ("satisfaction_surveys", [{
        "about": emails.subject_title(s), "sent_at": s.sent_at, "closes_at": s.closes_at,
        "answered_at": s.answered_at, "satisfaction": s.satisfaction, "usefulness": s.usefulness,
        "intention": s.intention, "recommend": s.recommend, "comment": s.comment,
        **{f"question: {a.question.label_fr}": a.value for a in s.extra_answers},
    } for s in surveys])


@signals.contact_anonymized.connect
def forget_contact(contact, **_extra):
    """The survey is no longer linked to the person, and what they wrote (which may name them) is
    erased; the scores stay, counted in the statistics. A survey not sent yet is not sent."""
    ids = select(Survey.id).where(Survey.contact_id == contact.id).scalar_subquery()
    texts = select(SurveyQuestion.id).where(SurveyQuestion.kind == "text").scalar_subquery()
    db.session.execute(delete(SurveyExtraAnswer).where(SurveyExtraAnswer.survey_id.in_(ids),
                                                       SurveyExtraAnswer.question_id.in_(texts))
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Survey).where(Survey.contact_id == contact.id, Survey.state == "pending")
                       .values(state="cancelled", last_error="contact erased", updated_at=timeutil.now())
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Survey).where(Survey.contact_id == contact.id)
                       .values(contact_id=None, comment=None).execution_options(synchronize_session=False))
