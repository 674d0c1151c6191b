"""Who may see and do what: the one place for access rules.

- admin (programme office): everything.
- manager: every enterprise owned by their organization; assigns them to the organization's
  coaches, hands them over to another organization, archives them.
- coach: reads the enterprises of their organization; edits those assigned to them.
Anything owned by another organization does not exist for the user (404), so ids leak nothing;
visible but not allowed is 403. One exception: an enterprise that the user's organization shared
with another for a period (crm/referrals) stays visible to it, read-only, until the share ends.
"""
from flask import abort
from sqlalchemy import Select, false, or_, select

from crm.api.models import ApiToken, WebhookSubscription
from crm.auth.models import User
from crm.cohorts.models import Cohort, ProgrammeSession, cohort_facilitators
from crm.enterprises.models import Enterprise
from crm.events.models import Event
from crm.extensions import db
from crm.imports.models import ImportBatch
from crm.organizations.models import Organization
from crm.outcomes.models import DigitalProject
from crm.referrals.models import Referral
from crm.reminders.models import Reminder
from crm.savedviews.models import SavedView
from crm.surveys.models import SurveyQuestion


def shared_with(organization_id) -> Select:
    """Ids of the enterprises an organization shared with another for a period that is running: it
    still sees them, read-only (crm/referrals)."""
    return select(Referral.enterprise_id).where(Referral.kind == "share", Referral.status == "accepted",
                                                Referral.from_organization_id == organization_id)


def visible_enterprises(user, *, include_archived: bool = False) -> Select:
    """Enterprises the user may see, as a select() to filter further: their organization's, and
    those it shared with another for a period still running."""
    query = select(Enterprise)
    if not user.is_admin:
        query = query.where(or_(Enterprise.organization_id == user.organization_id,
                                Enterprise.id.in_(shared_with(user.organization_id))))
    if not include_archived:
        query = query.where(Enterprise.archived_at.is_(None))
    return query


def can_view_enterprise(user, enterprise: Enterprise) -> bool:
    if user.is_admin or enterprise.organization_id == user.organization_id:
        return True
    return db.session.scalar(shared_with(user.organization_id).where(Referral.enterprise_id == enterprise.id)
                             .limit(1)) is not None


def viewable_enterprise_ids(user, enterprise_ids) -> set[int]:
    """Which of these enterprises ``can_view_enterprise`` allows, in one query (for a list's links)."""
    ids = {i for i in enterprise_ids if i is not None}
    if not ids:
        return set()
    return set(db.session.scalars(visible_enterprises(user, include_archived=True)
                                  .where(Enterprise.id.in_(ids)).with_only_columns(Enterprise.id)))


def linkable_enterprise_ids(user, pairs) -> set[int]:
    """Of these (enterprise id, organization id) pairs, the enterprises the user may open: their own
    organization's at once, the others (shared with them for a period) in one query, if there are any."""
    if user.is_admin:
        return {enterprise_id for enterprise_id, _ in pairs}
    own = {enterprise_id for enterprise_id, organization_id in pairs if organization_id == user.organization_id}
    others = [enterprise_id for enterprise_id, organization_id in pairs if organization_id != user.organization_id]
    return own | viewable_enterprise_ids(user, others)


def can_manage_enterprise(user, enterprise: Enterprise) -> bool:
    """Assign, hand over, archive: the programme office and the owner's managers."""
    return user.is_admin or (user.is_manager and enterprise.organization_id == user.organization_id)


def can_edit_enterprise(user, enterprise: Enterprise) -> bool:
    """Profile, contacts, stage, notes, tasks, diagnostics: managers of the owner and the assigned coach."""
    return can_manage_enterprise(user, enterprise) or (
        enterprise.coach_id == user.id and enterprise.organization_id == user.organization_id
    )


def can_view_history(user, enterprise: Enterprise) -> bool:
    """The audit log shows old values of personal data: only those who may change the record."""
    return can_edit_enterprise(user, enterprise) and can_see_shared_part(user, enterprise, "history")


