"""A saved view of the enterprise list."""
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.db import SingleLineString, TimestampMixin
from crm.extensions import db

NAME_MAX = 80
QUERY_MAX = 2000


class SavedView(TimestampMixin, db.Model):
    """The list's query string (only its filter, sort and column parameters) under a name; ``shared``:
    every person of the owner's organization sees it in their list of views."""

    __tablename__ = "saved_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(SingleLineString(NAME_MAX))
    query_string: Mapped[str] = mapped_column(String(QUERY_MAX), default="")
    shared: Mapped[bool] = mapped_column(default=False)

    owner: Mapped[User] = relationship(lazy="raise")

    __table_args__ = (
        Index("ix_saved_views_owner_id", "owner_id"),
        Index("ix_saved_views_organization_id_shared", "organization_id", "shared"),
    )

    def __repr__(self) -> str:
        return f"<SavedView {self.id}>"
