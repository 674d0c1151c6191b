"""Spreadsheet exports that are safe to open: CSV and XLSX writers, the enterprise list.

CSV: UTF-8 with a byte-order mark (without it Excel reads UTF-8 as Windows-1252 and mangles
« é »), and the list separator Excel expects in the user's language: a semicolon in French (where
the comma is the decimal separator, so French Excel splits on semicolons), a comma in English.
A text cell that begins with = + - @, a tab or a carriage return gets a leading apostrophe so a
spreadsheet never runs it as a formula. XLSX: cells are written as text, never as formulas, with
openpyxl's write-only mode so that a 112,000-row export does not sit in memory; CSV is streamed
in batches from a server-side cursor (``yield_per``). A large enterprise export is cached and
sent again while nothing it shows has changed (crm.reports.cache).
"""
import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date
from operator import itemgetter

from flask import Response, current_app, stream_with_context
from flask_babel import get_locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Select

from crm.auth.models import User
from crm.db import as_utc
from crm.domain import QUEBEC
from crm.enterprises.models import Enterprise
from crm.enterprises.queries import count
from crm.extensions import db
from crm.i18n import _
from crm.organizations.models import Organization
from crm.reference import LANGUAGES, LEGAL_FORMS, REGIONS, SECTORS, STAGES, translated
from crm.reports import cache

BOM = "\ufeff"
CSV_DELIMITERS = {"fr": ";", "en": ","}
CSV_MIMETYPE = "text/csv; charset=utf-8"
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DANGEROUS_FIRST = frozenset(DANGEROUS_PREFIXES)  # each prefix is one character
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YIELD_PER = 1000
# Part of every cached export's key: change it with the columns or the cells of an export, so that
# the files made before are never sent again.
EXPORT_LAYOUT = 3
_first = itemgetter(0)


def neutralize(value):
    """A text that a spreadsheet would run as a formula, made inert by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def csv_delimiter() -> str:
    return CSV_DELIMITERS.get(str(get_locale()), ",")


def text_cells(values: Sequence[str | None]) -> Sequence[str | None]:
    """A column of text made inert for a spreadsheet (``neutralize``); csv.writer writes None empty."""
    if DANGEROUS_FIRST.isdisjoint(map(_first, filter(None, values))):
        return values  # the usual column: no cell to change, none looked at twice
    return [neutralize(value) for value in values]


def csv_chunks(header: list[str], batches: Iterable[Sequence[Sequence]], *, delimiter: str) -> Iterator[str]:
    """The CSV text: the byte-order mark and the header, then one chunk per batch of rows (each batch
    given as its columns of cells, ``text_cells``…), written by csv.writer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(text_cells([str(h) for h in header]))
    yield BOM + _taken(buffer)
    for columns in batches:
        writer.writerows(zip(*columns, strict=True))
        yield _taken(buffer)