def can_see_shared_part(user, enterprise: Enterprise, part: str) -> bool:
    """What of an enterprise the user sees beyond its record: ``part`` is one of the referrals' shared
    parts ("record", "contacts", "history", "diagnostics"). The owner's people and the programme office
    see it all; while a share runs (crm/referrals), the other organization of the share sees only what
    the referral shared; anybody else, nothing."""
    if user.is_admin or enterprise.organization_id == user.organization_id:
        return True
    shared = db.session.scalar(select(Referral.shared).where(
        Referral.enterprise_id == enterprise.id, Referral.kind == "share", Referral.status == "accepted",
        or_(Referral.from_organization_id == user.organization_id,
            Referral.to_organization_id == user.organization_id)).limit(1))
    return shared is not None and part in shared.split()


def contacts_seen_condition(user):
    """``can_see_shared_part(user, enterprise, "contacts")`` as an SQL condition on enterprises, for
    a search that also looks in contacts' names and addresses (None: every visible enterprise)."""
    if user.is_admin:
        return None
    return or_(Enterprise.organization_id == user.organization_id,
               Enterprise.id.in_(shared_with(user.organization_id).where(Referral.shared.contains("contacts"))))


def can_complete_task(user, enterprise: Enterprise, task) -> bool:
    return can_edit_enterprise(user, enterprise) or (
        task.assignee_id == user.id and can_view_enterprise(user, enterprise)
    )


def can_create_enterprise(user) -> bool:
    return user.role in ("admin", "manager", "coach")


def can_bulk_assign(user) -> bool:
    return user.is_admin or user.is_manager


def has_caseload(user) -> bool:
    return user.is_coach


def has_work_queue(user) -> bool:
    """The home page as a work queue (crm/workqueue): a coach's caseload, a manager's organization."""
    return user.is_coach or user.is_manager


def assignable_coaches(user) -> Select:
    """Active coaches the user may assign enterprises to: their organization's (all for admins)."""
    query = select(User).where(User.role == "coach", User.is_active.is_(True))
    if not user.is_admin:
        query = query.where(User.organization_id == user.organization_id)
    return query.order_by(User.full_name, User.id)


def task_assignees(enterprise: Enterprise) -> Select:
    """People a follow-up may be given to: active staff of the enterprise's organization."""
    return (select(User)
            .where(User.is_active.is_(True), User.organization_id == enterprise.organization_id)
            .order_by(User.full_name, User.id))


def can_manage_users(user) -> bool:
    return user.is_admin


def facilitators(user, organization_id: int | None) -> Select:
    """Active coaches and managers who may facilitate a session: the user's organization's (for the
    programme office, the chosen organization's, or everyone's)."""
    query = select(User).where(User.is_active.is_(True), User.role.in_(("coach", "manager")))
    if not user.is_admin:
        query = query.where(User.organization_id == user.organization_id)
    elif organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    return query.order_by(User.full_name, User.id)


def can_choose_organization(user) -> bool:
    """Whether the user picks the organization a cohort, an import or a list is for: the programme
    office works for every organization; everyone else acts for their own."""
    return user.is_admin


def can_view_funnel_summary(user) -> bool:
    """The home page's funnel: the programme office and managers (coaches land on their caseload)."""
    return user.is_admin or user.is_manager


def can_view_team(user) -> bool:
    """A manager's own people, read-only (admins manage everyone through Administration)."""
    return user.is_manager


def can_import(user) -> bool:
    """Imports create enterprises for an organization: its managers and the programme office."""
    return user.is_admin or user.is_manager


def visible_imports(user) -> Select:
    """Import batches the user may see: their organization's, or all for the programme office."""
    query = select(ImportBatch)
    if not user.is_admin:
        query = query.where(ImportBatch.organization_id == user.organization_id)
    return query


def _loaded_or_404(model, row_id: int, user, may_view, may_act=None, *, options=()):
    """The row of ``model`` if the user may see it (else 404: ids leak nothing) and, when ``may_act``
    is given, do what is asked (else 403): the shape of every ``get_x_or_404`` below."""
    row = db.session.get(model, row_id, options=options)
    if row is None or not may_view(user, row):
        abort(404)
    if may_act is not None and not may_act(user, row):
        abort(403)
    return row


