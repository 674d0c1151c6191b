"""The referral's forms: refer, record the contact's answer, accept (a coach) or decline (a reason), end a
share early (a confirmation)."""
from wtforms import BooleanField, DateField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from crm.fields import SelectField, SelectMultipleField
from crm.forms import Form
from crm.i18n import _l, lazy_pgettext
from crm.reference import choices

KIND_LABELS = {
    "move": _l("Move: the other organization follows the enterprise from now on"),
    "share": _l("Share for a period: the other organization follows it until a date, then it comes back"),
}
SHARED_LABELS = {
    "record": _l("The enterprise's record"),
    "contacts": _l("Its contacts"),
    "history": _l("Its history"),
    "diagnostics": _l("Its digital diagnostics"),
}
CONSENT_METHOD_LABELS = {
    "recorded": _l("The contact already agreed: I record it, with how"),
    "email": _l("Ask the contact by email (a link to accept or decline)"),
}
STATUS_LABELS = {
    "consent_pending": _l("Waiting for the contact's consent"),
    "sent": _l("Waiting for the receiving organization"),
    "accepted": lazy_pgettext("referral", "Accepted"),
    "declined": lazy_pgettext("referral", "Declined"),
    "expired": lazy_pgettext("referral", "Expired"),
    "ended": lazy_pgettext("referral", "Share ended"),
}
CONSENT_STATUS_LABELS = {
    "pending": lazy_pgettext("consent", "Not answered yet"),
    "given": lazy_pgettext("consent", "Given"),
    "refused": lazy_pgettext("consent", "Refused"),
}
SHORT_KIND_LABELS = {"move": lazy_pgettext("referral", "Move"), "share": lazy_pgettext("referral", "Share")}
ANSWER_LABELS = {"given": _l("The contact agrees"), "refused": _l("The contact refuses")}


class ReferForm(Form):
    to_organization_id = SelectField(_l("Organization referred to"), coerce=int, validate_choice=True)
    kind = RadioField(_l("Kind of referral"), choices=choices(KIND_LABELS), default="move",
                      validators=[InputRequired()])
    share_ends_on = DateField(_l("End of the share"), validators=[Optional()],
                              description=_l("For a share only: the last day the other organization follows it."))
    purpose = TextAreaField(_l("Purpose"), validators=[DataRequired(), Length(max=2000)],
                            description=_l("Why the enterprise is referred: told to the contact and to the "
                                           "organization."))
    message = TextAreaField(_l("Message to the organization"), validators=[Optional(), Length(max=4000)])
    shared = SelectMultipleField(_l("What is shared"), choices=choices(SHARED_LABELS), default=["record"],
                                 validators=[DataRequired()], widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
    contact_id = SelectField(_l("Contact whose consent is on record"), coerce=int, validate_choice=True)
    consent_method = RadioField(_l("Consent"), choices=choices(CONSENT_METHOD_LABELS), default="email",
                                validators=[InputRequired()])
    consent_source = StringField(_l("How the contact agreed"), validators=[Optional(), Length(max=200)],
                                 description=_l("E.g. « by phone on 2 December, with the director »."))


class ConsentForm(Form):
    answer = RadioField(_l("Answer"), choices=choices(ANSWER_LABELS), validators=[InputRequired()])
    source = StringField(_l("How the contact answered"), validators=[DataRequired(), Length(max=200)])


class AcceptForm(Form):
    coach_id = SelectField(_l("Coach who will follow the enterprise"), coerce=int, validate_choice=True)


class DeclineForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class EndShareForm(Form):
    confirm = BooleanField(_l("I confirm: the enterprise returns now to the organization that shared it."),
                           validators=[DataRequired(_l("Tick the box to confirm."))])


class AnswerForm(Form):
    """The public page's two buttons (``answer`` is the button pressed)."""
