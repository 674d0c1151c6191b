"""Reads of the surveys: which are due, a survey behind a link, and the results.

Results are sums at the finest grain (organization, cohort, session) in one aggregate query, added up
in Python for the cohort, the organization and the programme: averages of sums stay exact. A group's
results (averages, shares) are shown only from ``SURVEY_MIN_ANSWERS`` answers (re-identification);
what was sent, answered and the response rate always are.

The figures of a period count the surveys sent during it, with their answers to date.
"""
import functools
from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Integer, and_, case, cast, exists, false, func, or_, select
from sqlalchemy.orm import selectinload

from crm.cohorts.models import Attendance, Cohort, ProgrammeSession, attendance_contacts
from crm.contacts.models import Contact
from crm.contributions import ReportScope
from crm.domain import QUEBEC
from crm.extensions import db
from crm.organizations.models import Organization
from crm.surveys.models import CohortSurveyTiming, Survey, SurveyExtraAnswer, SurveyQuestion

Candidate = namedtuple("Candidate", "session_id cohort_id organization_id enterprise_id contact_id")


# --- Due surveys ---------------------------------------------------------------------------------

def _reachable(contact=Contact):
    return and_(contact.email.is_not(None), contact.email != "", contact.email_consent.is_(True),
                contact.archived_at.is_(None), contact.anonymized_at.is_(None))


def _timing():
    return func.coalesce(CohortSurveyTiming.timing, current_app.config["SURVEY_TIMING"])


def _present_contacts():
    return (select().select_from(Attendance)
            .join(attendance_contacts, attendance_contacts.c.attendance_id == Attendance.id)
            .join(Contact, Contact.id == attendance_contacts.c.contact_id)
            .where(Attendance.status == "present", _reachable()))


def _after_sessions(now: datetime, since: datetime) -> list:
    s = ProgrammeSession
    individual = s.enterprise_id.is_not(None) if current_app.config["SURVEY_INDIVIDUAL_SESSIONS"] else false()
    surveyed = exists().where(Survey.session_id == s.id, Survey.contact_id == Contact.id)
    query = (_present_contacts().add_columns(s.id, s.cohort_id, s.organization_id, Contact.enterprise_id, Contact.id)
             .join(s, s.id == Attendance.session_id)
             .outerjoin(CohortSurveyTiming, CohortSurveyTiming.cohort_id == s.cohort_id)
             .where(s.status == "scheduled", s.attendance_taken_at.is_not(None), s.ends_at <= now,
                    s.ends_at >= since, or_(and_(s.cohort_id.is_not(None), _timing() == "session"), individual),
                    ~surveyed))
    return [Candidate(*row) for row in db.session.execute(query)]


def _at_cohort_ends(now: datetime, since: datetime) -> list:
    today = now.astimezone(QUEBEC).date()
    first = since.astimezone(QUEBEC).date()
    surveyed = exists().where(Survey.cohort_id == Cohort.id, Survey.session_id.is_(None),
                              Survey.contact_id == Contact.id)
    query = (_present_contacts()
             .add_columns(Cohort.id, Cohort.organization_id, Contact.enterprise_id, Contact.id)
             .join(ProgrammeSession, ProgrammeSession.id == Attendance.session_id)
             .join(Cohort, Cohort.id == ProgrammeSession.cohort_id)
             .outerjoin(CohortSurveyTiming, CohortSurveyTiming.cohort_id == Cohort.id)
             .where(_timing() == "cohort_end", Cohort.end_date < today, Cohort.end_date >= first,
                    ProgrammeSession.status == "scheduled", ~surveyed)
             .distinct())
    return [Candidate(None, *row) for row in db.session.execute(query)]


def due_candidates(now: datetime) -> list[Candidate]:
    """The people to survey now: present at a session that ended (attendance taken), or at a session
    of a cohort that ended, within ``SURVEY_SEND_WITHIN_DAYS``, reachable by email, not yet surveyed."""
    since = now - timedelta(days=int(current_app.config["SURVEY_SEND_WITHIN_DAYS"]))
    return _after_sessions(now, since) + _at_cohort_ends(now, since)


# --- A survey and its questions ------------------------------------------------------------------

