"""The queue row's quick forms."""
from wtforms import DateField, HiddenField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from crm.enterprises.forms import ACTIVITY_LABELS
from crm.fields import SelectField
from crm.forms import Form
from crm.i18n import _l
from crm.reference import STAGES, choices


class QuickActivityForm(Form):
    """A call, meeting, email or note logged from a row of the queue: today unless another day is given."""

    kind = SelectField(_l("Kind"), choices=choices(ACTIVITY_LABELS), default="call")
    occurred_on = DateField(_l("Date"), validators=[Optional()])
    body = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=10000)])


class DigestForm(Form):
    """The account page's switch: the daily digest on or off."""

    wanted = HiddenField(validators=[AnyOf(("on", "off"))])


class MoveForm(Form):
    """A board card's move to another stage; a comment is needed to go back or withdraw (the service says so)."""

    stage = SelectField(_l("Move to"), choices=choices(STAGES), validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    who = HiddenField()
