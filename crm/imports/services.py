"""Import operations: upload, preview, commit, cancel, error report. They flush, never commit.

``progress(phase, done, total)`` callbacks report long steps: the web stores them on the batch
(``DatabaseProgress``), the CLI draws a progress bar.
"""
import logging
import re
import time
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import select, text, update
from sqlalchemy.exc import SQLAlchemyError

from crm import signals
from crm.audit import services as audit
from crm.audit.models import AuditEntry
from crm.contacts.models import EMAIL_PURPOSE, ConsentEvent, Contact
from crm.contacts.services import CONTACT_FIELDS
from crm.db import utcnow
from crm.domain import DomainError
from crm.enterprises.models import Enterprise, StageChange
from crm.enterprises.services import ENTERPRISE_FIELDS, refresh_keys
from crm.extensions import db
from crm.formatting import megabytes_filter
from crm.i18n import _l
from crm.imports import bulk
from crm.imports.headers import candidate_rows, find_header_line, headers_key, significant
from crm.imports.matching import FILLABLE, count, plan_rows
from crm.imports.models import BUSY_STATUSES, ImportBatch, ImportMapping
from crm.imports.parsing import HEADER_SEARCH_ROWS, FileRefused, Limits, Sheet, check_table, file_kind, read_sheet
from crm.imports.report import preview_of, rejected_rows
from crm.imports.validation import (
    ENTERPRISE_VALUES,
    FIELDS,
    RowResult,
    RowValidator,
    guess_mapping,
    is_error,
    pack_rows,
    unpack_rows,
)
from crm.reports import versions

log = logging.getLogger(__name__)
CHUNK = 5000  # rows written per statement and table, between two progress reports
STALE_AFTER = 600  # seconds: a step whose worker died may be run again after this


def _noop(phase, done, total):
    return None


def safe_file_name(name: str | None) -> str:
    """Only the base name, without control characters: it is shown, never used as a path."""
    base = re.split(r"[\\/]", name or "")[-1]
    return re.sub(r"[\x00-\x1f\x7f]", "", base).strip()[:255] or "import"


def limits() -> Limits:
    return Limits.from_config(current_app.config)


def start_import(data: bytes, file_name: str, *, organization, actor) -> ImportBatch:
    """Read the file and keep it on a new batch, with its header row found and its columns
    recognized: as the organization saved them for these headers, else from their names."""
    max_bytes = current_app.config["IMPORT_MAX_BYTES"]
    if len(data) > max_bytes:
        raise DomainError(too_large_message(max_bytes), field="file")
    file_name = safe_file_name(file_name)
    try:
        sheet = read_sheet(data, file_name, limits())
        saved = saved_mappings(organization.id, [cells for _line, cells in candidate_rows(sheet)])
        table = sheet.table(find_header_line(sheet, frozenset(saved)), limits())
        check_table(table)
    except FileRefused as refused:
        raise DomainError(refused.message, field="file") from None
    batch = ImportBatch(
        organization_id=organization.id, created_by_id=getattr(actor, "id", None), file_name=file_name,
        file_kind=file_kind(file_name), file_size=len(data), file_data=data, encoding=sheet.encoding,
        delimiter=sheet.delimiter, sheet=sheet.stored(), head_rows=head_rows(sheet), status="uploaded",
        defaults={"region_code": organization.region_code or "", "legal_form": ""},
    )
    _use_header(batch, table, saved)
    db.session.add(batch)
    db.session.flush()
    log.info("import %s uploaded (%s rows) by user %s", batch.id, batch.row_count, getattr(actor, "id", None))
    return batch


def head_rows(sheet) -> list:
    """The rows shown to choose the header row and as first values: short, and few."""
    width = 60
    return [[line, [c if len(c) <= width else c[:width] + "…" for c in cells]]
            for line, cells in sheet.rows[:len(candidate_rows(sheet)) + 3]]


