"""Forms of saved views."""
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from crm.forms import Form
from crm.i18n import _l
from crm.savedviews.models import NAME_MAX


class ViewForm(Form):
    """Rename a view, or share it (or not) with the organization."""

    name = StringField(_l("Name of the view"), validators=[DataRequired(), Length(max=NAME_MAX)])
    shared = BooleanField(_l("Share with my organization"))


class SaveViewForm(ViewForm):
    """Save the list's current filters, sort and columns (``filters``: its query string)."""

    filters = HiddenField()


class DeleteViewForm(Form):
    """Only the CSRF token: deleting takes no input."""
