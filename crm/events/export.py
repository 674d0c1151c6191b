"""The registrations of an event as CSV or XLSX, safe to open in a spreadsheet.

CSV: UTF-8 with a byte-order mark, the list separator of the user's language (a semicolon in French,
where the comma is the decimal separator); a text that begins with = + - @, a tab or a carriage return
gets a leading apostrophe so a spreadsheet never runs it as a formula. XLSX: every cell is text.
"""
import csv
import io

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from crm.cohorts import timeutil
from crm.events.forms import MATCH_STATUSES, REGISTRATION_STATUSES
from crm.i18n import _, current_locale
from crm.reference import LEGAL_FORMS, REGIONS, label

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _inert(value: str) -> str:
    return "'" + value if value.startswith(DANGEROUS_PREFIXES) else value


def _moment(value) -> str:
    return timeutil.to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def table(event, registrations) -> tuple[list[str], list[list[str]]]:
    questions = event.question_list
    header = [_("First name"), _("Last name"), _("Email"), _("Role"), _("Enterprise"), _("NEQ"), _("City"),
              _("Region"), _("Legal form"), _("Status"), _("Registered at"), _("Came"), _("Minutes"),
              _("Enterprise matched"), _("Reminders by email"), _("Follow-up by the programme"), *questions]
    yes, no = _("Yes"), _("No")
    rows = []
    for r in registrations:
        answers = r.answers or {}
        rows.append([r.first_name, r.last_name, r.email, r.role or "", r.enterprise_name, r.neq or "", r.city,
                     label(REGIONS, r.region_code), label(LEGAL_FORMS, r.legal_form),
                     label(REGISTRATION_STATUSES, r.status), _moment(r.created_at), _moment(r.attended_at),
                     "" if r.attended_minutes is None else str(r.attended_minutes),
                     label(MATCH_STATUSES, r.match_status), yes if r.consent_reminders else no,
                     yes if r.consent_follow_up else no, *(answers.get(q, "") for q in questions)])
    return header, rows


def csv_response(header, rows, filename: str) -> Response:
    output = io.StringIO()
    output.write("\ufeff")
    writer = csv.writer(output, delimiter=";" if current_locale() == "fr" else ",", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_inert(cell) for cell in row] for row in rows])
    return Response(output.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _cell(sheet, value: str, *, bold=False):
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # text, even when it begins with "=": never a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_response(header, rows, filename: str, title: str) -> Response:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet")
    sheet.append([_cell(sheet, str(h), bold=True) for h in header])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return Response(output.getvalue(), content_type=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
