"""What an import shows before and after it writes: the first rows as they will be written, and
the report of refused rows, as the file had them, to fix in Excel and import again."""
import csv
import io
from collections import defaultdict

from crm.i18n import _
from crm.imports.headers import REPORT_COLUMN, significant
from crm.imports.validation import FIELDS, RowResult, is_error, issue_message

PREVIEW_ROWS = 10
CODED_DEFAULTS = ("region_code", "legal_form")
REPORT_NEUTRALIZE = ("=", "+", "-", "@", "\t", "\r")


def written_values(result: RowResult) -> dict:
    """The row's values by import field, cleaned as they will be stored."""
    enterprise, contact = result.enterprise, result.contact or {}
    values = {key: enterprise.get(key) for key in FIELDS if not key.startswith("contact_")}
    if result.contact is not None:
        values.update(contact_first_name=contact["first_name"], contact_last_name=contact["last_name"],
                      contact_title=contact["title"], contact_email=contact["email"],
                      contact_phone=contact.get("phone"), contact_language=contact["preferred_language"],
                      contact_consent=contact["email_consent"])
    return values


def preview_of(table, results: list[RowResult], mapping: dict, defaults: dict) -> dict:
    """The first rows as they will be written, what was copied from merged cells, which defaults
    were applied and to how many rows: the preview says it, never silently."""
    fields = [key for key in FIELDS
              if key in mapping.values() or (key in CODED_DEFAULTS and defaults.get(key))]
    columns = {field: int(index) for index, field in mapping.items()}
    filled_cells = set()
    for span in table.filled:
        filled_cells.update((line, span["column"]) for line, _cells in table.rows[:PREVIEW_ROWS]
                            if span["first"] < line <= span["last"])
    rows = []
    for (line, cells), result in zip(table.rows[:PREVIEW_ROWS], results, strict=False):
        if result.is_valid:
            values = written_values(result)
        else:  # shown as typed: the cleaned value of a refused cell is nothing
            values = {f: cells[columns[f]] if f in columns and columns[f] < len(cells) else None for f in fields}
        rows.append({"line": line, "action": result.action, "valid": result.is_valid,
                     "values": {f: values.get(f) for f in fields},
                     "defaulted": [f for f in result.defaulted if f in fields],
                     "filled": [f for f in fields if (line, columns.get(f)) in filled_cells]})
    field_of = {int(index): field for index, field in mapping.items()}
    filled = [{"column": table.headers[s["column"]] if s["column"] < len(table.headers) else "",
               "field": field_of.get(s["column"]), "first": s["first"], "last": s["last"], "value": s["value"]}
              for s in table.filled]
    defaulted = {key: {"value": defaults[key], "rows": sum(key in r.defaulted for r in results)}
                 for key in CODED_DEFAULTS if defaults.get(key)}
    return {"fields": fields, "rows": rows, "filled": filled, "defaulted": defaulted, "total": len(results)}


def rejected_rows(table, results: list[RowResult]) -> list:
    """[[line, cells]] of the refused rows, as read (merged values copied), as wide as the header."""
    width = len(significant(table.headers))
    by_line = dict(table.rows)
    return [[r.line, (by_line[r.line] + [""] * width)[:width]] for r in results if not r.is_valid]


def neutralize(value) -> str:
    """A spreadsheet must show a cell, never run it: formulas get a leading quote (which an
    import takes off again, crm.imports.validation)."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(REPORT_NEUTRALIZE) else value


def error_report_csv(batch) -> bytes:
    """The refused rows with the file's own columns, and a last column that says what to fix:
    fixed in Excel, the file can be imported again as it is. UTF-8 with BOM and semicolons, as
    French Excel opens it."""
    headers = significant(batch.headers)
    problems = defaultdict(list)
    for issue in batch.issues:
        if is_error(issue):
            problems[issue["line"]].append(_("%(column)s: %(reason)s", column=issue["column"],
                                             reason=issue_message(issue)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in headers] + [str(REPORT_COLUMN)])
    for line, cells in batch.rejected_rows:
        problem = _("Line %(line)s: %(problems)s", line=line, problems=" | ".join(problems[line]))
        writer.writerow([neutralize(c) for c in cells[:len(headers)]] + [neutralize(problem)])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