def get_import_or_404(batch_id: int, user):
    """Coaches may not import (403); another organization's import does not exist (404)."""
    if not can_import(user):
        abort(403)
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or not (user.is_admin or batch.organization_id == user.organization_id):
        abort(404)
    return batch


def get_enterprise_or_404(enterprise_id: int, user, *, for_edit: bool = False,
                          for_manage: bool = False) -> Enterprise:
    """Load and authorize in one step: invisible is 404, visible but read-only is 403."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or not can_view_enterprise(user, enterprise):
        abort(404)
    if for_manage and not can_manage_enterprise(user, enterprise):
        abort(403)
    if for_edit and not can_edit_enterprise(user, enterprise):
        abort(403)
    return enterprise


# --- The outcome chain (crm/outcomes): digital plans and projects ------------------------------

def can_record_outcomes(user, enterprise: Enterprise) -> bool:
    """Recording a plan or a project, or changing one, is editing the enterprise."""
    return can_edit_enterprise(user, enterprise)


def get_project_or_404(enterprise: Enterprise, project_id: int, user) -> DigitalProject:
    """A project of an enterprise the user may record outcomes of (the enterprise already loaded
    with ``get_enterprise_or_404``): another enterprise's project is 404, a read-only one 403."""
    project = db.session.get(DigitalProject, project_id)
    if project is None or project.enterprise_id != enterprise.id:
        abort(404)
    if not can_record_outcomes(user, enterprise):
        abort(403)
    return project


def can_administer_privacy(user) -> bool:
    """Law 25 tools (exports, anonymization, access log, incident register): the programme office."""
    return user.is_admin
# --- Cohorts and sessions --------------------------------------------------------------------
# Same shape as enterprises: a user sees what their organization owns and what they facilitate;
# managers of the owner (and admins) manage cohorts and plan sessions; facilitators run sessions
# (edit, reschedule, cancel, take attendance).

def visible_cohorts(user) -> Select:

    query = select(Cohort)
    if not user.is_admin:
        facilitated = select(cohort_facilitators.c.cohort_id).where(cohort_facilitators.c.user_id == user.id)
        query = query.where(or_(Cohort.organization_id == user.organization_id, Cohort.id.in_(facilitated)))
    return query


def can_plan_cohorts(user) -> bool:
    """Create cohorts and plan their sessions: the programme office and managers."""
    return user.is_admin or user.is_manager


def can_enrol_in_bulk(user) -> bool:
    """Enrol the enterprises ticked in the list into a cohort."""
    return user.is_admin or user.is_manager


def can_view_cohort(user, cohort) -> bool:
    return (user.is_admin or cohort.organization_id == user.organization_id
            or any(f.id == user.id for f in cohort.facilitators))


def can_manage_cohort(user, cohort) -> bool:
    """Edit the cohort, add or remove enterprises, plan its sessions."""
    return user.is_admin or (user.is_manager and cohort.organization_id == user.organization_id)


def manageable_cohorts(user) -> Select:
    """The cohorts ``can_manage_cohort`` allows, as a query."""

    query = select(Cohort)
    if user.is_admin:
        return query
    if user.is_manager:
        return query.where(Cohort.organization_id == user.organization_id)
    return query.where(false())


def can_plan_individual_session(user, enterprise: Enterprise) -> bool:
    return can_edit_enterprise(user, enterprise)


def visible_sessions(user) -> Select:
    query = select(ProgrammeSession)
    if not user.is_admin:
        facilitated = select(cohort_facilitators.c.cohort_id).where(cohort_facilitators.c.user_id == user.id)
        coached = select(Enterprise.id).where(Enterprise.coach_id == user.id)
        query = query.where(or_(
            ProgrammeSession.organization_id == user.organization_id,
            ProgrammeSession.facilitator_id == user.id,
            ProgrammeSession.cohort_id.in_(facilitated),
            ProgrammeSession.enterprise_id.in_(coached),
        ))
    return query