def saved_mappings(organization_id: int, header_rows: list[list[str]]) -> dict[str, ImportMapping]:
    """The organization's saved mappings for any of these header rows, by headers key (one query)."""
    keys = {headers_key(cells) for cells in header_rows}
    query = select(ImportMapping).where(ImportMapping.organization_id == organization_id,
                                        ImportMapping.headers_key.in_(sorted(keys)))
    return {m.headers_key: m for m in db.session.scalars(query)}


def _use_header(batch: ImportBatch, table, saved: dict) -> None:
    """The batch's columns are now the table's: propose the saved mapping, or a guess."""
    proposal = saved.get(headers_key(table.headers))
    batch.headers, batch.header_line, batch.row_count = table.headers, table.header_line, len(table.rows)
    if proposal is not None:
        width = len(significant(table.headers))
        batch.mapping = {i: f for i, f in proposal.mapping.items() if f in FIELDS and int(i) < width}
        batch.defaults = {**batch.defaults, **proposal.defaults}
        batch.saved_mapping = proposal
    else:
        batch.mapping, batch.saved_mapping = guess_mapping(table.headers), None
    batch.counts, batch.issues, batch.preview, batch.rejected_rows = {}, [], {}, []
    batch.checked_rows = None


def choose_header_line(batch: ImportBatch, line: int, *, actor) -> None:
    """The user says the column names are on this line: read the columns again from there."""
    if batch.status not in ("uploaded", "previewed") or not batch.file_data:
        raise DomainError(_l("This import is already being processed, or is finished."))
    if line not in {row_line for row_line, _cells in batch.head_rows[:HEADER_SEARCH_ROWS]}:
        raise DomainError(_l("Choose one of the rows shown."), field="header_line")
    try:
        table = _sheet(batch).table(line, limits())
        check_table(table)
    except FileRefused as refused:
        raise DomainError(refused.message, field="header_line") from None
    _use_header(batch, table, saved_mappings(batch.organization_id, [table.headers]))
    batch.status = "uploaded"
    log.info("import %s: header on line %s, chosen by user %s", batch.id, line, getattr(actor, "id", None))


def remember_mapping(batch: ImportBatch, *, actor) -> ImportMapping:
    """Save the columns used, for the next file of the organization with the same headers."""
    key = headers_key(batch.headers)
    saved = db.session.scalar(select(ImportMapping).where(
        ImportMapping.organization_id == batch.organization_id, ImportMapping.headers_key == key))
    if saved is None:
        saved = ImportMapping(organization_id=batch.organization_id, headers_key=key)
        db.session.add(saved)
    saved.headers, saved.mapping, saved.defaults = significant(batch.headers), dict(batch.mapping), dict(batch.defaults)
    saved.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    log.info("import %s: mapping %s saved for organization %s by user %s", batch.id, saved.id,
             batch.organization_id, getattr(actor, "id", None))
    return saved


def too_large_message(max_bytes: int):
    return _l("The file is too large: at most %(size)s MB.", size=megabytes_filter(max_bytes))


def check_mapping(mapping: dict[str, str]) -> None:
    fields = [f for f in mapping.values() if f]
    if "name" not in fields:
        raise DomainError(_l("Choose the column that holds the enterprise name."), field="mapping")
    doubles = sorted({f for f in fields if fields.count(f) > 1})
    if doubles:
        raise DomainError(_l("Each field may come from one column only: %(fields)s.",
                             fields=", ".join(str(FIELDS[f].label) for f in doubles)), field="mapping")


def _sheet(batch: ImportBatch) -> Sheet:
    """The file as read at upload; parsed again only for a batch uploaded before batches kept it."""
    if batch.sheet is not None:
        return Sheet.from_stored(batch.sheet, batch.file_kind, batch.encoding, batch.delimiter)
    return read_sheet(batch.file_data or b"", batch.file_name, limits())


