"""Reading the partners' spreadsheets: CSV (encoding and delimiter detected) and XLSX.

Every cell comes back as text, never evaluated: a cell such as ``=SUM(A1:A3)`` is data. A file
that cannot be read raises ``FileRefused`` with a translated reason; nothing is written then.

The cost of a file is bounded before and while it is read (``Limits``): the uncompressed size of
every part of a workbook is checked before anything is inflated, the sheet's declared dimension
is ignored, and rows, columns and cells are counted as they come, so that a hostile file is
refused early instead of keeping a worker busy.
"""
import csv
import io
import zipfile
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime

from crm.formatting import format_decimal
from crm.i18n import _l
from crm.imports import xlsx
from crm.text import fold

CSV_DELIMITERS = (";", ",", "\t")
# Signatures of files that are not text, whatever their name says.
_BINARY_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0",
                      b"BM", b"RIFF", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")
# Excel and LibreOffice sheets have at most 16,384 columns: a CSV line with more delimiters is
# refused before the csv module splits it into a list of that many cells.
SHEET_MAX_COLUMNS = 16_384
# Rows read before the header row, at most (titles, notes): the header is looked for among them.
HEADER_SEARCH_ROWS = 10
# A formula copied down a column (an .xlsx shared formula) is translated to each of its cells, which
# costs about as much as reading ten cells: a workbook may hold a tenth of IMPORT_MAX_CELLS of them.
COPIED_FORMULA_CELLS = 10
# A part of a workbook that inflates more than this many times its stored size is a zip bomb
# (spreadsheet XML compresses about 10:1; deflate cannot exceed about 1,000:1).
BOMB_RATIO = 100


