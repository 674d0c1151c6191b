"""Forms of events: the manager's (event, session, message, attendance file) and the public
registration form. Times are typed in Québec time and converted to UTC here."""
from datetime import datetime, time, timedelta

from email_validator import EmailNotValidError, validate_email
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FileField,
    IntegerField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from crm.cohorts import timeutil
from crm.fields import SelectField
from crm.formatting import clock, format_date
from crm.forms import Form
from crm.i18n import _, _l
from crm.reference import LEGAL_FORMS, REGIONS, choices
from crm.validators import Cleaned, clean_neq

EVENT_KINDS = {"webinar": _l("Awareness webinar"), "workshop": _l("In-person workshop"),
               "training": _l("Training open to registration")}
MODES = {"virtual": _l("Virtual"), "in_person": _l("In person"), "hybrid": _l("Hybrid")}
EVENT_STATUSES = {"draft": _l("Draft"), "open": _l("Registration open"), "closed": _l("Registration closed")}
LANGUAGE_CHOICES = {"fr": _l("French"), "en": _l("English"), "fr en": _l("French and English")}
REGISTRATION_STATUSES = {"unconfirmed": _l("Address not confirmed"), "confirmed": _l("Confirmed"),
                         "waiting": _l("Waiting list"), "cancelled": _l("Cancelled")}
MATCH_STATUSES = {"pending": _l("Not yet matched"), "neq": _l("Same NEQ"), "to_confirm": _l("To confirm"),
                  "created": _l("New enterprise"), "confirmed": _l("Confirmed by a manager")}
MAX_QUESTIONS = 5
ANSWER_MAX_LENGTH = 500


def clean_email(value: str | None) -> str | None:
    if not value:
        return value
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError(_l("Enter a valid email address.")) from None


class SessionTimes:
    """A date, a start and an end time in Québec time; ``utc_range()`` after ``validate_times()``."""

    day = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    end_time = TimeField(_l("End time"), validators=[InputRequired()])

    def validate_times(self) -> bool:
        self._range = None
        if self.day.errors or self.start_time.errors or self.end_time.errors:
            return False
        converted = []
        for field in (self.start_time, self.end_time):
            try:
                converted.append(timeutil.to_utc(self.day.data, field.data).utc)
            except timeutil.NonexistentLocalTime:
                field.errors.append(_(
                    "%(time)s does not exist on %(date)s in Québec: clocks move forward from 2:00 to 3:00 "
                    "that night. Choose another time.", time=clock(field.data),
                    date=format_date(self.day.data, "long")))
        if len(converted) < 2:
            return False
        if converted[1] <= converted[0]:
            self.end_time.errors.append(_("The end must be after the start."))
            return False
        self._range = tuple(converted)
        return True

    def utc_range(self):
        return self._range


class EventForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices(EVENT_KINDS))
    organization_id = SelectField(_l("Organizing organization"), coerce=int)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    mode = SelectField(_l("Mode"), choices=choices(MODES))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    meeting_url = StringField(_l("Meeting link"), validators=[
        Optional(), Length(max=500), URL(message=_l("Enter a web address such as https://example.org."))],
        description=_l("Sent to the people registered only, never shown on the public page."))
    region_code = SelectField(_l("Region"), choices=choices(REGIONS, blank=_l("Whole province")))
    languages = SelectField(_l("Language of the event"), choices=choices(LANGUAGE_CHOICES))
    capacity = IntegerField(_l("Capacity (people)"), validators=[DataRequired(), NumberRange(min=1, max=5000)])
    registration_deadline = DateField(_l("Last day to register"), validators=[Optional()])
    double_opt_in = BooleanField(_l("Ask people to confirm their address before their seat counts"))
    questions = TextAreaField(_l("Questions of the registration form"), validators=[Optional(), Length(max=2000)],
                              description=_l("One question per line, five at most. Answers are optional."))

    def validate_questions(self, field):
        if len([line for line in (field.data or "").splitlines() if line.strip()]) > MAX_QUESTIONS:
            raise ValidationError(_l("Five questions at most."))
        if any(len(line) > 200 for line in (field.data or "").splitlines()):
            raise ValidationError(_l("A question holds 200 characters at most."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.mode.data in ("in_person", "hybrid") and not (self.place.data or "").strip():
            self.place.errors = [*self.place.errors, _("Give the place of an in-person or hybrid event.")]
            return False
        return valid

    def values(self) -> dict:
        deadline = None
        if self.registration_deadline.data:
            # The whole last day, Québec time.
            deadline = timeutil.to_utc(self.registration_deadline.data + timedelta(days=1), time(0, 0)).utc
        return {"title": self.title.data.strip(), "kind": self.kind.data,
                "organization_id": self.organization_id.data,
                "description": (self.description.data or "").strip() or None, "mode": self.mode.data,
                "place": (self.place.data or "").strip() or None,
                "meeting_url": (self.meeting_url.data or "").strip() or None,
                "region_code": self.region_code.data or None, "languages": self.languages.data,
                "capacity": self.capacity.data, "registration_deadline": deadline,
                "double_opt_in": bool(self.double_opt_in.data),
                "questions": "\n".join(line.strip() for line in (self.questions.data or "").splitlines()
                                       if line.strip()) or None}

    def fill_deadline(self, deadline: datetime | None) -> None:
        if deadline is not None:
            self.registration_deadline.data = (timeutil.to_local(deadline) - timedelta(days=1)).date()


class NewEventForm(SessionTimes, EventForm):
    """A new event and its first session."""

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return self.validate_times() and valid


class EventSessionForm(SessionTimes, Form):
    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return self.validate_times() and valid


class ActionForm(Form):
    """CSRF only: publish, close, reopen, remove a session, cancel a registration, check in."""


class MessageForm(Form):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)])
    include_waiting = BooleanField(_l("Also send it to the people on the waiting list"))


