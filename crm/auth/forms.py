from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from crm.forms import Form
from crm.i18n import _l


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class LogoutForm(Form):
    submit = SubmitField(_l("Sign out"))


def _new_password_fields():
    return (
        PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)],
                      render_kw={"autocomplete": "new-password"}),
        PasswordField(_l("New password, again"),
                      validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
                      render_kw={"autocomplete": "new-password"}),
    )


class LoginCodeForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)],
                       render_kw={"autocomplete": "one-time-code", "autofocus": True,
                                  "spellcheck": "false", "autocapitalize": "off"})
    submit = SubmitField(_l("Verify"))


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Send the link"))


class ResetPasswordForm(Form):
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Save the password"))


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)],
                                     render_kw={"autocomplete": "current-password"})
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change the password"))


class TwoFactorSetupForm(Form):
    code = StringField(_l("Code shown by the app"), validators=[DataRequired(), Length(max=10)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                                  "spellcheck": "false"})
    submit = SubmitField(_l("Turn on two-factor authentication"))


class PasswordConfirmForm(Form):
    """Disabling 2FA or making new recovery codes asks for the password again."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
