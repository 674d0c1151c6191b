from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.db import utcnow
from crm.extensions import db


class AuditEntry(db.Model):
    """Who did what to which record, with the fields' old and new values."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))  # create | update | archive | stage | …
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int]
    # The enterprise the record belongs to, so its page can show the whole history.
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    # {"field": [old, new], …}
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    # Where the change came from, e.g. {"import_id": 12}.
    context: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_audit_entries_entity", "entity_type", "entity_id"),
        Index("ix_audit_entries_enterprise_id_at", "enterprise_id", "at"),
    )
