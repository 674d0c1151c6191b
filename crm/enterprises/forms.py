"""Forms of the enterprises feature; every label and message translated, every value validated."""
from decimal import Decimal
from functools import cache

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from crm.fields import OptionalSelectField, SelectField, SelectMultipleField
from crm.forms import Form
from crm.i18n import _l, lazy_pgettext
from crm.reference import (
    DIAGNOSTIC_TOOLS,
    LANGUAGES,
    LEGAL_FORMS,
    NO_SECTOR,
    REGIONS,
    SECTORS,
    STAGES,
    choices,
    diagnostic_dimensions,
)
from crm.validators import Cleaned, clean_neq, clean_postal_code, clean_url

ACTIVITY_LABELS = {
    "call": lazy_pgettext("activity kind", "Call"),
    "meeting": lazy_pgettext("activity kind", "Meeting"),
    "email": lazy_pgettext("activity kind", "Email"),
    "note": lazy_pgettext("activity kind", "Note"),
}
DIAGNOSTIC_TOOL_LABELS = DIAGNOSTIC_TOOLS
MATURITY_LABELS = {
    "1": _l("1 – Beginning"), "2": _l("2 – Exploring"), "3": _l("3 – Structuring"),
    "4": _l("4 – Integrated"), "5": _l("5 – Advanced"),
}
SORT_LABELS = {
    "name": _l("Name (A to Z)"), "-name": _l("Name (Z to A)"),
    "stage": _l("Stage (journey order)"), "-stage": _l("Stage (reverse order)"),
    "-last_activity": _l("Most recent activity first"), "last_activity": _l("Oldest activity first"),
}

COLUMN_LABELS = {
    "stage": _l("Stage"), "city": _l("City"), "region": _l("Region"), "coach": _l("Coach"),
    "last_activity": _l("Last activity"),
}



class LocalDecimalField(DecimalField):
    """A decimal typed the French way ("1,5") or the English way ("1.5").

    A text input with a decimal keypad: a number input refuses the comma in most browsers, while our
    hint (and French) writes one.
    """

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(*args, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")]
        super().process_formdata(valuelist)


class EnterpriseForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    neq = StringField(_l("NEQ"), validators=[Optional(), Cleaned(clean_neq)])
    legal_form = SelectField(_l("Legal form"), choices=choices(LEGAL_FORMS, blank=_l("Choose…")),
                             validators=[DataRequired()])
    region_code = SelectField(_l("Region"), choices=choices(REGIONS, blank=_l("Choose…")),
                              validators=[DataRequired()])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=120)])
    postal_code = StringField(_l("Postal code"), validators=[Optional(), Cleaned(clean_postal_code)])
    sector_code = OptionalSelectField(_l("Sector of activity"), choices=choices(SECTORS, blank=_l("Not specified")))
    sector = StringField(_l("Activity (details)"), validators=[Optional(), Length(max=120)])
    employees = IntegerField(_l("Employees"), validators=[Optional(), NumberRange(min=0, max=100000)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300), Cleaned(clean_url)])
    preferred_language = SelectField(_l("Preferred language"), choices=choices(LANGUAGES), default="fr")
    version = HiddenField()

    def profile(self) -> dict:
        optional = ("neq", "postal_code", "sector_code", "sector", "website")
        return {name: (getattr(self, name).data or None) if name in optional else getattr(self, name).data
                for name in ("name", "neq", "legal_form", "region_code", "city", "postal_code", "sector_code",
                             "sector", "employees", "website", "preferred_language")}

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class NewEnterpriseForm(EnterpriseForm):
    create_anyway = BooleanField(_l("It is a different enterprise: create it anyway"))


class StageForm(Form):
    stage = SelectField(_l("New stage"), choices=choices(STAGES, blank=_l("Choose…")), validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class ActivityForm(Form):
    kind = SelectField(_l("Kind"), choices=choices(ACTIVITY_LABELS), default="note")
    occurred_on = DateField(_l("Date"), validators=[InputRequired()])
    is_coaching = BooleanField(_l("Coaching time"))
    duration_hours = LocalDecimalField(_l("Duration (hours)"), places=2,
                                  validators=[Optional(), NumberRange(min=Decimal("0.25"), max=Decimal("24"))])
    body = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=10000)])

    def duration_minutes(self) -> int | None:
        hours = self.duration_hours.data
        return None if hours is None else int((hours * 60).to_integral_value())


