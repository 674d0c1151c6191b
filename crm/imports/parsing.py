"""Reading the partners' spreadsheets: CSV (encoding and delimiter detected) and XLSX.

Every cell comes back as text, never evaluated: a cell such as ``=SUM(A1:A3)`` is data. A file
that cannot be read raises ``FileRefused`` with a translated reason; nothing is written then.
"""
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from crm.formatting import format_decimal
from crm.i18n import _l
from crm.text import fold

CSV_DELIMITERS = (";", ",", "\t")
# Signatures of files that are not text, whatever their name says.
_BINARY_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0",
                      b"BM", b"RIFF", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")


class FileRefused(ValueError):
    """The file cannot be imported; ``message`` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Table:
    kind: str  # csv | xlsx
    headers: list[str]
    # (line number as the spreadsheet shows it, cells) for each non-blank data row.
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None


def file_kind(file_name: str) -> str:
    name = (file_name or "").lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        return "csv"
    if name.endswith((".xls", ".ods", ".numbers")):
        raise FileRefused(_l("This spreadsheet format is not supported: save it as .xlsx or as CSV."))
    raise FileRefused(_l("Choose a .csv or .xlsx file."))


def read_table(data: bytes, file_name: str, *, max_rows: int) -> Table:
    """The header and data rows of the file; raises FileRefused when it cannot be imported."""
    kind = file_kind(file_name)
    if not data or not data.strip():
        raise FileRefused(_l("The file is empty."))
    table = _read_xlsx(data, max_rows) if kind == "xlsx" else _read_csv(data, max_rows)
    if not any(table.headers):
        raise FileRefused(_l("The file is empty."))
    if not table.rows:
        raise FileRefused(_l("The file has a header row but no data rows."))
    return table


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise FileRefused(_l(
            "The file's encoding was not recognized: save it as CSV UTF-8 (or CSV from Excel on Windows)."
        )) from None


def detect_delimiter(text: str) -> str:
    """Semicolon (French Excel), comma or tab: the one that splits the header line best."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(CSV_DELIMITERS)).delimiter
    except csv.Error:
        first = next((line for line in text.splitlines() if line.strip()), "")
        return max(CSV_DELIMITERS, key=first.count)


def _read_csv(data: bytes, max_rows: int) -> Table:
    head = data[:4096]
    if head.startswith(_BINARY_SIGNATURES) or (b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise FileRefused(_l("This file is not a CSV text file (it looks like an image or another binary file)."))
    text, encoding = decode(data)
    if "\x00" in text:
        raise FileRefused(_l("This file is not a CSV text file (it looks like an image or another binary file)."))
    delimiter = detect_delimiter(text)
    # The csv reader accepts \r\n, \n and \r line endings, mixed, and newlines inside quotes.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = _collect(reader, max_rows, kind="csv")
    except csv.Error:
        raise FileRefused(_l("The CSV file could not be read: check its quotes and delimiters.")) from None
    table.encoding, table.delimiter = encoding, delimiter
    return table


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    from openpyxl import load_workbook

    if not data.startswith(b"PK\x03\x04"):
        raise FileRefused(_l("This file is not a valid Excel (.xlsx) workbook."))
    try:
        # data_only=False: a formula is kept as its text, never computed.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        rows = ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
        table = _collect(rows, max_rows, kind="xlsx")
        workbook.close()
    except FileRefused:
        raise
    except Exception as error:  # openpyxl raises many kinds (BadZipFile, KeyError, XML errors…)
        raise FileRefused(_l("This file is not a valid Excel (.xlsx) workbook.")) from error
    return table


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _collect(rows, max_rows: int, *, kind: str) -> Table:
    headers = None
    table = Table(kind=kind, headers=[])
    for number, cells in enumerate(rows, start=1):
        cells = [c.strip() if isinstance(c, str) else _cell_text(c) for c in cells]
        if not any(cells):
            continue
        if headers is None:
            headers = cells
            table.headers = headers
            continue
        if len(table.rows) >= max_rows:
            raise FileRefused(_l("The file has more than %(max)s rows: split it into smaller files.",
                                 max=format_decimal(max_rows)))
        table.rows.append((number, cells))
    if headers is None:
        raise FileRefused(_l("The file is empty."))
    # Trailing empty header cells (a habit of spreadsheets) are not columns.
    while table.headers and not table.headers[-1]:
        table.headers.pop()
    return table


def header_key(header: str) -> str:
    """Folded header, for recognizing « Nom de l'entreprise », "Company name", …"""
    return fold(header.replace("’", "'").replace("'", " "))