def analyse(batch: ImportBatch, mapping: dict, defaults: dict, progress=_noop):
    """Validate every row and decide what to do with it; reads only."""
    progress("reading", 0, batch.row_count)
    try:
        sheet = _sheet(batch)
        table = sheet.table(batch.header_line or sheet.rows[0][0], limits())
        check_table(table)
    except FileRefused as refused:
        raise DomainError(refused.message, field="file") from None
    validator = RowValidator(table.headers, mapping, defaults)
    results = []
    total = len(table.rows)
    for index, (line, cells) in enumerate(table.rows, start=1):
        results.append(validator.validate(line, cells))
        if index % 250 == 0:
            progress("checking", index, total)
    progress("checking", total, total)
    counts = plan_rows(results, batch.organization_id, validator.column_name("name"))
    return table, results, counts


def preview_import(batch: ImportBatch, *, mapping: dict, defaults: dict, actor, progress=_noop) -> dict:
    """Check the file with this mapping and store the report; nothing else is written."""
    check_mapping(mapping)
    mapping = {str(k): v for k, v in mapping.items() if v}
    table, results, counts = analyse(batch, mapping, defaults, progress)
    # The batch row is changed only now: the progress writer updated it meanwhile.
    batch.mapping, batch.defaults = mapping, defaults
    batch.counts, batch.issues = counts, [i for r in results for i in r.issues]
    batch.preview = preview_of(table, results, mapping, defaults)
    batch.rejected_rows = rejected_rows(table, results)
    batch.checked_rows = pack_rows(results)
    batch.status, batch.phase, batch.error_code = "previewed", None, None
    log.info("import %s previewed by user %s: %s", batch.id, getattr(actor, "id", None), counts)
    return counts


def commit_import(batch: ImportBatch, *, actor, update_empty: bool, progress=_noop) -> dict:
    """Write the valid rows: all of them or, if anything fails, none (the caller commits once)."""
    results, refused = _checked(batch, progress)
    context = {"import_id": batch.id}
    creates = [r for r in results if r.action == "create"]
    updates = [r for r in results if r.action == "existing" and update_empty and (r.fill or r.add_contact)]
    writer = _Writer(actor=actor, batch=batch, context=context)
    total = len(creates) + len(updates)
    progress("saving", 0, total)
    for start in range(0, len(creates), CHUNK):
        writer.create(creates[start:start + CHUNK])
        progress("saving", min(start + CHUNK, len(creates)), total)
    writer.update(updates)
    progress("saving", total, total)
    for row in results:
        for issue in row.issues:
            if issue["code"] == "existing":
                issue["code"] = "updated" if row in updates else "existing_skipped"
    batch.issues = [i for r in results for i in r.issues]
    batch.counts = {**count(results), "created": len(creates), "updated": len(updates),
                    "skipped": sum(1 for r in results if r.is_valid) - len(creates) - len(updates)}
    batch.rejected_rows = refused
    batch.update_empty = update_empty
    batch.status, batch.phase, batch.committed_at = "done", None, utcnow()
    # Personal information is kept in the CRM, not twice; the refused rows stay for the report.
    batch.file_data, batch.sheet, batch.checked_rows, batch.head_rows = None, None, None, []
    batch.preview = {**batch.preview, "rows": []}
    remember_mapping(batch, actor=actor)
    log.info("import %s committed by user %s: %s created, %s updated", batch.id,
             getattr(actor, "id", None), len(creates), len(updates))
    return batch.counts


def _checked(batch: ImportBatch, progress) -> tuple[list[RowResult], list]:
    """Every row as the preview checked it (the valid ones cleaned, the refused ones with their
    issues), and the refused rows as the file had them; what to do with each row is decided again,
    since enterprises may have changed since the preview."""
    if batch.checked_rows is None:  # previewed before batches kept their checked rows
        table, results, _counts = analyse(batch, batch.mapping, batch.defaults, progress)
        return results, rejected_rows(table, results)
    progress("checking", 0, batch.row_count)
    refused: dict[int, list] = {}
    for issue in batch.issues:
        if is_error(issue):
            refused.setdefault(issue["line"], []).append(issue)
    results = unpack_rows(batch.checked_rows) + [RowResult(line, issues=issues) for line, issues in refused.items()]
    results.sort(key=lambda row: row.line)
    name_column = RowValidator(batch.headers, batch.mapping, batch.defaults).column_name("name")
    plan_rows(results, batch.organization_id, name_column)
    progress("checking", batch.row_count, batch.row_count)
    return results, batch.rejected_rows


