"""Spreadsheets built in code, as partners keep them and as attackers craft them.

The tests and ``bench/import_bench.py`` use the same builders: no binary fixture to trust.
"""
import io
import struct
import zipfile
from xml.sax.saxutils import escape

from openpyxl import Workbook

TITLE = "Liste des membres — Estrie, mars 2026"
NOTE = "Document de travail : ne pas diffuser. Mis à jour par la permanence."

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Membres" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _package(sheet_xml: str | None = None, *, sheet_writer=None, level: int = 6) -> bytes:
    """A minimal XLSX; ``sheet_writer(stream)`` streams a big sheet without holding it in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        if sheet_writer is None:
            archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        else:
            with archive.open("xl/worksheets/sheet1.xml", "w") as stream:
                sheet_writer(stream)
    return buffer.getvalue()


def xml_workbook(sheet_data: str, *, strings=(), styles: str = "", date1904: bool = False, merges=()) -> bytes:
    """A workbook written by hand, as Excel writes it: ``sheet_data`` is the XML inside
    <sheetData>, ``strings`` the XML inside each <si> of the shared strings, ``styles`` the XML
    inside <styleSheet> (number formats, cell formats), ``merges`` references such as "C4:C6"."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts = {"xl/worksheets/sheet1.xml": (
        _SHEET_HEAD + f"<sheetData>{sheet_data}</sheetData>"
        + (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
           + "</mergeCells>" if merges else "") + "</worksheet>")}
    types = relations = ""
    if strings:
        parts["xl/sharedStrings.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}">'
                                         + "".join(f"<si>{si}</si>" for si in strings) + "</sst>")
        types += ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                  'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
        relations += ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      'relationships/sharedStrings" Target="sharedStrings.xml"/>')
    if styles:
        parts["xl/styles.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{main}">{styles}'
                                  "</styleSheet>")
        types += ('<Override PartName="/xl/styles.xml" ContentType="application/'
                  'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>')
        relations += ('<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      'relationships/styles" Target="styles.xml"/>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.replace("</Types>", types + "</Types>"))
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.replace(
            "<sheets>", f'<workbookPr date1904="{int(date1904)}"/><sheets>'))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.replace("</Relationships>",
                                                                             relations + "</Relationships>"))
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return buffer.getvalue()


def shared_strings_workbook(rows) -> bytes:
    """Rows of text as Excel saves them: each distinct text once, in the shared strings."""
    strings: dict[str, int] = {}
    sheet = []
    for number, row in enumerate(rows, start=1):
        cells = "".join(f'<c r="{_column_letters(i)}{number}" t="s"><v>{strings.setdefault(text, len(strings))}</v></c>'
                        for i, text in enumerate(row) if text)
        sheet.append(f'<row r="{number}">{cells}</row>')
    texts = [f"<t>{escape(text)}</t>" for text in strings]
    return xml_workbook("".join(sheet), strings=texts)


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def workbook_bytes(rows, merges=()) -> bytes:
    """An XLSX as Excel or LibreOffice save it (openpyxl), with merged ranges such as "C4:C6"."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Membres"
    for row in rows:
        sheet.append(list(row))
    for ref in merges:
        sheet.merge_cells(ref)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ESTRIE_HEADER = ["Entreprise", "NEQ", "Région", "Forme juridique", "Ville", "Prénom", "Nom", "Courriel"]


def estrie_members_xlsx() -> bytes:
    """A partner's monthly list: a merged title, a note, the column names on line 3, and the
    region merged down over three rows (C4:C6), then an empty region cell on line 7."""
    rows = [
        [TITLE], [NOTE], ESTRIE_HEADER,
        ["Coop des Cantons", "1170000101", "Estrie", "Coopérative de solidarité", "Sherbrooke", "Léa", "Roy",
         "lea@cantons.example"],
        ["Atelier du Lac", "1170000102", None, "OBNL", "Magog", "Marc", "Gagnon", "marc@lac.example"],
        ["Friperie Memphré", "1170000103", None, "OBNL", "Magog", "Zoé", "Tremblay", "zoe@memphre.example"],
        ["Centre Ressources Granit", "1170000104", None, "OBNL", "Lac-Mégantic", "Paul", "Côté",
         "paul@granit.example"],
    ]
    return workbook_bytes(rows, merges=["A1:H1", "A2:H2", "C4:C6"])


def huge_dimension_xlsx(far_row: bool = True) -> bytes:
    """About 1.6 KB: two real rows, a declared dimension of the whole grid (16,384 × 1,048,576)
    and, unless told, an empty row element on the grid's last line, as a careless writer leaves it:
    a reader that trusts the dimension builds a million rows of 16,384 cells."""
    sheet = (_SHEET_HEAD + '<dimension ref="A1:XFD1048576"/><sheetData>'
             + '<row r="1">' + _inline("A1", "Nom") + _inline("B1", "Ville") + "</row>"
             + '<row r="2">' + _inline("A2", "Coop Bombe") + _inline("B2", "Sherbrooke") + "</row>"
             + ('<row r="1048576" spans="1:16384"/>' if far_row else "")
             + "</sheetData></worksheet>")
    return _package(sheet, level=9)


def far_cell_xlsx() -> bytes:
    """A header, one row, and one real cell at the grid's last corner (XFD1048576)."""
    sheet = (_SHEET_HEAD + "<sheetData>"
             + '<row r="1">' + _inline("A1", "Nom") + "</row>"
             + '<row r="2">' + _inline("A2", "Coop Loin") + "</row>"
             + '<row r="1048576">' + _inline("XFD1048576", "x") + "</row>"
             + "</sheetData></worksheet>")
    return _package(sheet, level=9)


