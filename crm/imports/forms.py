"""Forms of the import steps: upload, column mapping, duplicate choice."""
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField

from crm.fields import SelectField
from crm.forms import Form
from crm.i18n import _l
from crm.imports.parsing import HEADER_SEARCH_ROWS
from crm.imports.validation import FIELDS
from crm.reference import LEGAL_FORMS, REGIONS, choices


class UploadForm(Form):
    file = FileField(_l("Spreadsheet (.csv or .xlsx)"), validators=[FileRequired(_l("Choose a file."))])
    # Only the programme office chooses; the view removes it for managers.
    organization = SelectField(_l("Organization that will own the enterprises"), coerce=int)


class CommitForm(Form):
    duplicates = RadioField(
        _l("Rows that match an enterprise already in Virage"),
        choices=choices({"skip": _l("Skip them"), "update_empty": _l("Fill their empty fields")}),
        default="skip",
    )


class CancelForm(Form):
    pass


class HeaderRowForm(Form):
    header_line = SelectField(_l("Row that holds the column names"), coerce=int)


def header_row_form(batch, formdata=None) -> HeaderRowForm:
    """One option per first row of the file: « Line 3: Entreprise · NEQ · Région… »."""
    form = HeaderRowForm(formdata=formdata) if formdata is not None else HeaderRowForm()
    form.header_line.choices = [
        (line, _l("Line %(line)s: %(cells)s", line=line, cells=" · ".join(c for c in cells if c)[:120]))
        for line, cells in batch.head_rows[:HEADER_SEARCH_ROWS]]
    if not form.is_submitted():
        form.header_line.data = batch.header_line
    return form


def field_choices():
    return choices({key: f.label for key, f in FIELDS.items()}, blank=_l("(ignore this column)"))


def mapping_form(headers: list[str], mapping: dict, defaults: dict, formdata=None) -> Form:
    """One select per column of the file, pre-filled with the recognized field."""

    class MappingForm(Form):
        default_region = SelectField(_l("Region when the cell is empty"),
                                     choices=choices(REGIONS, blank=_l("(none: the row is refused)")))
        default_legal_form = SelectField(_l("Legal form when the cell is empty"),
                                         choices=choices(LEGAL_FORMS, blank=_l("(none: the row is refused)")))

    for index, header in enumerate(headers):
        label = header or _l("Column %(number)s", number=index + 1)
        setattr(MappingForm, f"col_{index}", SelectField(label, choices=field_choices(),
                                                         default=mapping.get(str(index), "")))
    form = MappingForm(formdata=formdata) if formdata is not None else MappingForm()
    if not form.is_submitted():
        form.default_region.data = defaults.get("region_code", "")
        form.default_legal_form.data = defaults.get("legal_form", "")
    form.columns = [getattr(form, f"col_{i}") for i in range(len(headers))]
    return form


def mapping_from(form) -> dict[str, str]:
    return {str(i): field.data for i, field in enumerate(form.columns) if field.data}


def defaults_from(form) -> dict[str, str]:
    return {"region_code": form.default_region.data or "", "legal_form": form.default_legal_form.data or ""}
