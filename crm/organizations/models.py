from sqlalchemy import String, false
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import SingleLineString, TimestampMixin
from crm.extensions import db


class Organization(TimestampMixin, db.Model):
    """A partner organization of the programme: national partner or regional hub."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(SingleLineString(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="national")  # national | regional
    region_code: Mapped[str | None] = mapped_column(String(2))  # a regional hub's region
    is_active: Mapped[bool] = mapped_column(default=True)
    # Every member must use two-factor authentication (admins always must).
    require_two_factor: Mapped[bool] = mapped_column(default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<Organization {self.code}>"
