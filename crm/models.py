"""Imports every model so that Alembic and create_app see the whole schema."""
from crm.api.models import ApiToken, WebhookDelivery, WebhookSubscription  # noqa: F401
from crm.audit.models import AuditEntry  # noqa: F401
from crm.auth.models import RecoveryCode, User  # noqa: F401
from crm.cohorts.models import (  # noqa: F401
    Attendance,
    CalendarFeed,
    Cohort,
    CohortMembership,
    ProgrammeSession,
    SessionChange,
)
from crm.contacts.models import ConsentEvent, Contact  # noqa: F401
from crm.enterprises.models import (  # noqa: F401
    Activity,
    DigitalDiagnostic,
    Enterprise,
    FollowUpTask,
    StageChange,
)
from crm.events.models import Event, EventEmail, EventMessage, EventSession, Registration  # noqa: F401
from crm.imports.models import ImportBatch  # noqa: F401
from crm.organizations.models import Organization  # noqa: F401
from crm.privacy.models import AccessLogEntry, Incident  # noqa: F401
from crm.referrals.models import Referral, ReferralEmail  # noqa: F401
from crm.reminders.models import Reminder, SessionReminderOffsets  # noqa: F401
from crm.reports.models import OrganizationVersion  # noqa: F401
from crm.savedviews.models import SavedView  # noqa: F401
from crm.surveys.models import CohortSurveyTiming, Survey, SurveyExtraAnswer, SurveyQuestion  # noqa: F401
from crm.workqueue.models import DigestEmail, DigestOptOut  # noqa: F401