def survey_for_answering(survey_id: int) -> Survey | None:
    return db.session.scalars(select(Survey).where(Survey.id == survey_id, Survey.state == "sent")
                              .options(selectinload(Survey.extra_answers), selectinload(Survey.session),
                                       selectinload(Survey.cohort), selectinload(Survey.organization))).first()


def active_questions() -> list[SurveyQuestion]:
    return list(db.session.scalars(select(SurveyQuestion).where(SurveyQuestion.active.is_(True))
                                   .order_by(SurveyQuestion.position, SurveyQuestion.id)))


def all_questions() -> list[SurveyQuestion]:
    return list(db.session.scalars(select(SurveyQuestion)
                                   .order_by(SurveyQuestion.active.desc(), SurveyQuestion.position, SurveyQuestion.id)))


def cohort_timing(cohort_id: int) -> str | None:
    return db.session.scalar(select(CohortSurveyTiming.timing).where(CohortSurveyTiming.cohort_id == cohort_id))


# --- Results -------------------------------------------------------------------------------------

@dataclass
class Figures:
    """Sums of a group of surveys; its averages and shares once it has enough answers."""

    sent: int = 0
    answered: int = 0
    satisfaction_sum: int = 0
    usefulness_sum: int = 0
    recommend_yes: int = 0
    recommend_answered: int = 0
    intention_yes: int = 0
    intention_maybe: int = 0
    intention_no: int = 0
    minimum: int = 5

    def add(self, other: "Figures") -> "Figures":
        for name in ("sent", "answered", "satisfaction_sum", "usefulness_sum", "recommend_yes",
                     "recommend_answered", "intention_yes", "intention_maybe", "intention_no"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def shown(self) -> bool:
        return self.answered >= self.minimum

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None

    def _share(self, part: int, whole: int) -> float | None:
        return part / whole if self.shown and whole else None

    @property
    def satisfaction(self) -> float | None:
        return self._share(self.satisfaction_sum, self.answered)

    @property
    def usefulness(self) -> float | None:
        return self._share(self.usefulness_sum, self.answered)

    @property
    def would_recommend(self) -> float | None:
        return self._share(self.recommend_yes, self.recommend_answered)

    @property
    def intends_to_act(self) -> float | None:
        return self._share(self.intention_yes, self.answered)


def minimum_answers() -> int:
    return int(current_app.config["SURVEY_MIN_ANSWERS"])


@functools.cache
def _sums():
    """The sums every results query reads: built once (the same SQL expressions every time)."""
    s = Survey
    answered = s.answered_at.is_not(None)

    def count_when(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (count_when(s.state == "sent"), count_when(answered), func.coalesce(func.sum(s.satisfaction), 0),
            func.coalesce(func.sum(s.usefulness), 0), count_when(s.recommend.is_(True)),
            count_when(s.recommend.is_not(None)), count_when(s.intention == "yes"),
            count_when(s.intention == "maybe"), count_when(s.intention == "no"))


def _figures(values, minimum: int) -> Figures:
    return Figures(*(int(v) for v in values), minimum=minimum)


@dataclass
class Group:
    key: object
    label: str
    figures: Figures
    starts_at: datetime | None = None


def results(*, organization_id: int | None = None, cohort_id: int | None = None,
            session_id: int | None = None) -> dict:
    """The results of the surveys sent, for the programme (no filter), an organization, a cohort or
    a session: {"total", "organizations", "cohorts", "sessions"} of ``Group``, in one query."""
    s, minimum = Survey, minimum_answers()
    conditions = [s.state == "sent"]
    if organization_id is not None:
        conditions.append(s.organization_id == organization_id)
    if cohort_id is not None:
        conditions.append(s.cohort_id == cohort_id)
    if session_id is not None:
        conditions.append(s.session_id == session_id)
    rows = db.session.execute(
        select(s.organization_id, Organization.name, s.cohort_id, Cohort.name, s.session_id,
               ProgrammeSession.title, ProgrammeSession.starts_at, *_sums())
        .join(Organization, Organization.id == s.organization_id)
        .outerjoin(Cohort, Cohort.id == s.cohort_id)
        .outerjoin(ProgrammeSession, ProgrammeSession.id == s.session_id)
        .where(*conditions)
        .group_by(s.organization_id, Organization.name, s.cohort_id, Cohort.name, s.session_id,
                  ProgrammeSession.title, ProgrammeSession.starts_at))
    total = Figures(minimum=minimum)
    organizations, cohorts, sessions = {}, {}, []
    for org_id, org_name, c_id, c_name, s_id, title, starts_at, *values in rows:
        figures = _figures(values, minimum)
        total.add(figures)
        organizations.setdefault(org_id, Group(org_id, org_name, Figures(minimum=minimum))).figures.add(figures)
        if c_id is not None:
            cohorts.setdefault(c_id, Group(c_id, c_name, Figures(minimum=minimum))).figures.add(figures)
        if s_id is not None:
            sessions.append(Group(s_id, title, figures, starts_at))
    return {"total": total,
            "organizations": sorted(organizations.values(), key=lambda g: g.label),
            "cohorts": sorted(cohorts.values(), key=lambda g: g.label),
            "sessions": sorted(sessions, key=lambda g: (g.starts_at, g.key), reverse=True)}


def comments(*, organization_id: int, cohort_id: int | None = None, session_id: int | None = None,
             limit: int = 200) -> list:
    """[(answered at, comment, session title or None)] of an organization's surveys, newest first."""
    s = Survey
    conditions = [s.organization_id == organization_id, s.comment.is_not(None)]
    if cohort_id is not None:
        conditions.append(s.cohort_id == cohort_id)
    if session_id is not None:
        conditions.append(s.session_id == session_id)
    return list(db.session.execute(
        select(s.answered_at, s.comment, ProgrammeSession.title)
        .outerjoin(ProgrammeSession, ProgrammeSession.id == s.session_id)
        .where(*conditions).order_by(s.answered_at.desc(), s.id.desc()).limit(limit)))


def extra_results(*, organization_id: int | None = None) -> list:
    """[(question, answers, average of a scale or share of yes)] of the active added questions."""
    questions = active_questions()
    if not questions:
        return []
    a = SurveyExtraAnswer
    conditions = [a.question_id.in_([q.id for q in questions])]
    if organization_id is not None:
        conditions.append(Survey.organization_id == organization_id)
    numeric = func.sum(case((a.value.in_(("1", "2", "3", "4", "5")), cast(a.value, Integer)), else_=0))
    yes = func.sum(case((a.value == "yes", 1), else_=0))
    rows = {question_id: (int(count), int(total or 0), int(yeses or 0)) for question_id, count, total, yeses in
            db.session.execute(select(a.question_id, func.count(), numeric, yes)
                               .join(Survey, Survey.id == a.survey_id).where(*conditions).group_by(a.question_id))}
    minimum, out = minimum_answers(), []
    for question in questions:
        count, total, yeses = rows.get(question.id, (0, 0, 0))
        value = None
        if count >= minimum and question.kind == "scale":
            value = total / count
        elif count >= minimum and question.kind == "yes_no":
            value = yeses / count
        out.append((question, count, value))
    return out


def _period(scope: ReportScope) -> list:
    conditions = [Survey.state == "sent", Survey.enterprise_id.in_(scope.enterprise_ids)]
    if scope.start is not None:
        conditions.append(Survey.sent_at >= scope.start)
    if scope.end is not None:
        conditions.append(Survey.sent_at < scope.end)
    return conditions


def figures_by_organization(scope: ReportScope) -> list[list]:
    """[[organization id, name, the nine sums of ``Figures``]] of the scope's surveys, in one query."""
    rows = db.session.execute(
        select(Survey.organization_id, Organization.name, *_sums())
        .join(Organization, Organization.id == Survey.organization_id)
        .where(*_period(scope)).group_by(Survey.organization_id, Organization.name))
    return [[org_id, name, *(int(v) for v in values)] for org_id, name, *values in rows]


def satisfaction_figures(scope: ReportScope) -> dict:
    """The funder's satisfaction figures for a report's scope, in one query: surveys sent during the
    period to people of the scope's enterprises, answered (to date), the response rate, the average
    overall satisfaction (1–5) and the share who would recommend; the last two are None below
    ``SURVEY_MIN_ANSWERS`` answers (``hidden``)."""
    values = db.session.execute(select(*_sums()).where(*_period(scope))).one()
    figures = _figures(values, minimum_answers())
    return {"sent": figures.sent, "answered": figures.answered, "response_rate": figures.response_rate,
            "average_satisfaction": figures.satisfaction, "would_recommend": figures.would_recommend,
            "hidden": not figures.shown}