def _taken(buffer: io.StringIO) -> str:
    """What was written into ``buffer`` since the last time, which is then emptied."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


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

    A cell value may be a ``(value, number_format)`` pair, e.g. ``(0.125, "0.0%")``. A sheet may
    come with a fourth item, its columns' widths (in characters).
    """
    workbook = Workbook(write_only=True)
    for title, header, rows, *widths in sheets:
        sheet = workbook.create_sheet(sheet_title(title))
        for index, width in enumerate(widths[0] if widths else [], start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
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


def _attachment(filename: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def xlsx_response(sheets, filename: str) -> Response:
    file = xlsx_file(sheets)
    length = file.seek(0, io.SEEK_END)
    file.seek(0)
    return Response(_chunks(file), content_type=XLSX_MIMETYPE,
                    headers={**_attachment(filename), "Content-Length": str(length)})


def csv_response(chunks: Iterator[str], filename: str) -> Response:
    return Response(stream_with_context(chunks), content_type=CSV_MIMETYPE, headers=_attachment(filename))


def file_response(content: bytes, fmt: str, filename: str) -> Response:
    """A file made earlier, with the headers of the one made on the spot (an iterator: a CSV goes
    without a length, as when it is streamed)."""
    if fmt == "csv":
        return Response(iter([content]), content_type=CSV_MIMETYPE, headers=_attachment(filename))
    return Response(iter([content]), content_type=XLSX_MIMETYPE,
                    headers={**_attachment(filename), "Content-Length": str(len(content))})


# --- The enterprise list -----------------------------------------------------------------------

TEXT, NUMBER, DAY = "text", "number", "day"  # kinds of column; the other kind is a {code: label}


def _local_date(value):
    return as_utc(value).astimezone(QUEBEC).date() if value else None


def _enterprise_columns():
    """(heading, column, kind) of the export, in the user's language."""
    return [
        (_("Name"), Enterprise.name, TEXT),
        (_("NEQ"), Enterprise.neq, TEXT),
        (_("Legal form"), Enterprise.legal_form, translated(LEGAL_FORMS)),
        (_("Region"), Enterprise.region_code, REGIONS),
        (_("City"), Enterprise.city, TEXT),
        (_("Postal code"), Enterprise.postal_code, TEXT),
        (_("Sector"), Enterprise.sector_code, translated(SECTORS)),
        (_("Activity (details)"), Enterprise.sector, TEXT),
        (_("Employees"), Enterprise.employees, NUMBER),
        (_("Website"), Enterprise.website, TEXT),
        (_("Organization"), Organization.name, TEXT),
        (_("Coach"), User.full_name, TEXT),
        (_("Stage"), Enterprise.stage, translated(STAGES)),
        (_("Preferred language"), Enterprise.preferred_language, translated(LANGUAGES)),
        (_("Created on"), Enterprise.created_at, DAY),
        (_("Last activity"), Enterprise.last_activity_at, DAY),
    ]


def _xlsx_value(kind) -> Callable:
    """How a value of this kind of column shows in a spreadsheet cell."""
    if kind == DAY:
        return _local_date
    if isinstance(kind, dict):
        return lambda code: kind.get(code, code)
    return lambda value: value


class _CsvLabels(dict):
    """Code -> CSV cell of its label; an unknown code shows as itself."""

    def __init__(self, labels: dict):
        super().__init__({code: neutralize(label) for code, label in labels.items()})
        self[None] = ""

    def __missing__(self, code):
        return neutralize(code)


def _day_cells(values: Sequence) -> list[str]:
    """Timestamps as their date in Québec (SQLite hands them back naive, in UTC)."""
    return ["" if value is None else (value if value.tzinfo else value.replace(tzinfo=UTC))
            .astimezone(QUEBEC).date().isoformat() for value in values]


def _csv_cells(kind) -> Callable[[Sequence], Sequence]:
    """How a column of this kind becomes CSV cells."""
    if kind == TEXT:
        return text_cells
    if kind == NUMBER:
        return lambda values: values  # csv.writer writes numbers as str() does, None empty
    if kind == DAY:
        return _day_cells
    labels = _CsvLabels(kind)
    return lambda values: list(map(labels.__getitem__, values))


def _batches(statement: Select) -> Iterator[Sequence]:
    """Plain rows (no ORM objects) in batches from a server-side cursor: memory stays flat. The
    cursor is closed also when the client goes away before the end."""
    with db.session.connection().execute(statement.execution_options(yield_per=YIELD_PER)) as result:
        yield from result.partitions()


def _csv_text(header: list, kinds: list, statement: Select, delimiter: str) -> Iterator[str]:
    cells = [_csv_cells(kind) for kind in kinds]
    columns = ([to_cells(column) for to_cells, column in zip(cells, zip(*rows, strict=True), strict=True)]
               for rows in _batches(statement))
    yield from csv_chunks(header, columns, delimiter=delimiter)


def _xlsx_rows(kinds: list, statement: Select) -> Iterator[list]:
    shows = [_xlsx_value(kind) for kind in kinds]
    for rows in _batches(statement):
        for row in rows:
            yield [show(value) for show, value in zip(shows, row, strict=True)]


@dataclass
class EnterpriseExport:
    """An export ready to send: how many enterprises it holds (for the access log), and its response."""

    count: int
    respond: Callable[[], Response]


def export_enterprises(select_stmt: Select, fmt: str, *, organization_id: int | None) -> EnterpriseExport:
    """The enterprises of ``select_stmt`` (a select() of Enterprise, already limited to what the
    user may see, within ``organization_id``, None for the whole programme) as ``fmt`` = "csv" or
    "xlsx", columns in the user's language.

    Only the exported columns are read, as plain rows. A file of a size worth keeping is cached and
    sent again while nothing it shows has changed; the others are made on each request (a CSV
    then streamed after the caller's commit, so ``respond`` comes after it).
    """
    columns = _enterprise_columns()
    header = [heading for heading, _, _ in columns]
    kinds = [kind for _, _, kind in columns]
    statement = (select_stmt.with_only_columns(*(column for _, column, _ in columns), maintain_column_froms=False)
                 .select_from(Enterprise)
                 .join(Organization, Organization.id == Enterprise.organization_id)
                 .outerjoin(User, User.id == Enterprise.coach_id))
    # i18n: file name of the enterprise list export, lower case without spaces
    base = _("enterprises")
    filename = f"{base}-{date.today().isoformat()}.{fmt}"
    compiled = statement.compile(dialect=db.engine.dialect)
    entry = cache.entry(cache.cache_key("enterprises", EXPORT_LAYOUT, str(compiled), compiled.params,
                                        str(get_locale()), fmt, organization_id=organization_id))
    cached = entry.get()
    if cached is not None:
        row_count, content = cached
        return EnterpriseExport(row_count, lambda: file_response(content, fmt, filename))
    total = count(select_stmt)
    if _worth_caching(total):
        content = _file(header, kinds, statement, fmt)
        entry.put((total, content))
        return EnterpriseExport(total, lambda: file_response(content, fmt, filename))
    if fmt == "csv":
        return EnterpriseExport(total, lambda: csv_response(
            _csv_text(header, kinds, statement, csv_delimiter()), filename))
    return EnterpriseExport(total, lambda: xlsx_response(
        [(_("Enterprises"), header, _xlsx_rows(kinds, statement))], filename))


def _worth_caching(row_count: int) -> bool:
    """Smaller files cost less to make than to cache; bigger ones would sit whole in memory."""
    config = current_app.config
    return config["EXPORT_STORE_MIN_ROWS"] <= row_count <= config["EXPORT_STORE_MAX_ROWS"]


def _file(header: list, kinds: list, statement: Select, fmt: str) -> bytes:
    if fmt == "csv":
        return "".join(_csv_text(header, kinds, statement, csv_delimiter())).encode()
    with xlsx_file([(_("Enterprises"), header, _xlsx_rows(kinds, statement))]) as file:
        return file.read()
