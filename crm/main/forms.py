from flask_wtf import FlaskForm
from wtforms import HiddenField

from crm.fields import SelectField
from crm.i18n import LANGUAGE_NAMES
from crm.reference import choices


class LanguageForm(FlaskForm):
    locale = SelectField(choices=choices(LANGUAGE_NAMES))
    next = HiddenField()