class AttendanceFileForm(Form):
    file = FileField(_l("Attendance file of the webinar tool (CSV)"))


class MatchForm(Form):
    """The manager's decision on a registration whose enterprise was found by name and city."""


class RegistrationForm(Form):
    """The public form. No CSRF token tied to a session (an embedded form has no cookie): a signed
    form token instead (crm.events.public), and a honeypot field that people never see."""

    class Meta:
        csrf = False

    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    role = StringField(_l("Your role in the enterprise"), validators=[Optional(), Length(max=120)])
    enterprise_name = StringField(_l("Enterprise name"), validators=[DataRequired(), Length(max=200)])
    neq = StringField(_l("NEQ (Québec enterprise number)"), validators=[Optional(), Cleaned(clean_neq)],
                      description=_l("Optional: 10 digits."))
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=120)])
    region_code = SelectField(_l("Region"), choices=choices(REGIONS, blank=_l("Choose…")),
                              validators=[DataRequired()])
    legal_form = SelectField(_l("Legal form"), choices=choices(LEGAL_FORMS, blank=_l("Choose…")),
                             validators=[DataRequired()])
    consent_reminders = BooleanField(_l("I agree to receive the reminders of this event by email"))
    consent_follow_up = BooleanField(
        _l("I agree that the programme contacts me afterwards about the digital transition of my enterprise"))
    # The honeypot: hidden from people by CSS and from assistive technologies; robots fill it.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])
    form_token = StringField()

    def validate_email(self, field):
        field.data = clean_email(field.data)

    def answers(self, questions: list[str], formdata) -> dict:
        """The answers to the event's own questions (fields ``answer-1``…), cut to a safe length."""
        answers = {}
        for number, question in enumerate(questions, start=1):
            value = " ".join(str(formdata.get(f"answer-{number}", "")).split())[:ANSWER_MAX_LENGTH]
            if value:
                answers[question] = value
        return answers

    def values(self) -> dict:
        return {"first_name": self.first_name.data.strip(), "last_name": self.last_name.data.strip(),
                "email": self.email.data, "role": (self.role.data or "").strip() or None,
                "enterprise_name": self.enterprise_name.data.strip(), "neq": self.neq.data or None,
                "city": self.city.data.strip(), "region_code": self.region_code.data,
                "legal_form": self.legal_form.data, "consent_reminders": bool(self.consent_reminders.data),
                "consent_follow_up": bool(self.consent_follow_up.data)}


class CheckInSearchForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Name or enterprise"), validators=[Optional(), Length(max=100)])


class RegistrationFilterForm(Form):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=choices(REGISTRATION_STATUSES, blank=_l("All")), validators=[Optional()])
    match = SelectField(_l("Enterprise"), choices=choices(MATCH_STATUSES, blank=_l("All")), validators=[Optional()])
    attended = SelectField(_l("Attendance"), choices=choices({"yes": _l("Came"), "no": _l("Did not come")},
                                                             blank=_l("All")), validators=[Optional()])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])


