"""Forms of the outcome chain: a digital plan, a project."""
from decimal import ROUND_HALF_UP, Decimal

from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from crm.enterprises.forms import LocalDecimalField
from crm.fields import SelectField
from crm.forms import Form
from crm.i18n import _l
from crm.reference import PROJECT_CATEGORIES, PROJECT_STATUSES, choices
from crm.validators import Cleaned, clean_url

MAX_AMOUNT = Decimal("9999999999")


class PlanForm(Form):
    produced_on = DateField(_l("Produced on"), validators=[InputRequired()])
    link = StringField(_l("Link to the document"), validators=[Optional(), Length(max=300), Cleaned(clean_url)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


def _amount(label):
    return LocalDecimalField(label, places=2, validators=[Optional(), NumberRange(min=Decimal(0), max=MAX_AMOUNT)])


def _jobs(label):
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=100000)])


class ProjectForm(Form):
    title = StringField(_l("Project"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Category"), choices=choices(PROJECT_CATEGORIES, blank=_l("Choose…")),
                           validators=[DataRequired()])
    status = SelectField(_l("Status"), choices=choices(PROJECT_STATUSES), default="planned")
    amount_invested = _amount(_l("Amount invested ($)"))
    public_funding = _amount(_l("Public funding obtained ($)"))
    jobs_created = _jobs(_l("Jobs created"))
    jobs_maintained = _jobs(_l("Jobs maintained"))
    started_on = DateField(_l("Started on"), validators=[Optional()])
    completed_on = DateField(_l("Carried out on"), validators=[Optional()])
    version = HiddenField()

    FIELDS = ("title", "category", "status", "amount_invested", "public_funding", "jobs_created",
              "jobs_maintained", "started_on", "completed_on")

    def values(self) -> dict:
        """The fields' values, amounts in whole dollars (rounded half up)."""
        values = {name: getattr(self, name).data for name in self.FIELDS}
        for name in ("amount_invested", "public_funding"):
            if values[name] is not None:
                # A Decimal typed in, or the stored whole dollars when the field was not sent.
                values[name] = int(Decimal(values[name]).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return values

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None
