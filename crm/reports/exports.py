"""Spreadsheet exports that are safe to open: CSV and XLSX writers, the enterprise list.

CSV: UTF-8 with a byte-order mark (without it Excel reads UTF-8 as Windows-1252 and mangles
« é »), and the list separator Excel expects in the user's language: a semicolon in French (where
the comma is the decimal separator, so French Excel splits on semicolons), a comma in English.
A text cell that begins with = + - @, a tab or a carriage return gets a leading apostrophe so a
spreadsheet never runs it as a formula. XLSX: cells are written as text, never as formulas, with
openpyxl's write-only mode so that a 112,000-row export does not sit in memory; CSV is streamed
row by row from a server-side cursor (``yield_per``).
"""
import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from flask import Response, stream_with_context
from flask_babel import get_locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy import Select

from crm.auth.models import User
from crm.db import as_utc
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.i18n import _
from crm.organizations.models import Organization
from crm.reference import LANGUAGES, LEGAL_FORMS, STAGES, region_label
from crm.reports.queries import PROGRAMME_TZ

BOM = "\ufeff"
CSV_DELIMITERS = {"fr": ";", "en": ","}
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YIELD_PER = 1000
CSV_CHUNK = 64 * 1024


def neutralize(value):
    """A text that a spreadsheet would run as a formula, made inert by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralize(value)


def csv_delimiter() -> str:
    return CSV_DELIMITERS.get(str(get_locale()), ",")


def csv_lines(header: list[str], rows: Iterable[list], *, delimiter: str) -> Iterator[str]:
    """The CSV text, one line at a time, beginning with the byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([_csv_value(h) for h in header])
    yield BOM + flush()
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
        if buffer.tell() >= CSV_CHUNK:  # one write to the client per 64 KiB, not one per row
            yield flush()
    yield flush()


def _xlsx_cell(sheet, value, *, bold=False, number_format=None):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even when it begins with "=": never a formula
    if bold:
        cell.font = Font(bold=True)
    if number_format:
        cell.number_format = number_format
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def sheet_title(title: str) -> str:
    """Excel's rules for sheet names: 31 characters at most, none of []:*?/\\ ."""
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in str(title))
    return cleaned[:31] or "Sheet"


def xlsx_file(sheets: Iterable[tuple[str, list, Iterable[list]]]):
    """A workbook with one sheet per (title, header, rows), as a file object at position 0.

    A cell value may be a ``(value, number_format)`` pair, e.g. ``(0.125, "0.0%")``.
    """
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(sheet_title(title))
        sheet.append([_xlsx_cell(sheet, str(h), bold=True) for h in header])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v[0], number_format=v[1]) if isinstance(v, tuple)
                          else _xlsx_cell(sheet, v) for v in row])
    output = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - send_file closes it
    workbook.save(output)
    output.seek(0)
    return output


def _chunks(file, size=64 * 1024) -> Iterator[bytes]:
    try:
        while chunk := file.read(size):
            yield chunk
    finally:
        file.close()  # also when the client goes away before the end


def xlsx_response(sheets, filename: str) -> Response:
    file = xlsx_file(sheets)
    length = file.seek(0, io.SEEK_END)
    file.seek(0)
    return Response(_chunks(file), content_type=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Content-Length": str(length)})


def csv_response(header, rows, filename: str) -> Response:
    lines = csv_lines(header, rows, delimiter=csv_delimiter())
    return Response(stream_with_context(lines), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- The enterprise list -----------------------------------------------------------------------

def _local_date(value):
    return as_utc(value).astimezone(PROGRAMME_TZ).date() if value else None


def _labels(mapping: dict) -> dict:
    """Code -> label, translated once per export rather than once per row."""
    return {code: str(text) for code, text in mapping.items()}


def _enterprise_columns():
    """(heading, column, how to show it) of the export, in the user's language."""
    legal_forms, stages, languages = _labels(LEGAL_FORMS), _labels(STAGES), _labels(LANGUAGES)
    same = lambda value: value  # noqa: E731
    return [
        (_("Name"), Enterprise.name, same),
        (_("NEQ"), Enterprise.neq, same),
        (_("Legal form"), Enterprise.legal_form, lambda code: legal_forms.get(code, code)),
        (_("Region"), Enterprise.region_code, region_label),
        (_("City"), Enterprise.city, same),
        (_("Postal code"), Enterprise.postal_code, same),
        (_("Sector"), Enterprise.sector, same),
        (_("Employees"), Enterprise.employees, same),
        (_("Website"), Enterprise.website, same),
        (_("Organization"), Organization.name, same),
        (_("Coach"), User.full_name, same),
        (_("Stage"), Enterprise.stage, lambda code: stages.get(code, code)),
        (_("Preferred language"), Enterprise.preferred_language, lambda code: languages.get(code, code)),
        (_("Created on"), Enterprise.created_at, _local_date),
        (_("Last activity"), Enterprise.last_activity_at, _local_date),
    ]


def export_enterprises(select_stmt: Select, fmt: str):
    """Download the enterprises of ``select_stmt`` (a select() of Enterprise, already limited to
    what the user may see) as ``fmt`` = "csv" or "xlsx", columns in the user's language.

    Only the exported columns are read, as plain rows (no ORM objects), in batches from a
    server-side cursor: memory stays flat at any size.
    """
    columns = _enterprise_columns()
    statement = (select_stmt.with_only_columns(*(column for _, column, _ in columns), maintain_column_froms=False)
                 .select_from(Enterprise)
                 .join(Organization, Organization.id == Enterprise.organization_id)
                 .outerjoin(User, User.id == Enterprise.coach_id)
                 .execution_options(yield_per=YIELD_PER))
    header = [heading for heading, _, _ in columns]
    shows = [show for _, _, show in columns]

    def rows():
        for row in db.session.execute(statement):
            yield [show(value) for show, value in zip(shows, row, strict=True)]

    # i18n: file name of the enterprise list export, lower case without spaces
    base = _("enterprises")
    filename = f"{base}-{date.today().isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(header, rows(), filename)
    return xlsx_response([(_("Enterprises"), header, rows())], filename)
