"""The .xlsx reader (crm.imports.xlsx) gives each cell the value openpyxl's read-only mode gave:
shared and inline strings, rich text, numbers, dates and durations by their number format and the
workbook's epoch, booleans, errors, formulas as their text, gaps, and the first worksheet."""
import io
import warnings
import zipfile
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference

from crm.imports import xlsx
from crm.imports.parsing import FileRefused, Limits, read_sheet
from tests.imports_files import shared_strings_workbook, workbook_bytes, xml_workbook

NUMBER_FORMATS = (
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
    '<numFmt numFmtId="165" formatCode="[h]:mm:ss"/><numFmt numFmtId="166" formatCode="0.00%"/></numFmts>'
    # cellStyleXfs: formats of named styles, not of cells; their numbers must not shift the cells' ones.
    '<cellStyleXfs count="2"><xf numFmtId="14"/><xf numFmtId="0"/></cellStyleXfs>'
    '<cellXfs count="7"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>'
    '<xf numFmtId="166"/><xf numFmtId="21"/><xf numFmtId="4"/></cellXfs>')

SHARED = [
    "<t>Coopérative du Marais</t>",
    '<t xml:space="preserve">  espaces autour  </t>',
    # Rich text: the runs' texts, after the plain text; the phonetic run is left out.
    "<r><rPr><b/></rPr><t>Atelier </t></r><r><t>du Lac</t></r><rPh sb=\"0\" eb=\"1\"><t>ふりがな</t></rPh>",
    "<t>souligné_x005F_x000D_échappé</t>",
    "<t/>",
    "<t>&lt;balise&gt; &amp; « guillemets »</t>",
]

SHEET = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
    '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>'
    # Numbers: whole, decimal, exponent; dates, a time, a duration, a percentage, by their format.
    '<row r="2"><c r="A2"><v>42</v></c><c r="B2"><v>0.1</v></c><c r="C2"><v>1.5E3</v></c>'
    '<c r="D2" s="1"><v>45000</v></c><c r="E2" s="2"><v>45000.5</v></c><c r="F2" s="3"><v>1.25</v></c>'
    '<c r="G2" s="4"><v>0.125</v></c><c r="H2" s="5"><v>0.75</v></c><c r="I2" s="6"><v>1234.5</v></c>'
    '<c r="J2" s="1"><v>30</v></c></row>'
    # Booleans, an error, a formula's text result, an ISO date, inline strings with runs.
    '<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="b"><v>0</v></c><c r="C3" t="e"><v>#N/A</v></c>'
    '<c r="D3" t="str"><v>texte</v></c><c r="E3" t="d"><v>2026-03-01T08:30:00</v></c>'
    '<c r="F3" t="inlineStr"><is><t>Friperie</t></is></c>'
    '<c r="G3" t="inlineStr"><is><r><t>Coop</t></r><r><t> Memphré</t></r></is></c>'
    '<c r="H3" t="inlineStr"><is><t/></is></c><c r="I3" t="s"><v></v></c></row>'
    # Formulas are data: kept as their text; a shared formula is translated to each of its cells.
    '<row r="4"><c r="A4"><f>2+3</f><v>5</v></c><c r="B4" t="str"><f>A4&amp;"x"</f><v>5x</v></c>'
    '<c r="C4"><f t="shared" ref="C4:C6" si="0">A4*2</f><v>10</v></c><c r="D4"><f/></c></row>'
    '<row r="5"><c r="C5"><f t="shared" si="0"/><v>0</v></c></row>'
    # Cells and rows without their reference: they follow the one before.
    '<row><c><v>7</v></c><c t="s"><v>0</v></c><c r="E6"><v>8</v></c><c><v>9</v></c>'
    '<c r="C6"><f t="shared" si="0"/></c></row>'
    # A gap, a row numbered as a decimal, cells out of order, a row that comes back after a later one.
    '<row r="9.0" spans="1:3"><c r="C9"><v>3</v></c><c r="A9"><v>1</v></c></row>'
    '<row r="8"><c r="A8"><v>8</v></c></row>'
    '<row r="10"/>'
    '<row r="11"><c r="B11" t="s"><v>1</v></c><c r="B11"><v>2</v></c></row>'
)


