"""Write operations of the surveys: queue the surveys due, record a person's answers, the questions
an admin adds, a cohort's timing. They flush, never commit.

A survey is created once per person marked present (``uq_surveys_*``): the round inserts what is due
and skips, in the database, what another round inserted meanwhile (two senders, attendance saved
twice), so nobody is surveyed twice about the same session or cohort.
"""
import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from crm import outbox
from crm.domain import DomainError
from crm.extensions import db
from crm.i18n import _l
from crm.reports import versions
from crm.surveys import queries
from crm.surveys.models import (
    INTENTIONS,
    QUESTION_KINDS,
    TIMINGS,
    CohortSurveyTiming,
    Survey,
    SurveyExtraAnswer,
    SurveyQuestion,
)

log = logging.getLogger(__name__)

MAX_QUESTIONS = 5  # a few questions: the questionnaire stays short enough to answer on a phone


class SurveyClosed(DomainError):
    def __init__(self):
        super().__init__(_l("This survey is closed: answers can no longer be changed."))


def _insert(rows: list[dict]) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(Survey.__table__).on_conflict_do_nothing(), rows)


def queue_due_surveys(now: datetime) -> int:
    """Create the surveys due (sessions ended with attendance taken, cohorts ended); returns how many
    candidates were found (those another round created meanwhile are skipped)."""
    candidates = queries.due_candidates(now)
    if not candidates:
        return 0
    closes_at = now + timedelta(days=int(current_app.config["SURVEY_OPEN_DAYS"]))
    rows = [{"organization_id": c.organization_id, "cohort_id": c.cohort_id, "session_id": c.session_id,
             "enterprise_id": c.enterprise_id, "contact_id": c.contact_id, "closes_at": closes_at,
             "due_at": now, "state": "pending", "attempts": 0, "created_at": now, "updated_at": now,
             "message_id": outbox.new_message_id("survey")} for c in candidates]
    _insert(rows)
    versions.organizations_changed(db.session, {c.organization_id for c in candidates})
    log.info("surveys queued: %s", len(rows))
    return len(rows)


def save_answers(survey: Survey, *, satisfaction: int, usefulness: int, intention: str, recommend: bool,
                 comment: str | None, extras: dict[int, str], now: datetime) -> Survey:
    """Record (or change, until the survey closes) a person's answers."""
    if not survey.is_open:
        raise SurveyClosed()
    if intention not in INTENTIONS or not (1 <= satisfaction <= 5 and 1 <= usefulness <= 5):
        raise DomainError(_l("Choose an answer for each question."))
    survey.satisfaction, survey.usefulness, survey.intention = satisfaction, usefulness, intention
    survey.recommend, survey.comment = recommend, comment or None
    survey.answered_at = now
    kept = {answer.question_id: answer for answer in survey.extra_answers}
    for question_id, value in extras.items():
        if value in (None, ""):
            if question_id in kept:
                survey.extra_answers.remove(kept[question_id])
        elif question_id in kept:
            kept[question_id].value = value
        else:
            survey.extra_answers.append(SurveyExtraAnswer(question_id=question_id, value=value))
    db.session.flush()
    versions.organizations_changed(db.session, [survey.organization_id])
    log.info("survey %s answered", survey.id)
    return survey


def add_question(*, actor, kind: str, label_fr: str, label_en: str) -> SurveyQuestion:
    if kind not in QUESTION_KINDS:
        raise DomainError(_l("Choose a kind of question."))
    active = db.session.scalars(select(SurveyQuestion).where(SurveyQuestion.active.is_(True))).all()
    if len(active) >= MAX_QUESTIONS:
        raise DomainError(_l("At most %(count)s added questions: retire one first.", count=MAX_QUESTIONS))
    position = max((q.position for q in active), default=0) + 1
    question = SurveyQuestion(kind=kind, label_fr=label_fr, label_en=label_en, position=position)
    db.session.add(question)
    db.session.flush()
    log.info("survey question %s added by user %s", question.id, getattr(actor, "id", None))
    return question


def retire_question(question: SurveyQuestion, *, actor) -> None:
    """Retired questions are no longer asked; their answers stay."""
    question.active = False
    db.session.flush()
    log.info("survey question %s retired by user %s", question.id, getattr(actor, "id", None))


def set_cohort_timing(cohort, timing: str, *, actor) -> None:
    if timing not in TIMINGS:
        raise DomainError(_l("Choose when the participants are surveyed."))
    row = db.session.get(CohortSurveyTiming, cohort.id)
    if row is None:
        db.session.add(CohortSurveyTiming(cohort_id=cohort.id, timing=timing))
    else:
        row.timing = timing
    db.session.flush()
    log.info("survey timing of cohort %s set to %s by user %s", cohort.id, timing, getattr(actor, "id", None))