def can_view_session(user, session) -> bool:
    if user.is_admin or session.organization_id == user.organization_id or session.facilitator_id == user.id:
        return True
    if session.cohort is not None:
        return can_view_cohort(user, session.cohort)
    return session.enterprise.coach_id == user.id


def can_manage_session(user, session) -> bool:
    """Plan-level rights: the cohort's managers, or for individual coaching the enterprise's."""
    if session.cohort is not None:
        return can_manage_cohort(user, session.cohort)
    return can_plan_individual_session(user, session.enterprise)


def can_facilitate(user, session) -> bool:
    """Run the session: edit, reschedule, cancel, take attendance."""
    return (can_manage_session(user, session) or session.facilitator_id == user.id
            or (session.cohort is not None and any(f.id == user.id for f in session.cohort.facilitators)))


def get_cohort_or_404(cohort_id: int, user, *, for_manage: bool = False, options=()):
    """``options``: loader options of the cohort's query, for a page that needs less (or more)."""

    return _loaded_or_404(Cohort, cohort_id, user, can_view_cohort, can_manage_cohort if for_manage else None,
                          options=options)


def get_session_or_404(session_id: int, user, *, for_facilitate: bool = False):
    return _loaded_or_404(ProgrammeSession, session_id, user, can_view_session,
                          can_facilitate if for_facilitate else None)


# --- Reminders -------------------------------------------------------------------------------
# A session's reminders: its managers and its facilitator. The programme-wide list: admins, and
# managers for their organization's sessions.

def can_see_session_reminders(user, session) -> bool:
    return can_manage_session(user, session) or session.facilitator_id == user.id


def can_list_reminders(user) -> bool:
    return user.is_admin or user.is_manager


def visible_reminders(user) -> Select:
    query = select(Reminder).join(ProgrammeSession, ProgrammeSession.id == Reminder.session_id)
    if not user.is_admin:
        query = query.where(ProgrammeSession.organization_id == user.organization_id)
    return query


def get_reminder_or_404(reminder_id: int, user):
    """A reminder the user may act on: of a session they see (else 404), manage or facilitate (else 403)."""

    reminder = db.session.get(Reminder, reminder_id)
    if reminder is None or not can_view_session(user, reminder.session):
        abort(404)
    if not can_see_session_reminders(user, reminder.session):
        abort(403)
    return reminder
# People and organizations (crm/admin). Admins manage both; a manager sees, read-only, the
# people of their own organization; coaches see neither.
def can_view_users(user) -> bool:
    return user.is_admin or user.is_manager


def visible_users(user) -> Select:
    """Users the person may list, as a select() to filter further."""

    query = select(User)
    if not user.is_admin:
        query = query.where(User.organization_id == user.organization_id)
    return query


def can_manage_organizations(user) -> bool:
    return user.is_admin


def get_user_or_404(user_id: int, viewer, *, for_manage: bool = False):
    """A user of another organization does not exist for a manager; editing is admins' only."""

    if not can_view_users(viewer):
        abort(403)
    target = db.session.get(User, user_id)
    if target is None or not (viewer.is_admin or target.organization_id == viewer.organization_id):
        abort(404)
    if for_manage and not can_manage_users(viewer):
        abort(403)
    return target
# --- Reports -----------------------------------------------------------------------------------
# Figures are aggregates: every role may see a dashboard, but of its own organization only, except
# the programme office, which sees the whole programme and may narrow it to one organization.
# Coaches get their organization's dashboard, read-only like everyone's.


def can_view_reports(user) -> bool:
    return user.role in {"admin", "manager", "coach"}


def can_filter_reports_by_organization(user) -> bool:
    return user.is_admin


def report_enterprises(user, *, organization_id: int | None = None) -> Select:
    """Enterprises counted in the user's figures (archived ones excluded), as a select()."""
    query = select(Enterprise.id).where(Enterprise.archived_at.is_(None))
    if not user.is_admin:
        query = query.where(Enterprise.organization_id == user.organization_id)
    elif organization_id is not None:
        query = query.where(Enterprise.organization_id == organization_id)
    return query