def cancel_import(batch: ImportBatch, *, actor) -> None:
    if batch.status in ("done", "cancelled"):
        raise DomainError(_l("This import is already finished."))
    batch.status, batch.file_data, batch.head_rows, batch.rejected_rows = "cancelled", None, [], []
    batch.sheet = batch.checked_rows = None
    batch.preview = {}
    log.info("import %s cancelled by user %s", batch.id, getattr(actor, "id", None))


class _Writer:
    """The fast path: the same rows and audit entries as ``create_enterprise`` and
    ``add_contact``, written with one statement per table and chunk (``crm.imports.bulk``)
    instead of one per record."""

    def __init__(self, *, actor, batch, context):
        self.actor_id = getattr(actor, "id", None)
        self.actor = actor
        self.batch = batch
        self.context = context
        self.consent_source = f"import #{batch.id} ({batch.file_name})"[:200]

    def create(self, rows) -> None:
        now = utcnow()
        enterprises, snapshots = [], []
        for row in rows:
            values = row.enterprise
            enterprise = {f: values[f] for f in _ROW_FIELDS}
            enterprise.update(organization_id=self.batch.organization_id, coach_id=None, preferred_language="fr")
            snapshots.append(_snapshot(enterprise, ENTERPRISE_FIELDS))
            # The folded keys of the row and its contact, computed once by the check.
            enterprise.update(name_key=values["name_key"], city_key=values["city_key"],
                              search_text=values["search_text"], stage="identified", version=1, created_at=now,
                              updated_at=now)
            enterprises.append(enterprise)
        ids = bulk.insert_rows_with_ids(Enterprise.__table__, enterprises)
        bulk.insert_rows(StageChange.__table__, [
            {"enterprise_id": i, "from_stage": None, "to_stage": "identified", "changed_at": now,
             "changed_by_id": self.actor_id, "organization_id": self.batch.organization_id} for i in ids])
        # COPY bypasses the session's events: the reports' cached figures learn it here.
        versions.organizations_changed(db.session, [self.batch.organization_id])
        self._audit("create", "enterprises", list(zip(ids, ids, snapshots, strict=True)), now)
        self._contacts([(i, row.contact) for i, row in zip(ids, rows, strict=True) if row.contact], now)
        signals.enterprises_imported.send(None, organization_id=self.batch.organization_id, enterprise_ids=ids,
                                          actor=self.actor)

    def update(self, rows) -> None:
        now = utcnow()
        new_contacts = []
        for row in rows:
            enterprise = row.existing
            for name, value in row.fill.items():
                setattr(enterprise, name, value)
            people = list(enterprise.contacts)
            if row.add_contact:
                people.append(SimpleNamespace(**row.contact, anonymized_at=None, archived_at=None))
                new_contacts.append((enterprise.id, row.contact))
            refresh_keys(enterprise, contacts=people)
            changes = audit.changed_fields(enterprise, FILLABLE)
            if changes:
                audit.record("update", enterprise, actor=self.actor, changes=changes,
                             enterprise_id=enterprise.id, context=self.context)
        db.session.flush()
        self._contacts(new_contacts, now)

    def _contacts(self, pairs, now) -> None:
        if not pairs:
            return
        rows = []
        for enterprise_id, contact in pairs:
            consent = bool(contact["email_consent"])
            rows.append({**contact, "enterprise_id": enterprise_id, "version": 1, "created_at": now,
                         "updated_at": now, "consent_at": now if consent else None,
                         "consent_source": self.consent_source if consent else None,
                         "consent_recorded_by_id": self.actor_id if consent else None})
        ids = bulk.insert_rows_with_ids(Contact.__table__, rows)
        # Law 25: the consent given in the file is recorded in the consent history, as
        # crm.contacts.services.grant_consent does one contact at a time.
        consents = [{"contact_id": i, "purpose": EMAIL_PURPOSE, "granted": True, "at": now,
                     "source": self.consent_source, "recorded_by_id": self.actor_id}
                    for i, row in zip(ids, rows, strict=True) if row["email_consent"]]
        bulk.insert_rows(ConsentEvent.__table__, consents)
        self._audit("create", "contacts", [
            (i, row["enterprise_id"], _snapshot(row, CONTACT_FIELDS))
            for i, row in zip(ids, rows, strict=True)], now)

    def _audit(self, action, entity_type, entries, now) -> None:
        bulk.insert_rows(AuditEntry.__table__, [
            {"at": now, "actor_id": self.actor_id, "action": action, "entity_type": entity_type,
             "entity_id": entity_id, "enterprise_id": enterprise_id, "changes": changes,
             "context": self.context} for entity_id, enterprise_id, changes in entries])


