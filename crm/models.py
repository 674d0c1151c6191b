"""Imports every model so that Alembic and create_app see the whole schema."""
from crm.audit.models import AuditEntry  # noqa: F401
from crm.auth.models import RecoveryCode, User  # noqa: F401
from crm.enterprises.models import Contact, Enterprise, StageChange  # noqa: F401
from crm.organizations.models import Organization  # noqa: F401