def organization_in_view(user, organization_id: int | None = None) -> int | None:
    """The one organization whose enterprises a user's list, figures or export cover: the user's
    own, or the one an admin chose (``organization_id``); None when an admin chose none (the whole
    programme)."""
    return organization_id if user.is_admin else user.organization_id


# --- Events ------------------------------------------------------------------------------------
# Public events belong to an organization: its managers (and the programme office) create, publish,
# close them and see their registrations; its coaches see them and check people in at the door.
# The public sees published events only, and nothing of the enterprises registrations matched.


def can_manage_events(user) -> bool:
    return user.is_admin or user.is_manager


def can_see_events(user) -> bool:
    return user.role in ("admin", "manager", "coach")


def visible_events(user) -> Select:
    """Events the user may see on the signed-in side: their organization's, or all for the programme office."""
    query = select(Event)
    if not user.is_admin:
        query = query.where(Event.organization_id == user.organization_id)
    return query


def can_view_event(user, event) -> bool:
    return user.is_admin or (can_see_events(user) and event.organization_id == user.organization_id)


def can_manage_event(user, event) -> bool:
    """Edit, publish, close, export the registrations, decide the matching, message the people."""
    return user.is_admin or (user.is_manager and event.organization_id == user.organization_id)


def can_check_in(user, event) -> bool:
    """At the door: the event's managers and its organization's coaches."""
    return can_view_event(user, event)


def get_event_or_404(event_id: int, user, *, for_manage: bool = False):
    """Another organization's event does not exist (404); seen but not managed is 403."""
    return _loaded_or_404(Event, event_id, user, can_view_event, can_manage_event if for_manage else None)


def event_organizations(user) -> Select:
    """Organizations a user may organize events for: their own, or any active one for the programme office."""
    query = select(Organization).where(Organization.is_active.is_(True))
    if not can_choose_organization(user):
        query = query.where(Organization.id == user.organization_id)
    return query.order_by(Organization.name)


def public_organizations() -> Select:
    """Organizations whose published events anyone may list (their code is in the list's address)."""
    return select(Organization).where(Organization.is_active.is_(True))


def public_events() -> Select:
    """What anyone may see without signing in: published events."""
    return select(Event).where(Event.status.in_(("open", "closed")))


# --- API tokens ----------------------------------------------------------------------------------
# Everyone who signs in may make personal tokens: a token has its owner's rights, no more. Service
# tokens act for an organization: the programme office makes them.

def can_make_personal_tokens(user) -> bool:
    return user.role in {"admin", "manager", "coach"}


def can_manage_service_tokens(user) -> bool:
    return user.is_admin


def get_token_or_404(token_id: int, user):
    """A person's own token, or for the programme office a service token; anything else is 404."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if token.user_id == user.id or (token.is_service and can_manage_service_tokens(user)):
        return token
    abort(404)


# --- Webhooks ------------------------------------------------------------------------------------
# An organization's managers subscribe its tools to events about what it owns; the programme office
# does it for any organization. Coaches do not.

def can_manage_webhooks(user) -> bool:
    return user.is_admin or user.is_manager


def visible_webhooks(user) -> Select:
    query = select(WebhookSubscription)
    if not user.is_admin:
        query = query.where(WebhookSubscription.organization_id == user.organization_id)
    return query


def get_webhook_or_404(subscription_id: int, user):
    if not can_manage_webhooks(user):
        abort(403)
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None or not (user.is_admin or subscription.organization_id == user.organization_id):
        abort(404)
    return subscription


# --- Referrals -----------------------------------------------------------------------------------
# The owner's managers and the enterprise's coach refer it to another organization. The receiving
# organization sees a referral only once the contact's consent is on record (before, nothing was
# communicated to it), and its managers decide. Both organizations' people see the referrals
# between them; anybody else, nothing (404).

def can_refer_enterprise(user, enterprise: Enterprise) -> bool:
    return enterprise.archived_at is None and can_edit_enterprise(user, enterprise)


def can_list_referrals(user) -> bool:
    return user.role in ("admin", "manager", "coach")


def sees_every_referral(user) -> bool:
    """The programme office lists every organization's referrals; the others their own, in and out."""
    return user.is_admin