# The enterprise's columns that a checked row gives (the others are the import's).
_ROW_FIELDS = tuple(f for f in ENTERPRISE_FIELDS if f in ENTERPRISE_VALUES)


def _snapshot(values: dict, fields) -> dict:
    """``audit.snapshot`` of a record written from a dict of text, numbers and booleans."""
    return {name: [None, values[name]] for name in fields if values.get(name) not in (None, "")}


def claim(batch_id: int, to_status: str, from_statuses: tuple[str, ...]) -> bool:
    """Compare-and-set the status in its own transaction: one worker runs a step, others refuse."""
    stale = utcnow().timestamp() - STALE_AFTER
    with db.engine.begin() as connection:
        table = ImportBatch.__table__
        batch = connection.execute(table.select().where(table.c.id == batch_id)).one_or_none()
        if batch is None:
            return False
        last = batch.progress_at.timestamp() if batch.progress_at else 0
        allowed = batch.status in from_statuses or (batch.status in BUSY_STATUSES and last < stale)
        if not allowed:
            return False
        result = connection.execute(
            update(table).where(table.c.id == batch_id, table.c.status == batch.status)
            .values(status=to_status, phase="reading", progress_done=0, progress_total=batch.row_count,
                    progress_at=utcnow()))
        return result.rowcount == 1


def release(batch_id: int, status: str, error_code: str | None = None) -> None:
    """After a failed step (the request's transaction rolled back): allow another try."""
    with db.engine.begin() as connection:
        table = ImportBatch.__table__
        connection.execute(update(table).where(table.c.id == batch_id)
                           .values(status=status, phase=None, error_code=error_code))


class DatabaseProgress:
    """Stores a step's progress on the batch row in short transactions of its own, so that any
    gunicorn worker can answer the browser's polling while this one works."""

    def __init__(self, batch_id: int, interval: float = 0.3):
        self.batch_id = batch_id
        self.interval = interval
        self.last_at = 0.0
        self.last_phase = None
        self.sqlite = db.engine.dialect.name == "sqlite"

    def __call__(self, phase: str, done: int, total: int) -> None:
        # SQLite has one writer: once this request writes, progress waits for the commit.
        if self.sqlite and phase == "saving" and self.last_phase == "saving":
            return
        now = time.monotonic()
        if phase == self.last_phase and now - self.last_at < self.interval:
            return
        self.last_at, self.last_phase = now, phase
        table = ImportBatch.__table__
        try:
            with db.engine.begin() as connection:
                if not self.sqlite:
                    connection.execute(text("SET LOCAL lock_timeout = '2s'"))
                connection.execute(update(table).where(table.c.id == self.batch_id).values(
                    phase=phase, progress_done=done, progress_total=total, progress_at=utcnow()))
        except SQLAlchemyError:
            log.warning("import %s: progress not stored", self.batch_id, exc_info=True)


PHASES = {"reading": _l("Reading the file"), "checking": _l("Checking the rows"), "saving": _l("Saving")}
