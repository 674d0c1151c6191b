"""The first worksheet of an .xlsx workbook, read in one streaming pass of expat.

Each row's values are those openpyxl's read-only mode gives (``values_only``, formulas kept as
their text, the declared dimension ignored): shared and inline strings (rich text flattened, the
phonetic runs left out), numbers, dates and times by their cell's number format and the
workbook's epoch, booleans, errors, and shared formulas translated to their cell. openpyxl's own
helpers convert the values (``from_excel``, ``from_ISO8601``, ``Translator``, the number format
tests); what is not taken from it is its per-cell element tree, which cost a worker seconds for
a list of 10,000 members. One difference: an array formula gives its text, where openpyxl gave
an object whose text was its memory address.

No DTD is accepted in any part (so no entity can be declared), the cells and the formulas copied
down are counted as they come (``max_cells``, ``max_copied_formulas``), and rows come out as they
are read: the caller refuses a file as soon as one of its limits is passed, without reading the rest.
"""
import posixpath
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS, XLSM, XLSX, XLTM, XLTX

_MAIN = SHEET_MAIN_NS + "}"
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types}"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships}"
_RELATIONSHIP_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_WORKBOOK_TYPES = (XLTM, XLTX, XLSM, XLSX)  # in the order openpyxl looks for them
_ROW, _CELL, _VALUE, _FORMULA = _MAIN + "row", _MAIN + "c", _MAIN + "v", _MAIN + "f"
_INLINE, _SHARED, _TEXT, _RUN, _PHONETIC = _MAIN + "is", _MAIN + "si", _MAIN + "t", _MAIN + "r", _MAIN + "rPh"


class TooManyCells(ValueError):
    """The sheet holds more cells than the import may read."""


class TooManyCopiedFormulas(ValueError):
    """The sheet holds more formulas copied down (shared formulas, each translated to its cell)
    than the import may read: each costs about ten plain cells."""


def _parser(start=None, end=None) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True

    def refuse_dtd(*_args):
        raise ValueError("DTD in a workbook part")

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    return parser


def _feed(parser, stream) -> Iterator[None]:
    """Parse the part a chunk at a time, pausing after each."""
    while chunk := stream.read(65536):
        parser.Parse(chunk, False)
        yield
    parser.Parse(b"", True)
    yield


def _elements(archive: zipfile.ZipFile, path: str, on_start) -> None:
    """Call ``on_start(name, attributes)`` for each element of a small part."""
    with archive.open(path) as stream:
        for _pause in _feed(_parser(on_start), stream):
            pass


class _Texts:
    """The text of ``<si>`` (shared strings) or ``<is>`` (inline string) elements, as openpyxl's
    ``Text.content``: the plain ``<t>``, then the ``<t>`` of each rich-text run, without the
    phonetic runs (``<rPh>``)."""

    def __init__(self, container: str):
        self.container = container
        self.inside = self.in_run = self.in_phonetic = False
        self.plain = self.runs = self.text = None

    def start(self, name: str, parser) -> None:
        if name == self.container:
            self.inside, self.plain, self.runs = True, None, []
        elif not self.inside:
            return
        elif name == _TEXT and not self.in_phonetic:
            self.text = []
            parser.CharacterDataHandler = self.text.append
        elif name == _RUN:
            self.in_run = True
        elif name == _PHONETIC:
            self.in_phonetic = True

    def end(self, name: str, parser) -> str | None:
        """The content, when ``name`` closes the container."""
        if not self.inside:
            return None
        if name == _TEXT and self.text is not None:
            parser.CharacterDataHandler = None
            text, self.text = "".join(self.text), None
            if self.in_run:
                self.runs.append(text)
            else:
                self.plain = text or None
        elif name == _RUN:
            self.in_run = False
        elif name == _PHONETIC:
            self.in_phonetic = False
        elif name == self.container:
            self.inside = False
            return (self.plain or "") + "".join(self.runs)
        return None


def _shared_strings(archive: zipfile.ZipFile, path: str | None) -> list[str]:
    if path is None:
        return []
    strings = []
    texts = _Texts(_SHARED)
    parser = _parser()
    parser.StartElementHandler = lambda name, _attributes: texts.start(name, parser)

    def end(name):
        content = texts.end(name, parser)
        if content is not None:
            strings.append(content.replace("x005F_", ""))

    parser.EndElementHandler = end
    with archive.open(path) as stream:
        for _pause in _feed(parser, stream):
            pass
    return strings