def zip_bomb_xlsx(uncompressed: int = 400_000_000) -> bytes:
    """A valid workbook of about 400 KB whose sheet inflates to ``uncompressed`` bytes: rows of one
    cell of a million letters (deflate's best, about 1,000:1)."""
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 1_000_000 + b"</t></is></c></row>"

    def write(stream):
        stream.write((_SHEET_HEAD + "<sheetData>").encode())
        for _ in range(max(uncompressed // len(row), 1)):
            stream.write(row)
        stream.write(b"</sheetData></worksheet>")

    return _package(sheet_writer=write, level=9)


def lying_zip_bomb_xlsx(uncompressed: int = 200_000_000) -> bytes:
    """The same bomb, whose zip headers claim the sheet is 1,000 bytes long once inflated."""
    data = bytearray(zip_bomb_xlsx(uncompressed))
    name = b"xl/worksheets/sheet1.xml"
    # Local header: size fields at 18 (compressed) and 22 (uncompressed); central header at 20 and 24.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[start + offset:start + offset + 4] = struct.pack("<I", 1000)
            start += 4
    return bytes(data)


def copied_formulas_xlsx(rows: int = 19_000, columns: int = 50) -> bytes:
    """About 2.8 MB: under the cell limit, but every cell is a formula copied down its column (a
    shared formula), which a reader translates to each cell: seconds of work per file."""
    head = '<row r="1">' + "".join(f'<c r="{_column_letters(c)}1" t="inlineStr"><is><t>Colonne {c}</t></is></c>'
                                   for c in range(columns)) + "</row>"
    first = '<row r="2">' + "".join(
        f'<c r="{_column_letters(c)}2"><f t="shared" si="{c}" ref="{_column_letters(c)}2:{_column_letters(c)}'
        f'{rows + 1}">A1+{c}</f></c>' for c in range(columns)) + "</row>"
    rest = "".join(f'<row r="{r}">' + "".join(f'<c r="{_column_letters(c)}{r}"><f t="shared" si="{c}"/></c>'
                                              for c in range(columns)) + "</row>" for r in range(3, rows + 2))
    return xml_workbook(head + first + rest)


def wide_csv(columns: int = 300_000) -> bytes:
    """A header of hundreds of thousands of columns (about 2.5 MB), and one data row."""
    header = ";".join(f"Colonne {i}" for i in range(columns))
    return (header + "\r\nCoop Large;Sherbrooke\r\n").encode()


def many_cells_csv(rows: int = 19_000, columns: int = 150) -> bytes:
    """Under the row and column limits, over the cell limit (2.8 million cells)."""
    header = ";".join(["Nom"] + [f"C{i}" for i in range(1, columns)])
    body = "\r\n".join(";".join([f"Coop {r}"] + ["x"] * (columns - 1)) for r in range(rows))
    return (header + "\r\n" + body + "\r\n").encode()


HOSTILE_FILES = {
    "huge declared dimension (xlsx)": (huge_dimension_xlsx, "dimension.xlsx"),
    "cell at XFD1048576 (xlsx)": (far_cell_xlsx, "loin.xlsx"),
    "zip bomb, honest sizes (xlsx)": (zip_bomb_xlsx, "bombe.xlsx"),
    "zip bomb, lying sizes (xlsx)": (lying_zip_bomb_xlsx, "bombe-menteuse.xlsx"),
    "950,000 formulas copied down (xlsx)": (copied_formulas_xlsx, "formules.xlsx"),
    "300,000 columns (csv)": (wide_csv, "large.csv"),
    "2.8 million cells (csv)": (many_cells_csv, "cellules.csv"),
}