def visible_referrals(user) -> Select:
    query = select(Referral)
    if not user.is_admin:
        query = query.where(or_(
            Referral.from_organization_id == user.organization_id,
            (Referral.to_organization_id == user.organization_id) & (Referral.consent_status == "given"),
        ))
    return query


def can_view_referral(user, referral: Referral) -> bool:
    if user.is_admin or referral.from_organization_id == user.organization_id:
        return True
    return (referral.to_organization_id == user.organization_id and referral.consent_status == "given")


def can_decide_referral(user, referral: Referral) -> bool:
    """Accept (choosing a coach) or decline: the receiving organization's managers."""
    return user.is_admin or (user.is_manager and referral.to_organization_id == user.organization_id)


def can_end_share(user, referral: Referral) -> bool:
    """End a share before its date: the managers of either organization, and the programme office."""
    return user.is_admin or (user.is_manager and user.organization_id in (referral.from_organization_id,
                                                                          referral.to_organization_id)
                             and can_view_referral(user, referral))


def can_record_referral_consent(user, referral: Referral) -> bool:
    """Record the contact's answer, given by other means than the email: who may refer the enterprise."""
    return user.is_admin or (referral.from_organization_id == user.organization_id
                             and can_refer_enterprise(user, referral.enterprise))


def referral_coaches(user, referral: Referral) -> Select:
    """Active coaches of the receiving organization, one of whom follows the enterprise once accepted."""
    return (select(User).where(User.role == "coach", User.is_active.is_(True),
                               User.organization_id == referral.to_organization_id)
            .order_by(User.full_name, User.id))


def get_referral_or_404(referral_id: int, user, *, for_decide: bool = False) -> Referral:
    if not can_list_referrals(user):
        abort(403)
    return _loaded_or_404(Referral, referral_id, user, can_view_referral,
                          can_decide_referral if for_decide else None)


# --- Saved views of the enterprise list (crm/savedviews) -------------------------------------------
# Everyone who sees the list saves views. A view is its owner's; a shared one is seen by every person
# of the owner's organization. The owner changes or deletes it, and so may the organization's managers
# when it is shared (it is then the team's); another organization's view, or someone's personal one,
# does not exist for the others (404).

def visible_saved_views(user) -> Select:
    return select(SavedView).where(or_(
        SavedView.owner_id == user.id,
        (SavedView.shared.is_(True)) & (SavedView.organization_id == user.organization_id)))


def can_view_saved_view(user, view: SavedView) -> bool:
    return view.owner_id == user.id or (view.shared and view.organization_id == user.organization_id)


def can_change_saved_view(user, view: SavedView) -> bool:
    return view.owner_id == user.id or (view.shared and user.is_manager
                                        and view.organization_id == user.organization_id)


def get_saved_view_or_404(view_id: int, user, *, for_change: bool = False) -> SavedView:
    return _loaded_or_404(SavedView, view_id, user, can_view_saved_view,
                          can_change_saved_view if for_change else None)


# --- Satisfaction surveys (crm/surveys) ----------------------------------------------------------
# Results are aggregates, hidden below SURVEY_MIN_ANSWERS answers: the managers see their
# organization's, the programme office every organization's. A session's or cohort's figures are
# shown on its page to its organization's staff. The comments, written by the people themselves,
# are read by their organization's managers only, not even by the programme office.

def can_view_survey_results(user) -> bool:
    return user.is_admin or user.is_manager


def can_see_survey_figures(user, organization_id: int) -> bool:
    return user.is_admin or user.organization_id == organization_id


def can_read_survey_comments(user, organization_id: int) -> bool:
    return user.is_manager and user.organization_id == organization_id


def can_manage_survey_questions(user) -> bool:
    return user.is_admin


def can_set_survey_timing(user, cohort) -> bool:
    return can_manage_cohort(user, cohort)


def get_survey_question_or_404(question_id: int, user):
    if not can_manage_survey_questions(user):
        abort(403)
    question = db.session.get(SurveyQuestion, question_id)
    if question is None:
        abort(404)
    return question
