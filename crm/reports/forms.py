"""Filters of the dashboard, the funder report and the report pack: plain GET parameters that stay in the URL."""
from wtforms import BooleanField, DateField
from wtforms.validators import Optional, ValidationError

from crm.fields import SelectField
from crm.forms import Form
from crm.i18n import _l, lazy_pgettext
from crm.query_args import SupportedDate
from crm.reference import REGIONS, choices
from crm.reports import periods


class ReportFilterForm(Form):
    class Meta:
        csrf = False  # a GET form that only reads

    date_from = DateField(lazy_pgettext("date range", "From"), validators=[Optional(), SupportedDate()])
    date_to = DateField(lazy_pgettext("date range", "To"), validators=[Optional(), SupportedDate()])
    organization = SelectField(_l("Organization"), default="")
    region = SelectField(_l("Region"), choices=choices(REGIONS, blank=_l("All regions")), default="")
    # For one organization's figures: the regions where it has no enterprise are hidden unless asked.
    empty_rows = BooleanField(_l("Show the regions without enterprises"))

    def __init__(self, *args, organizations=None, **kwargs):
        """``organizations``: (id, name) pairs for the programme office; None removes the filter."""
        super().__init__(*args, **kwargs)
        if organizations is None:
            del self.organization
        else:
            self.organization.choices = choices({str(i): name for i, name in organizations},
                                                blank=_l("All organizations"))

    def validate_empty_rows(self, field):
        if field.raw_data and field.raw_data[0] not in ("y", "1"):
            raise ValidationError(_l("Tick the box or leave it empty."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the period must not come before its start."))

    @property
    def organization_id(self) -> int | None:
        value = self.organization.data if "organization" in self else ""
        return int(value) if value else None

    @property
    def region_code(self) -> str | None:
        return self.region.data or None


class PackFilterForm(ReportFilterForm):
    """The report pack's filters: a period preset (the Québec government's fiscal years, since the
    start of the programme) or the dates given, with the custom period."""

    period = SelectField(_l("Period"), default=periods.CURRENT_FISCAL_YEAR, choices=choices({
        periods.CURRENT_FISCAL_YEAR: _l("Current fiscal year (April 1 to March 31)"),
        periods.PREVIOUS_FISCAL_YEAR: _l("Previous fiscal year"),
        periods.SINCE_START: _l("Since the start of the programme"),
        periods.CUSTOM: _l("Custom period (the dates below)"),
    }))

    def validate_date_from(self, field):
        if field.data and self.period.data != periods.CUSTOM:
            raise ValidationError(_l("Choose \"Custom period\" to give dates, or leave them empty."))

    def validate_date_to(self, field):
        super().validate_date_to(field)
        self.validate_date_from(field)

    def dates(self) -> periods.Period:
        return periods.resolve(self.period.data, self.date_from.data, self.date_to.data)