def _date_styles(archive: zipfile.ZipFile) -> tuple[set[int], set[int]]:
    """The cell styles (``s``) whose number format is a date, and those that are a duration."""
    if "xl/styles.xml" not in archive.namelist():
        return set(), set()
    custom, formats, depth = {}, [], []

    def on_start(name, attributes):
        depth.append(name)
        if name == _MAIN + "numFmt" and _MAIN + "numFmts" in depth:
            custom[int(attributes["numFmtId"])] = attributes.get("formatCode")
        elif name == _MAIN + "xf" and depth[-2:-1] == [_MAIN + "cellXfs"]:
            formats.append(int(attributes.get("numFmtId", 0)))

    parser = _parser(on_start, lambda _name: depth.pop())
    with archive.open("xl/styles.xml") as stream:
        for _pause in _feed(parser, stream):
            pass
    dates, durations = set(), set()
    for index, number_format in enumerate(formats):
        code = custom[number_format] if number_format in custom else builtin_format_code(number_format)
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return dates, durations


class _Workbook:
    """Where the parts are: the workbook, its first worksheet, its shared strings; and its epoch."""

    def __init__(self, archive: zipfile.ZipFile):
        overrides = {}
        _elements(archive, "[Content_Types].xml", lambda name, a: name == _CONTENT_TYPES + "Override"
                  and overrides.setdefault(a.get("ContentType"), a.get("PartName", "")[1:]))
        workbook = next((overrides[t] for t in _WORKBOOK_TYPES if t in overrides), "xl/workbook.xml")
        self.shared_strings = overrides.get(SHARED_STRINGS)
        sheets, settings = [], {}

        def on_workbook(name, attributes):
            if name == _MAIN + "sheet":
                sheets.append(attributes.get(_RELATIONSHIP_ID))
            elif name == _MAIN + "workbookPr":
                settings.update(attributes)

        _elements(archive, workbook, on_workbook)
        date1904 = settings.get("date1904", "false")  # as openpyxl's Bool: any other text is true
        self.epoch = CALENDAR_MAC_1904 if date1904 not in ("false", "f", "0") and date1904 else WINDOWS_EPOCH
        folder, base = posixpath.split(workbook)
        targets = {}

        def on_relationship(name, attributes):
            if name == _RELATIONSHIPS + "Relationship" and attributes.get("TargetMode") != "External":
                target = attributes.get("Target", "")
                target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                targets[attributes.get("Id")] = (target, attributes.get("Type", ""))

        _elements(archive, posixpath.join(folder, "_rels", base + ".rels"), on_relationship)
        names = set(archive.namelist())
        # The first sheet that is a worksheet (not a chart), as openpyxl's ``worksheets[0]``.
        self.sheet = next(target for target, kind in (targets[i] for i in sheets if i)
                          if target in names and "chartsheet" not in kind)


