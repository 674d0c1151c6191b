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

from crm.db import as_utc
from crm.extensions import db
from crm.i18n import _, _l
from crm.reference import LANGUAGES, LEGAL_FORMS, STAGES, label, region_label
from crm.reports.queries import PROGRAMME_TZ

BOM = "\ufeff"
CSV_DELIMITERS = {"fr": ";", "en": ","}
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YIELD_PER = 1000


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


ENTERPRISE_COLUMNS = [
    (_l("Name"), lambda e: e.name),
    (_l("NEQ"), lambda e: e.neq),
    (_l("Legal form"), lambda e: label(LEGAL_FORMS, e.legal_form)),
    (_l("Region"), lambda e: region_label(e.region_code)),
    (_l("City"), lambda e: e.city),
    (_l("Postal code"), lambda e: e.postal_code),
    (_l("Sector"), lambda e: e.sector),
    (_l("Employees"), lambda e: e.employees),
    (_l("Website"), lambda e: e.website),
    (_l("Organization"), lambda e: e.organization.name),
    (_l("Coach"), lambda e: e.coach.full_name if e.coach else None),
    (_l("Stage"), lambda e: label(STAGES, e.stage)),
    (_l("Preferred language"), lambda e: label(LANGUAGES, e.preferred_language)),
    (_l("Created on"), lambda e: _local_date(e.created_at)),
    (_l("Last activity"), lambda e: _local_date(e.last_activity_at)),
]


def export_enterprises(select_stmt: Select, fmt: str):
    """Download the enterprises of ``select_stmt`` (a select() of Enterprise, already limited to
    what the user may see) as ``fmt`` = "csv" or "xlsx", columns in the user's language.

    Rows are read in batches from a server-side cursor: memory stays flat at any size.
    """
    statement = select_stmt.execution_options(yield_per=YIELD_PER)
    header = [str(heading) for heading, _ in ENTERPRISE_COLUMNS]

    def rows():
        for enterprise in db.session.scalars(statement):
            yield [value(enterprise) for _, value in ENTERPRISE_COLUMNS]

    # i18n: file name of the enterprise list export, lower case without spaces
    base = _("enterprises")
    filename = f"{base}-{date.today().isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(header, rows(), filename)
    return xlsx_response([(_("Enterprises"), header, rows())], filename)
