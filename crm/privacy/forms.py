"""Forms of the privacy module."""
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from crm.contacts.models import PURPOSES
from crm.db import utcnow
from crm.fields import SelectField, SelectMultipleField
from crm.forms import Form
from crm.i18n import _l, lazy_pgettext
from crm.privacy.incidents import INFORMATION_CATEGORIES
from crm.privacy.services import ACCESS_ACTIONS
from crm.query_args import SupportedDate
from crm.reference import choices


class ConsentForm(Form):
    purpose = SelectField(_l("Purpose"), choices=choices(PURPOSES))
    decision = RadioField(_l("Decision"), validators=[InputRequired()], choices=choices({
        "grant": _l("The person gives consent"),
        "withdraw": _l("The person withdraws consent"),
    }))
    source = StringField(_l("How was it expressed?"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Record consent"))


class AnonymizeForm(Form):
    confirm = BooleanField(_l("I understand that this erases the person's information for good."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Anonymize this contact"))


class ContactSearchForm(Form):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=100)])


class AccessLogFilterForm(Form):
    class Meta:
        csrf = False

    user = SelectField(_l("Person"), choices=[], default="")
    action = SelectField(_l("Action"), choices=choices(ACCESS_ACTIONS, blank=_l("All actions")), default="")
    start = DateField(lazy_pgettext("date range", "From"), validators=[Optional(), SupportedDate()])
    end = DateField(lazy_pgettext("date range", "To"), validators=[Optional(), SupportedDate()])

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end date comes before the start date."))


def _not_in_future(form, field):
    if field.data and field.data > utcnow().date():
        raise ValidationError(_l("This date is in the future."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IncidentForm(Form):
    discovered_on = DateField(_l("Date discovered"), validators=[DataRequired(), _not_in_future])
    occurred_on = DateField(_l("Date it occurred"), validators=[Optional(), _not_in_future])
    nature = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=5000)])
    information_categories = MultiCheckboxField(_l("Categories of information involved"),
                                                choices=choices(INFORMATION_CATEGORIES))
    people_affected = IntegerField(_l("Number of people affected"),
                                   validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    serious_injury_risk = RadioField(
        _l("Risk of serious injury"), validators=[InputRequired()],
        choices=choices({"no": _l("No"), "yes": _l("Yes")}), default="no")
    risk_assessment = TextAreaField(_l("Risk assessment"), validators=[Length(max=5000)])
    measures_taken = TextAreaField(_l("Measures taken"), validators=[Optional(), Length(max=5000)])
    commission_notified_on = DateField(_l("Commission d'accès à l'information notified on"),
                                       validators=[Optional(), _not_in_future])
    people_notified_on = DateField(_l("People concerned notified on"),
                                   validators=[Optional(), _not_in_future])
    version = HiddenField()
    submit = SubmitField(_l("Save"))

    def validate_occurred_on(self, field):
        if field.data and self.discovered_on.data and field.data > self.discovered_on.data:
            raise ValidationError(_l("An incident cannot be discovered before it occurs."))

    def validate_risk_assessment(self, field):
        if self.serious_injury_risk.data == "yes" and not (field.data or "").strip():
            raise ValidationError(_l("Explain why the risk of serious injury is high."))

    def _not_before_discovery(self, field):
        if field.data and self.discovered_on.data and field.data < self.discovered_on.data:
            raise ValidationError(_l("A notification cannot come before the incident was discovered."))

    validate_commission_notified_on = _not_before_discovery
    validate_people_notified_on = _not_before_discovery

    def values(self) -> dict:
        """The model's values (the form speaks yes/no, the model booleans)."""
        return {
            "discovered_on": self.discovered_on.data,
            "occurred_on": self.occurred_on.data,
            "nature": self.nature.data.strip(),
            "information_categories": list(self.information_categories.data or []),
            "people_affected": self.people_affected.data,
            "serious_injury_risk": self.serious_injury_risk.data == "yes",
            "risk_assessment": (self.risk_assessment.data or "").strip() or None,
            "measures_taken": (self.measures_taken.data or "").strip() or None,
            "commission_notified_on": self.commission_notified_on.data,
            "people_notified_on": self.people_notified_on.data,
        }
