"""Forms of the reminder pages."""
from wtforms import SelectChoice, StringField
from wtforms.validators import Length, Optional

from crm.fields import SelectField
from crm.forms import Form
from crm.i18n import _l, lazy_pgettext

STATE_LABELS = {
    "pending": lazy_pgettext("reminder state", "Planned"),
    "sending": lazy_pgettext("reminder state", "Sending"),
    "sent": lazy_pgettext("reminder state", "Sent"),
    "failed": lazy_pgettext("reminder state", "Failed"),
    "cancelled": lazy_pgettext("reminder state", "Cancelled"),
}
KIND_LABELS = {
    "reminder": lazy_pgettext("email kind", "Reminder"),
    "update": lazy_pgettext("email kind", "Update"),
    "cancel": lazy_pgettext("email kind", "Cancellation"),
}


class ResendForm(Form):
    """Only the CSRF token: resending takes no input."""


class OptOutForm(Form):
    """Only the CSRF token: the signed link says who opts out."""


class OffsetsForm(Form):
    offsets = StringField(_l("Reminders, in minutes before the session"), validators=[Optional(), Length(max=200)])


class FilterForm(Form):
    class Meta:
        csrf = False  # a GET search form

    state = SelectField(_l("State"), validators=[Optional()])
    kind = SelectField(_l("Email"), validators=[Optional()])
    organization_id = SelectField(_l("Organization"), validators=[Optional()], coerce=str)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = [SelectChoice("", _l("All states"))] + [
            SelectChoice(code, label) for code, label in STATE_LABELS.items()]
        self.kind.choices = [SelectChoice("", _l("All emails"))] + [
            SelectChoice(code, label) for code, label in KIND_LABELS.items()]
        self.organization_id.choices = [SelectChoice("", _l("All organizations"))] + [
            SelectChoice(str(o.id), o.name) for o in organizations]
