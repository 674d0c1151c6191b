from wtforms import BooleanField, EmailField, SelectChoice, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from crm.fields import SelectField
from crm.forms import Form
from crm.i18n import _l
from crm.reference import LANGUAGES, ORGANIZATION_KINDS, REGIONS, ROLES, choices


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class UserForm(Form):
    email = EmailField(_l("Email"), filters=[_strip], validators=[
        DataRequired(), Length(max=254), Email(message=_l("Enter a valid email address."))])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    role = SelectField(_l("Role"), choices=choices(ROLES))
    organization_id = SelectField(_l("Organization"), coerce=int, validate_choice=True)
    locale = SelectField(_l("Preferred language"), choices=choices(LANGUAGES))

    def set_organizations(self, organizations) -> None:
        self.organization_id.choices = [SelectChoice(o.id, o.name) for o in organizations]


class OrganizationForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)], filters=[_strip])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    kind = SelectField(_l("Kind"), choices=choices(ORGANIZATION_KINDS))
    region_code = SelectField(_l("Region (regional hub)"), validators=[Optional()],
                              choices=choices(REGIONS, blank=_l("None")))
    is_active = BooleanField(_l("Active"), default=True)
    require_two_factor = BooleanField(_l("Every member must use two-factor authentication"))


class ConfirmForm(Form):
    """The CSRF token of the one-button actions (deactivate, send a reset link, …)."""
