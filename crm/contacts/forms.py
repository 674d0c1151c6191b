"""Forms of the contacts feature."""
from wtforms import BooleanField, EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from crm.fields import SelectField
from crm.forms import Form
from crm.i18n import _l
from crm.reference import LANGUAGES, choices
from crm.validators import Cleaned, clean_phone


class ContactForm(Form):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[Optional(), Length(max=100)])
    title = StringField(_l("Position"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Cleaned(clean_phone)])
    preferred_language = SelectField(_l("Preferred language"), choices=choices(LANGUAGES), default="fr")
    email_consent = BooleanField(_l("Agrees to receive emails from the programme"))
    consent_source = StringField(_l("How consent was given"), validators=[Length(max=200)])
    version = HiddenField()

    def validate_email(self, field):
        from email_validator import EmailNotValidError, validate_email

        if field.data:
            try:
                field.data = validate_email(field.data, check_deliverability=False).normalized
            except EmailNotValidError:
                raise ValidationError(_l("Enter a valid email address.")) from None

    def validate_consent_source(self, field):
        if self.email_consent.data and not (field.data or "").strip():
            raise ValidationError(_l("Say how the person gave their consent."))

    def values(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "first_name", "last_name", "title", "email", "phone", "preferred_language", "email_consent",
            "consent_source")}
        data["last_name"] = data["last_name"] or ""
        for name in ("title", "email", "phone", "consent_source"):
            data[name] = (data[name] or "").strip() or None
        return data

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class ConfirmForm(Form):
    """The archive button of a contact (CSRF only)."""
