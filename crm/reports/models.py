"""The counters that say when what the reports cached of an organization went stale."""
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base


class OrganizationVersion(Base):
    """How many committed transactions changed what the reports count or show of one organization
    (crm.reports.versions). No row: version 0. Rows are only added or incremented, and outlive
    their organization (no foreign key: a bump must never make a write fail)."""

    __tablename__ = "organization_versions"

    organization_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)
