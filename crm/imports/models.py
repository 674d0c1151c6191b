"""The import batch: one uploaded file, from upload to commit, with its report."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.db import SingleLineString, TimestampMixin
from crm.extensions import db
from crm.organizations.models import Organization

# uploaded → validating → previewed → committing → done; or cancelled / failed.
STATUSES = ("uploaded", "validating", "previewed", "committing", "done", "cancelled", "failed")
BUSY_STATUSES = ("validating", "committing")


class ImportBatch(TimestampMixin, db.Model):
    """One import of a spreadsheet into one organization's enterprises."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # None when run from the command line without --user.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    file_name: Mapped[str] = mapped_column(SingleLineString(255))
    file_kind: Mapped[str] = mapped_column(String(10))  # csv | xlsx
    file_size: Mapped[int] = mapped_column(default=0)
    # The uploaded bytes live here between the steps (any worker can read them), and are
    # dropped once the import is committed or cancelled: no client-supplied path, no temp file.
    file_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    encoding: Mapped[str | None] = mapped_column(String(20))
    delimiter: Mapped[str | None] = mapped_column(String(4))
    headers: Mapped[list] = mapped_column(JSON, default=list)
    # The line that holds the column names (titles and notes may come above it).
    header_line: Mapped[int] = mapped_column(default=1)
    # The first rows of the file as read, [[line, [cells]]]: to choose the header row and show the
    # first values of each column without reading the file again. Dropped with file_data.
    head_rows: Mapped[list] = mapped_column(JSON, default=list)
    # The file as read at upload, {"rows": [[line, [cells]]], "merges": [[line, column, line, column]]}:
    # the preview and a new header row start from it instead of parsing the file again (a workbook
    # takes seconds). Deferred: a page that polls the progress does not load it. Dropped with file_data.
    sheet: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), deferred=True)
    # The preview's verdict, kept for the commit (crm.imports.validation.pack_rows): the valid rows
    # as cleaned, so the commit neither reads nor checks the file again. Dropped with file_data.
    checked_rows: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), deferred=True)
    # {"column index": "field"}, and default values for blank cells {"region_code": "06"}.
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    defaults: Mapped[dict] = mapped_column(JSON, default=dict)
    update_empty: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="uploaded", index=True)
    row_count: Mapped[int] = mapped_column(default=0)
    # Counts of the preview (what would happen) and, once done, of what happened.
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{"line", "column", "value", "code", "params"}]: rows refused or skipped, and why.
    issues: Mapped[list] = mapped_column(JSON, default=list)
    # What the preview shows besides the issues: the first rows as they will be written, merged
    # values copied down, defaults applied ({"rows": […], "filled": […], "defaulted": {…}}).
    preview: Mapped[dict] = mapped_column(JSON, default=dict)
    # The refused rows as the file had them, [[line, [cells]]], for the report to fix and re-import.
    rejected_rows: Mapped[list] = mapped_column(JSON, default=list)
    # The organization's saved mapping proposed for these headers, if any.
    saved_mapping_id: Mapped[int | None] = mapped_column(ForeignKey("import_mappings.id", ondelete="SET NULL"))
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_detail: Mapped[str | None] = mapped_column(Text)
    # Progress of the running step, written by the worker that runs it, polled by the browser.
    phase: Mapped[str | None] = mapped_column(String(20))
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    progress_at: Mapped[datetime | None]
    committed_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(lazy="joined")
    saved_mapping: Mapped["ImportMapping | None"] = relationship()

    __table_args__ = (Index("ix_import_batches_organization_id_created_at", "organization_id", "created_at"),)

    @property
    def is_done(self) -> bool:
        return self.status == "done"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.status}>"


class ImportMapping(TimestampMixin, db.Model):
    """The columns an organization chose for one header layout: proposed again when a file with
    the same column names comes back (the partners' monthly lists)."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    # crm.imports.headers.headers_key: a digest of the folded column names, in their order.
    headers_key: Mapped[str] = mapped_column(String(64))
    headers: Mapped[list] = mapped_column(JSON, default=list)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    defaults: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("organization_id", "headers_key"),)

    def __repr__(self) -> str:
        return f"<ImportMapping {self.id} org {self.organization_id}>"