def _openpyxl_rows(data: bytes) -> list[list]:
    """What Virage read with openpyxl (read-only, formulas as text, the dimension reset)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no default style": a file written by hand has none
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def _rows(data: bytes) -> list[list]:
    rows, _sheet = xlsx.first_sheet(zipfile.ZipFile(io.BytesIO(data)), max_cells=1_000_000,
                                    max_copied_formulas=100_000)
    return list(xlsx.values_by_line(rows))


@pytest.mark.parametrize("date1904", [False, True])
def test_a_workbook_as_excel_writes_it_reads_as_openpyxl_read_it(date1904):
    data = xml_workbook(SHEET, strings=SHARED, styles=NUMBER_FORMATS, date1904=date1904)
    rows = _rows(data)
    assert rows == _openpyxl_rows(data)
    assert rows[0][:4] == ["Coopérative du Marais", "  espaces autour  ", "Atelier du Lac", "souligné_x000D_échappé"]
    assert rows[1][3] == (datetime(2027, 3, 16) if date1904 else datetime(2023, 3, 15))
    assert (rows[1][5], rows[1][7]) == (timedelta(days=1, hours=6), time(18, 0))
    assert rows[2][:3] == [True, False, "#N/A"] and rows[2][6] == "Coop Memphré"
    assert rows[3][:4] == ["=2+3", '=A4&"x"', "=A4*2", "="] and rows[4][2] == "=A5*2"
    # As long as its last cell's column; the row that came back after a later one is left out.
    assert rows[6] == [] and rows[8] == [1] and rows[9] == [] and len(rows) == 11


def test_a_workbook_as_openpyxl_writes_it_reads_as_openpyxl_read_it():
    rows = [
        ["Nom", "Fondée le", "Heure", "Membres", "Part", "Active", "Note"],
        ["Coop Alpha", date(2020, 5, 17), time(9, 30), 12, 0.25, True, "=SUM(D2:D3)"],
        ["Coop Beta", datetime(2021, 1, 2, 3, 4, 5), None, 1e20, -3.5, False, None],
        [None, None, None, None, None, None, "  texte  "],
        [],
        ["Coop Gamma", timedelta(hours=36), "", 0, 1.0, None, "Montréal"],
    ]
    data = workbook_bytes(rows, merges=["A4:A6"])
    assert _rows(data) == _openpyxl_rows(data)


def test_the_first_worksheet_is_read_not_a_chart_before_it():
    workbook = Workbook()
    workbook.active.append(["Nom", "Ville"])
    workbook.active.append(["Coop Alpha", "Sherbrooke"])
    chart = BarChart()
    chart.add_data(Reference(workbook.active, min_col=1, min_row=1, max_row=2))
    workbook.create_chartsheet("Graphique", 0).add_chart(chart)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _rows(buffer.getvalue()) == _openpyxl_rows(buffer.getvalue()) == [["Nom", "Ville"],
                                                                            ["Coop Alpha", "Sherbrooke"]]


def test_shared_strings_and_merged_ranges_come_as_the_sheet_has_them(app):
    rows = [["Nom", "Région", "Ville"], ["Coop A", "Estrie", "Magog"], ["Coop B", None, "Orford"]]
    data = xml_workbook(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>4</v></c></row>',
        strings=["<t>Nom</t>", "<t>Région</t>", "<t>Coop A</t>", "<t>Estrie</t>", "<t>Coop B</t>"],
        merges=["B2:B3", "A5:C5"])
    with app.app_context():
        sheet = read_sheet(data, "a.xlsx", Limits(rows=10))
        assert sheet.rows == [(1, ["Nom", "Région"]), (2, ["Coop A", "Estrie"]), (3, ["Coop B"])]
        assert sheet.merges == [(2, 1, 3, 1), (5, 0, 5, 2)]
        assert [cells for _line, cells in read_sheet(shared_strings_workbook(rows), "b.xlsx", Limits(rows=10)).rows] \
            == [["Nom", "Région", "Ville"], ["Coop A", "Estrie", "Magog"], ["Coop B", "", "Orford"]]


def test_a_row_longer_than_the_cells_allowed_is_refused_while_it_is_read(app):
    row = "<c><v>1</v></c>" * 5_000  # no references: a reader cannot know the row's width beforehand
    with app.app_context(), pytest.raises(FileRefused) as refused:
        read_sheet(xml_workbook(f"<row>{row}</row>"), "a.xlsx", Limits(rows=10, cells=1_000))
    assert "1,000 cells" in str(refused.value.message).replace("\u202f", ",")


def test_a_part_that_declares_entities_is_refused(app):
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xml_workbook('<row r="1"/>'))) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, laughs if name == "xl/worksheets/sheet1.xml" else source.read(name))
    with app.app_context(), pytest.raises(FileRefused) as refused:
        read_sheet(buffer.getvalue(), "a.xlsx", Limits(rows=10))
    assert "not a valid Excel" in str(refused.value.message)
