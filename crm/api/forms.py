"""Forms of the token pages."""
from wtforms import StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from crm.fields import SelectField, SelectMultipleField
from crm.forms import Form
from crm.i18n import _l
from crm.reference import choices

SCOPE_LABELS = {"read": _l("Read"), "write": _l("Write (create and change)")}
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
