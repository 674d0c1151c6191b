"""The routes' access declarations, and one "world" with an object of each kind, for the route
coverage and hostile-input tests.

Organization A owns everything in the world; the people are the programme office's admin, A's
manager, A's coach (assigned to the enterprise, facilitator of the cohort and of the sessions), and
a manager and a coach of organization B. A refers its enterprise to a third organization, C (consent
recorded, waiting for C), so that the referral pages have a referral and B no part in it.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from crm.api import tokens as api_tokens
from crm.api.models import WebhookSubscription
from crm.auth.models import User
from crm.cohorts import feeds
from crm.cohorts import services as cohort_services
from crm.cohorts.models import CohortMembership
from crm.contacts.models import Contact
from crm.enterprises import timeline
from crm.enterprises.models import Enterprise
from crm.events import registration as event_registration
from crm.events import services as event_services
from crm.events.tokens import registration_token
from crm.extensions import db
from crm.imports import services as import_services
from crm.outcomes import services as outcome_services
from crm.privacy import services as privacy_services
from crm.referrals import services as referral_services
from crm.referrals.tokens import consent_token
from crm.reminders import planning
from crm.reminders.content import optout_token
from crm.reminders.models import Reminder
from crm.savedviews import services as savedview_services
from crm.surveys import services as survey_services
from crm.surveys.models import Survey
from crm.surveys.tokens import survey_token
from tests.conftest import csrf_token
from tests.reminders_helpers import ENDS, STARTS

# Endpoints anyone may reach without signing in; each says why.
PUBLIC_ENDPOINTS = {"static", "auth.login", "main.privacy", "main.set_language", "auth.forgot_password",
                    "auth.reset_password", "auth.login_code", "account.two_factor_setup",
                    "ops.health",  # for load balancers
                    "cohorts.feed",  # the calendar feed: its secret token is the credential
                    "reminders.optout",  # the signed opt-out link in reminders is the credential
                    # Public events: published events, their registration form, and a registration's
                    # page, whose signed link (in every email about it) is the credential.
                    "events.public_list", "events.public_event", "events.public_calendar", "events.register",
                    "events.registered", "events.registration_page", "events.cancel_registration",
                    "events.confirm_address",
                    "referrals.consent",  # the signed link of the consent request is the credential
                    "surveys.answer",  # the signed link of the survey's email is the credential
                    "api.openapi", "api_pages.docs"}  # the API's description: no data in it

ROLES = ("admin", "manager", "coach", "other_manager", "other_coach", "anonymous")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class World:
    people: dict
    ids: dict = field(default_factory=dict)  # URL argument name -> value


def build_world(app, make) -> World:
    org = make.organization(name="Pôle A")
    other = make.organization(name="Pôle B")
    office = make.organization(name="Bureau du programme")
    receiver = make.organization(name="Pôle C")  # A refers its enterprise to C: B is no party to it
    people = {
        "admin": make.user("admin", office, full_name="Admin Bureau"),
        "manager": make.user("manager", org, full_name="Gestion A"),
        "coach": make.user("coach", org, full_name="Conseil A"),
        "other_manager": make.user("manager", other, full_name="Gestion B"),
        "other_coach": make.user("coach", other, full_name="Conseil B"),
    }
    target = make.user("coach", org, full_name="Cible A")
    enterprise = make.enterprise(org, coach=people["coach"], contacts=1, name="Coopérative du Monde")
    with app.app_context():
        coach = db.session.get(User, people["coach"].id)
        row = db.session.get(Enterprise, enterprise.id)
        contact = db.session.scalar(select(Contact).where(Contact.enterprise_id == row.id))
        timeline.add_activity(row, actor=None, kind="note", occurred_on=date(2026, 1, 5), body="Note")
        task = timeline.add_task(row, actor=None, title="Rappeler", due_on=date(2030, 1, 5), assignee=coach)
        timeline.add_diagnostic(row, actor=None, performed_on=date(2026, 1, 5), tool="adn_40",
                                maturity_level=2, scores={"strategy": 2})
        outcome_services.add_plan(row, actor=None, produced_on=date(2026, 1, 20))
        project = outcome_services.add_project(row, actor=None, title="Boutique en ligne", category="website_ecommerce",
                                               status="planned")
        day = STARTS.date()
        cohort = cohort_services.create_cohort(
            actor=None, facilitators=[coach], name="Cohorte A", kind="training", organization_id=org.id,
            start_date=day - timedelta(days=60), end_date=day + timedelta(days=60), capacity=50,
            mode="virtual", status="running")
        cohort_services.enrol_enterprises(cohort, [row], actor=None, move_stage=False,
                                          joined_on=day - timedelta(days=30))
        session = cohort_services.create_session(
            actor=None, cohort=cohort, starts_at=STARTS, ends_at=ENDS, title="Atelier", mode="virtual",
            facilitator_id=coach.id)
        cohort_services.create_session(
            actor=None, enterprise=row, starts_at=STARTS + timedelta(days=1), ends_at=ENDS + timedelta(days=1),
            title="Accompagnement", mode="virtual", facilitator_id=coach.id)
        db.session.flush()
        planning.plan_session(session, now=STARTS - timedelta(days=30))
        batch = import_services.start_import(
            b"nom,ville\nCoop Import,Sherbrooke\n", "import.csv", organization=org,
            actor=db.session.get(User, people["manager"].id))
        incident = privacy_services.create_incident(
            actor=None, discovered_on=date(2026, 1, 5), nature="Courriel envoyé à la mauvaise personne")
        feed_token = feeds.regenerate_feed(coach, actor=coach)
        event = event_services.create_event(
            actor=None, starts_at=STARTS, ends_at=ENDS, title="Midi numérique", kind="webinar",
            organization_id=org.id, mode="virtual", capacity=20, languages="fr")
        event_services.publish_event(event, actor=None, now=STARTS - timedelta(days=30))
        registered = event_registration.register(
            event.id, {"first_name": "Léa", "last_name": "Roy", "email": "lea@coop.example", "role": None,
                       "enterprise_name": "Coopérative du Monde", "neq": None, "city": "Sherbrooke",
                       "region_code": "05", "legal_form": "coop_work", "consent_reminders": True,
                       "consent_follow_up": False},
            answers={}, language="fr", now=STARTS - timedelta(days=30))
        api_token, _secret = api_tokens.create_personal_token(coach, name="Tableur", scopes=("read",), days=30)
        subscription = WebhookSubscription(organization_id=org.id, url="https://hooks.example.org/virage",
                                           events="enterprise.created", secret="whsec_test")
        db.session.add(subscription)
        view = savedview_services.save_view(actor=coach, name="Mes entreprises en formation",
                                            query_string="stage=training", shared=True)
        referral = referral_services.refer(
            row, actor=None, to_organization=receiver, kind="move", purpose="Accompagnement en région",
            shared=["record"], contact=contact, consent_method="recorded", consent_source="Par téléphone")
        question = survey_services.add_question(actor=None, kind="scale", label_fr="Accueil", label_en="Welcome")
        survey = Survey(organization_id=org.id, cohort_id=cohort.id, session_id=session.id, enterprise_id=row.id,
                        contact_id=contact.id, closes_at=STARTS + timedelta(days=3650), due_at=STARTS, state="sent",
                        attempts=1, sent_at=STARTS, message_id="<survey-world@virage.example>")
        db.session.add(survey)
        db.session.flush()
        db.session.commit()
        membership = db.session.scalar(select(CohortMembership.id).where(CohortMembership.cohort_id == cohort.id))
        reminder = db.session.scalar(select(Reminder.id).where(Reminder.session_id == session.id).limit(1))
        assert reminder, "the world needs a planned reminder"
        ids = {
            "enterprise_id": row.id, "contact_id": contact.id, "task_id": task.id, "cohort_id": cohort.id,
            "membership_id": membership, "session_id": session.id, "reminder_id": reminder,
            "batch_id": batch.id, "user_id": target.id, "organization_id": org.id, "incident_id": incident.id,
            "token": feed_token, "fmt": "json", "action": "deactivate", "filename": "css/virage.css",
            "optout_token": optout_token(contact.id),
            "event_id": event.id, "event_session_id": event.sessions[0].id, "registration_id": registered.id,
            "registration_token": registration_token(registered.id), "token_id": api_token.id,
            "subscription_id": subscription.id, "referral_id": referral.id, "project_id": project.id,
            "consent_token": consent_token(referral.id), "view_id": view.id, "question_id": question.id,
            "survey_token": survey_token(survey.id),
        }
    return World(people=people, ids=ids)


def url_for_rule(rule, ids) -> str:
    values = {name: ids[name] for name in rule.arguments}
    if rule.endpoint == "reminders.optout":
        values["token"] = ids["optout_token"]
    if rule.endpoint in ("events.registration_page", "events.cancel_registration", "events.confirm_address"):
        values["token"] = ids["registration_token"]
    if rule.endpoint == "referrals.consent":
        values["token"] = ids["consent_token"]
    if rule.endpoint == "surveys.answer":
        values["token"] = ids["survey_token"]
    if rule.endpoint == "events.export_registrations":
        values["fmt"] = "csv"
    return rule.build(values, append_unknown=False)[1]


def rule_key(rule) -> str:
    return rule.rule


def sign_in(client, auth, world, role) -> str:
    """Signs the role in (anonymous: nobody) and returns a valid CSRF token of its session."""
    if role != "anonymous":
        auth.sign_in(world.people[role])
        return csrf_token(client, "/")
    return csrf_token(client, "/login")


def outcome(response) -> str:
    """What answered: ok (the page or the action), 403, 404, login (redirect to sign in), or the status."""
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        return "login" if response.headers["Location"].startswith("/login") else "ok"
    if 200 <= status < 300:
        return "ok"
    return str(status)