class TaskForm(Form):
    title = StringField(_l("Follow-up"), validators=[DataRequired(), Length(max=200)])
    due_on = DateField(_l("Due date"), validators=[InputRequired()])
    assignee_id = SelectField(_l("Assigned to"), coerce=int, validate_choice=True)


class DiagnosticForm(Form):
    """A diagnostic, and a score field (``score_<dimension>``) per configured dimension: build it with
    ``diagnostic_form()``."""

    performed_on = DateField(_l("Date"), validators=[InputRequired()])
    tool = SelectField(_l("Tool"), choices=choices(DIAGNOSTIC_TOOL_LABELS), default="audit_industrie_40")
    maturity_level = SelectField(_l("Overall maturity level"), choices=choices(MATURITY_LABELS), default="1")
    link = StringField(_l("Link to the report"), validators=[Optional(), Length(max=300), Cleaned(clean_url)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])

    def score_fields(self) -> list:
        return [field for field in self if field.short_name.startswith("score_")]

    def scores(self) -> dict[str, int]:
        """{dimension: score} of the dimensions scored (a blank one is not)."""
        return {field.short_name.removeprefix("score_"): int(field.data) for field in self.score_fields()
                if field.data}


@cache
def _scored_form_class(dimensions: tuple[str, ...]) -> type:
    score_choices = choices(MATURITY_LABELS, blank=_l("Not scored"))
    fields = {f"score_{code}": SelectField(code, choices=score_choices, default="") for code in dimensions}
    return type("ScoredDiagnosticForm", (DiagnosticForm,), fields)


def diagnostic_form(**kwargs) -> DiagnosticForm:
    """The diagnostic form with a score per dimension of the configuration, labelled in the request's
    language (one form class per list of dimensions)."""
    dimensions = diagnostic_dimensions()
    form = _scored_form_class(tuple(dimensions))(**kwargs)
    for code, label in dimensions.items():
        form[f"score_{code}"].label.text = label
    return form


class AssignForm(Form):
    coach_id = SelectField(_l("Coach"), validate_choice=True)


class HandOverForm(Form):
    organization_id = SelectField(_l("Organization that will follow the enterprise"), coerce=int)
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class ConfirmForm(Form):
    """A button that changes something: archive, restore, mark done."""


class FilterForm(Form):
    """The list's filters, read from the query string so a filtered list can be bookmarked."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    # Tick boxes rather than a multiple select: no Ctrl-click to learn, and usable on a phone.
    stage = SelectMultipleField(_l("Stage"), choices=choices(STAGES), widget=ListWidget(prefix_label=False),
                                option_widget=CheckboxInput())
    # default="": a bookmarked URL that leaves a filter out means "all", not an invalid choice.
    region = SelectField(_l("Region"), choices=choices(REGIONS, blank=_l("All regions")), default="")
    legal_form = SelectField(_l("Legal form"), choices=choices(LEGAL_FORMS, blank=_l("All legal forms")),
                             default="")
    sector = SelectField(_l("Sector of activity"), choices=choices(
        {**SECTORS, NO_SECTOR: _l("Not specified")}, blank=_l("All sectors")), default="")
    organization = SelectField(_l("Organization"), default="")
    coach = SelectField(_l("Coach"), default="")
    sort = SelectField(_l("Sort by"), choices=choices(SORT_LABELS), default="name")
    # The list's columns beside the name; none ticked shows them all (saved views keep the choice).
    columns = SelectMultipleField(_l("Columns shown"), choices=choices(COLUMN_LABELS),
                                  widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def shown_columns(self) -> tuple[str, ...]:
        return tuple(self.columns.data or ()) or tuple(COLUMN_LABELS)


class BulkForm(Form):
    """One form for every bulk action of the list: the action, what it applies to, and its parameters.

    Another action (e.g. "add to cohort") adds its code to ``action``'s choices, its parameter
    fields here, and a handler in ``crm.enterprises.bulk``.
    """

    action = SelectField(_l("Action"))
    scope = RadioField(_l("Apply to"), default="selected", choices=choices({
        "selected": _l("The enterprises ticked on this page"),
        "all": _l("Every enterprise matching the filters"),
    }))
    ids = SelectMultipleField(_l("Enterprises"), coerce=int, validate_choice=False)
    filters = HiddenField()
    coach_id = SelectField(_l("Coach"), validate_choice=False)
    cohort_id = SelectField(_l("Cohort"), validate_choice=False)
    move_stage = BooleanField(_l("Move them to the cohort's stage"))