class FileRefused(ValueError):
    """The file cannot be imported; ``message`` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Limits:
    """What one import may hold (settings IMPORT_MAX_*)."""

    rows: int
    columns: int = 200
    cells: int = 1_000_000
    uncompressed_bytes: int = 50_000_000

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(rows=config["IMPORT_MAX_ROWS"], columns=config["IMPORT_MAX_COLUMNS"],
                   cells=config["IMPORT_MAX_CELLS"], uncompressed_bytes=config["IMPORT_MAX_UNCOMPRESSED_BYTES"])


@dataclass
class Sheet:
    """Every non-blank row of the file, before the header row is chosen."""

    kind: str  # csv | xlsx
    # (line number as the spreadsheet shows it, cells) for each non-blank row.
    rows: list[tuple[int, list[str]]]
    # Merged ranges of a workbook: (first line, first column index, last line, last column index).
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None

    def stored(self) -> dict:
        """The rows and merged ranges as JSON keeps them (``from_stored`` builds the sheet back)."""
        return {"rows": self.rows, "merges": self.merges}

    @classmethod
    def from_stored(cls, stored: dict, kind: str, encoding: str | None = None,
                    delimiter: str | None = None) -> "Sheet":
        return cls(kind=kind, rows=[(line, cells) for line, cells in stored["rows"]],
                   merges=[tuple(m) for m in stored["merges"]], encoding=encoding, delimiter=delimiter)

    def table(self, header_line: int, limits: Limits) -> "Table":
        """The rows under ``header_line``, with the values of merged ranges copied down."""
        lines = [line for line, _cells in self.rows]
        if header_line not in lines:
            header_line = lines[0]
        start = lines.index(header_line)
        headers = list(self.rows[start][1])
        while headers and not headers[-1]:
            headers.pop()
        rows = [(line, list(cells)) for line, cells in self.rows[start + 1:]]
        if len(rows) > limits.rows:
            raise FileRefused(_l("The file has more than %(max)s rows: split it into smaller files.",
                                 max=format_decimal(limits.rows)))
        table = Table(kind=self.kind, headers=headers, rows=rows, header_line=header_line,
                      encoding=self.encoding, delimiter=self.delimiter)
        table.filled = _fill_merged(rows, self.merges, header_line)
        return table


@dataclass
class Table:
    kind: str  # csv | xlsx
    headers: list[str]
    # (line number as the spreadsheet shows it, cells) for each non-blank data row.
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    header_line: int = 1
    encoding: str | None = None
    delimiter: str | None = None
    # Merged values copied down: {"column": index, "first": line, "last": line, "value": text}.
    filled: list[dict] = field(default_factory=list)


def file_kind(file_name: str) -> str:
    name = (file_name or "").lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        return "csv"
    if name.endswith((".xls", ".ods", ".numbers")):
        raise FileRefused(_l("This spreadsheet format is not supported: save it as .xlsx or as CSV."))
    raise FileRefused(_l("Choose a .csv or .xlsx file."))


def read_sheet(data: bytes, file_name: str, limits: Limits) -> Sheet:
    """Every non-blank row of the file; raises FileRefused when it cannot be imported."""
    kind = file_kind(file_name)
    if not data or not data.strip():
        raise FileRefused(_l("The file is empty."))
    sheet = _read_xlsx(data, limits) if kind == "xlsx" else _read_csv(data, limits)
    if not sheet.rows:
        raise FileRefused(_l("The file is empty."))
    return sheet


def read_table(data: bytes, file_name: str, limits: Limits, header_line: int | None = None) -> Table:
    """The header and data rows of the file (header on its first non-blank row unless told)."""
    sheet = read_sheet(data, file_name, limits)
    table = sheet.table(header_line or sheet.rows[0][0], limits)
    check_table(table)
    return table


def check_table(table: Table) -> None:
    if not any(table.headers):
        raise FileRefused(_l("The file is empty."))
    if not table.rows:
        raise FileRefused(_l("The file has a header row but no data rows."))


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
    sample = "\n".join(text[:65536].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(CSV_DELIMITERS)).delimiter
    except csv.Error:
        first = next((line for line in sample.splitlines() if line.strip()), "")
        return max(CSV_DELIMITERS, key=first.count)


def _too_many_columns(limits: Limits) -> FileRefused:
    return FileRefused(_l("The file has more than %(max)s columns: delete the columns you do not import.",
                          max=format_decimal(limits.columns)))


def _read_csv(data: bytes, limits: Limits) -> Sheet:
    head = data[:4096]
    if head.startswith(_BINARY_SIGNATURES) or (b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise FileRefused(_l("This file is not a CSV text file (it looks like an image or another binary file)."))
    text, encoding = decode(data)
    if "\x00" in text:
        raise FileRefused(_l("This file is not a CSV text file (it looks like an image or another binary file)."))
    delimiter = detect_delimiter(text)

    def lines():
        # The csv reader accepts \r\n, \n and \r line endings, mixed, and newlines inside quotes.
        for line in io.StringIO(text, newline=""):
            if line.count(delimiter) >= SHEET_MAX_COLUMNS:
                raise _too_many_columns(limits)
            yield line

    try:
        rows = _collect(csv.reader(lines(), delimiter=delimiter), limits)
    except csv.Error:
        raise FileRefused(_l("The CSV file could not be read: check its quotes and delimiters.")) from None
    return Sheet(kind="csv", rows=rows, encoding=encoding, delimiter=delimiter)


def _read_xlsx(data: bytes, limits: Limits) -> Sheet:
    if not data.startswith(b"PK\x03\x04"):
        raise FileRefused(_l("This file is not a valid Excel (.xlsx) workbook."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        _check_inflated_sizes(archive, limits)
        # The declared dimension (<dimension ref="A1:XFD1048576"/>) is the file's word, not its
        # content: rows are as long as their last real cell.
        rows, sheet = xlsx.first_sheet(archive, max_cells=limits.cells,
                                       max_copied_formulas=limits.cells // COPIED_FORMULA_CELLS)
        collected = _collect(xlsx.values_by_line(rows), limits)
    except FileRefused:
        raise
    except xlsx.TooManyCells:
        raise _too_many_cells(limits) from None
    except xlsx.TooManyCopiedFormulas:
        raise FileRefused(_l(
            "The file has more than %(max)s formulas copied down: save a copy with values only (Paste special, "
            "Values) and import that copy.", max=format_decimal(limits.cells // COPIED_FORMULA_CELLS))) from None
    except Exception as error:  # zipfile, expat, openpyxl's helpers raise many kinds (BadZipFile, KeyError…)
        raise FileRefused(_l("This file is not a valid Excel (.xlsx) workbook.")) from error
    return Sheet(kind="xlsx", rows=collected, merges=_ranges(sheet.merges))


def _check_inflated_sizes(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse before inflating anything. The sizes are the ones the zip declares: zipfile stops
    reading a part at its declared size (and its checksum then fails), so a lie costs nothing."""
    parts = archive.infolist()
    total = sum(part.file_size for part in parts)
    bomb = any(part.file_size > 1_000_000 and part.file_size > BOMB_RATIO * max(part.compress_size, 1)
               for part in parts)
    if total > limits.uncompressed_bytes or bomb or len(parts) > 1000:
        raise FileRefused(_l(
            "This workbook would take more than %(max)s MB once uncompressed, or is compressed like no "
            "spreadsheet is: it looks damaged or built to harm. Save it again from Excel, or as CSV.",
            max=format_decimal(limits.uncompressed_bytes // 1_000_000)))


def _ranges(references: list[str]) -> list[tuple[int, int, int, int]]:
    """'C4:C6' -> (4, 2, 6, 2): first line, first column index, last line, last column index."""
    ranges = []
    for ref in references:
        first, _sep, last = ref.partition(":")
        start, end = _cell_position(first), _cell_position(last or first)
        if start and end:
            ranges.append((start[0], start[1], end[0], end[1]))
    return ranges


def _cell_position(ref: str) -> tuple[int, int] | None:
    """'C4' -> (4, 2): the line number and the column index."""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    if not letters.isalpha() or not letters.isascii() or not digits or len(letters) > 3:
        return None
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return int(digits), column - 1


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


def _too_many_cells(limits: Limits) -> FileRefused:
    return FileRefused(_l(
        "The file has more than %(max)s cells (rows × columns): delete the empty rows and columns "
        "around the list, or split it into smaller files.", max=format_decimal(limits.cells)))


def _collect(rows, limits: Limits) -> list[tuple[int, list[str]]]:
    """Non-blank rows with their line numbers; refuses as soon as a limit is passed."""
    collected = []
    cells_seen = 0
    max_rows = limits.rows + HEADER_SEARCH_ROWS
    for number, cells in enumerate(rows, start=1):
        # Empty cells count too: they cost the reading as much as full ones; so do missing rows.
        cells_seen += len(cells) or 1
        if cells_seen > limits.cells:
            raise _too_many_cells(limits)
        if not cells:
            continue
        cells = [c.strip() if isinstance(c, str) else _cell_text(c) for c in cells]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if len(cells) > limits.columns:
            raise _too_many_columns(limits)
        if len(collected) >= max_rows:
            raise FileRefused(_l("The file has more than %(max)s rows: split it into smaller files.",
                                 max=format_decimal(limits.rows)))
        collected.append((number, cells))
    return collected


def _fill_merged(rows, merges, header_line: int) -> list[dict]:
    """A value merged down over several rows belongs to each of them (a region over three members):
    copy it into the rows of the range that the file has, below the header. Ranges one row high
    (a title over several columns) mean nothing for the rows, and are left alone."""
    by_line = {line: cells for line, cells in rows}
    numbers = [line for line, _cells in rows]
    filled = []
    budget = len(rows)  # overlapping ranges (never in a real sheet) cannot make this quadratic
    for first, column, last, _last_column in sorted(merges):
        if last <= first or first <= header_line or first not in by_line:
            continue
        top = by_line[first]
        value = top[column] if column < len(top) else ""
        lines = numbers[bisect_right(numbers, first):bisect_right(numbers, last)]
        budget -= len(lines)
        if budget < 0:
            break
        if not value or not lines:
            continue
        for line in lines:
            cells = by_line[line]
            cells.extend([""] * (column + 1 - len(cells)))
            if not cells[column]:
                cells[column] = value
        filled.append({"column": column, "first": first, "last": max(lines), "value": value[:80]})
    return filled


def header_key(header: str) -> str:
    """Folded header, for recognizing « Nom de l'entreprise », "Company name", …"""
    return fold(header.replace("’", "'").replace("'", " "))