class _Sheet:
    """Turns the worksheet's elements into rows of values (``rows``) and merged ranges (``merges``).

    The parser's handlers change with where it is (outside the rows, in a row, in a cell), so that
    each element costs one short Python call."""

    def __init__(self, parser, strings, dates, durations, epoch, max_cells: int, max_copied_formulas: int):
        self.parser = parser
        self.strings, self.dates, self.durations, self.epoch = strings, dates, durations, epoch
        self.max_cells, self.max_merges, self.max_copied_formulas = max_cells, max_cells, max_copied_formulas
        self.copied_formulas = 0
        self.rows: list[tuple[int, list]] = []  # read, not yet handed out
        self.merges: list[str] = []
        self.shared_formulas: dict[str, Translator] = {}
        self.columns: dict[str, int] = {}  # column letters met: their index
        self.row_number = self.column = self.cells = 0
        self.values = self.last_column = None
        # The cell being read: its attributes, the depth of elements within it, its <v> text, its
        # first <f> (attributes and text) and its <is> text.
        self.cell = self.value = self.formula = self.inline = self.text = None
        self.depth = 0
        self.texts = _Texts(_INLINE)
        self._outside()

    def _outside(self):
        self.parser.StartElementHandler, self.parser.EndElementHandler = self.start_outside, None

    def start_outside(self, name, attributes):
        if name == _ROW:
            number = attributes.get("r")
            if number is None:
                self.row_number += 1
            else:
                try:
                    self.row_number = int(number)
                except ValueError:
                    if not float(number).is_integer():
                        raise
                    self.row_number = int(float(number))
            self.values, self.column, self.last_column = [], 0, None
            self.parser.StartElementHandler, self.parser.EndElementHandler = self.start_in_row, self.end_in_row
        elif name == _MAIN + "mergeCell" and len(self.merges) < self.max_merges:
            self.merges.append(attributes.get("ref", ""))

    def start_in_row(self, name, attributes):
        if name != _CELL:
            return
        self.cells += 1
        if self.cells > self.max_cells:
            raise TooManyCells()
        self.cell, self.depth, self.value, self.formula, self.inline = attributes, 0, None, None, None
        reference = attributes.get("r")
        self.column = self._column(reference) if reference else self.column + 1
        self.parser.StartElementHandler, self.parser.EndElementHandler = self.start_in_cell, self.end_in_cell

    def _column(self, reference: str) -> int:
        letters = reference.rstrip("0123456789")
        column = self.columns.get(letters) if len(letters) < len(reference) else None
        if column is None:
            column = self.columns[letters] = coordinate_to_tuple(reference)[1]
        return column

    def end_in_row(self, name):
        if name == _ROW:
            values = self.values
            if self.last_column is not None:
                del values[self.last_column:]  # as long as its last cell's column
            self.rows.append((self.row_number, values))
            self._outside()

    def start_in_cell(self, name, attributes):
        self.depth += 1
        if self.depth == 1 and name == _VALUE and self.value is None and self.formula is None:
            self._capture()
        elif self.depth == 1 and name == _FORMULA and self.formula is None:
            self.formula = [attributes, None]
            self._capture()
        else:
            self.texts.start(name, self.parser)

    def _capture(self):
        self.text = []
        self.parser.CharacterDataHandler = self.text.append

    def end_in_cell(self, name):
        if self.depth == 0:
            self._add(self._cell_value())
            self.cell = None
            self.parser.StartElementHandler, self.parser.EndElementHandler = self.start_in_row, self.end_in_row
            return
        if self.depth == 1 and self.text is not None and name in (_VALUE, _FORMULA):
            self.parser.CharacterDataHandler = None
            text, self.text = "".join(self.text), None
            if name == _FORMULA:
                self.formula[1] = text
            else:
                self.value = text
        else:
            content = self.texts.end(name, self.parser)
            if content is not None and self.depth == 1 and self.inline is None:
                self.inline = content
        self.depth -= 1

    def _add(self, value):
        """Put the value at its column; a later cell of the same column wins, as in openpyxl."""
        values, column = self.values, self.column
        if column > len(values):
            values.extend([None] * (column - 1 - len(values)))
            values.append(value)
        elif column >= 1:
            values[column - 1] = value
        self.last_column = column

    def _cell_value(self):
        """As openpyxl's ``WorkSheetParser.parse_cell`` with ``data_only=False``."""
        kind = self.cell.get("t", "n")
        if self.formula is not None:
            return self._formula(*self.formula)
        value = None if kind == "inlineStr" else (self.value or None)
        if value is not None:
            if kind == "n":
                value = float(value) if "." in value or "E" in value or "e" in value else int(value)
                style = self.cell.get("s", 0)
                style = int(style) if style else style
                if style in self.dates:
                    try:
                        return from_excel(value, self.epoch, timedelta=style in self.durations)
                    except (OverflowError, ValueError):
                        return "#VALUE!"
            elif kind == "s":
                return self.strings[int(value)]
            elif kind == "b":
                return bool(int(value))
            elif kind == "d":
                return from_ISO8601(value)
            return value
        if kind == "inlineStr":
            return self.inline
        return None

    def _formula(self, attributes, text):
        value = "=" + (text or "")
        if attributes.get("t") == "shared":
            index = attributes.get("si")
            if index in self.shared_formulas:
                self.copied_formulas += 1
                if self.copied_formulas > self.max_copied_formulas:
                    raise TooManyCopiedFormulas()
                return self.shared_formulas[index].translate_formula(self.cell.get("r"))
            if value != "=":
                self.shared_formulas[index] = Translator(value, self.cell.get("r"))
        return value


def first_sheet(archive: zipfile.ZipFile, max_cells: int,
                max_copied_formulas: int) -> tuple[Iterator[tuple[int, list]], _Sheet]:
    """The rows of the first worksheet, ``(line number, values)`` in the order of the file, and
    the reader, whose ``merges`` (the merged ranges' references) are complete once the rows are."""
    workbook = _Workbook(archive)
    dates, durations = _date_styles(archive)
    parser = _parser()
    sheet = _Sheet(parser, _shared_strings(archive, workbook.shared_strings), dates, durations, workbook.epoch,
                   max_cells, max_copied_formulas)

    def rows():
        with archive.open(workbook.sheet) as stream:
            for _pause in _feed(parser, stream):
                yield from sheet.rows
                sheet.rows.clear()

    return rows(), sheet


def values_by_line(rows: Iterator[tuple[int, list]]) -> Iterator[list]:
    """Each line of the sheet from the first, as openpyxl's ``iter_rows(values_only=True)`` once
    the dimension is reset: a missing line is empty, a line that comes after a later one is left out."""
    expected = 1
    for number, values in rows:
        while expected < number:
            expected += 1
            yield []
        if expected == number:
            expected += 1
            yield values
