from wtforms import HiddenField

from crm.fields import SelectField
from crm.forms import Form
from crm.i18n import LANGUAGE_NAMES
from crm.reference import choices


class LanguageForm(Form):
    locale = SelectField(choices=choices(LANGUAGE_NAMES))
    next = HiddenField()
