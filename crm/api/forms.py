"""Forms of the token pages."""
from wtforms import StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from crm.fields import SelectField, SelectMultipleField
from crm.forms import Form
from crm.i18n import _l
from crm.reference import choices

SCOPE_LABELS = {"read": _l("Read"), "write": _l("Write (create and change)")}
EVENT_LABELS = {
    "enterprise.created": _l("An enterprise is created"),
    "enterprise.stage_changed": _l("An enterprise changes stage"),
    "session.planned": _l("A session is planned"),
    "session.rescheduled": _l("A session is rescheduled"),
    "session.cancelled": _l("A session is cancelled"),
    "registration.created": _l("Someone registers to an event"),
}
DURATION_LABELS = {"30": _l("30 days"), "90": _l("90 days"), "180": _l("180 days"), "365": _l("One year")}


class TokenForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)],
                       description=_l("What the token is for, e.g. « Power BI board report »."))
    scopes = SelectMultipleField(_l("Scopes"), choices=choices(SCOPE_LABELS), default=["read"],
                                 validators=[DataRequired()], widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
    days = SelectField(_l("Expires after"), choices=choices(DURATION_LABELS), default="90")


class ServiceTokenForm(TokenForm):
    organization_id = SelectField(_l("Organization"), coerce=int)


class RevokeForm(Form):
    """The revoke button."""


class WebhookForm(Form):
    organization_id = SelectField(_l("Organization"), coerce=int)
    url = StringField(_l("Endpoint address"), validators=[DataRequired(), Length(max=500)],
                      description=_l("HTTPS, on a public address: https://example.org/hooks/virage"))
    events = SelectMultipleField(_l("Events"), choices=choices(EVENT_LABELS), validators=[DataRequired()],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
