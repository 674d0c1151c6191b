"""Forms of cohorts and sessions. Times are typed in Québec time and converted to UTC here."""
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from crm.cohorts import timeutil
from crm.fields import SelectField, SelectMultipleField
from crm.formatting import clock, format_date
from crm.forms import Form
from crm.i18n import _, _l, lazy_pgettext
from crm.reference import REGIONS, choices

COHORT_KINDS = {"training": _l("Training"), "coaching_collective": _l("Collective coaching")}
COHORT_STATUSES = {"planned": _l("Planned"), "running": _l("Running"), "finished": _l("Finished"),
                   "cancelled": _l("Cancelled")}
MODES = {"in_person": _l("In person"), "virtual": _l("Virtual"), "hybrid": _l("Hybrid")}
ATTENDANCE_LABELS = {"present": _l("Present"), "absent": _l("Absent"), "excused": _l("Excused")}
SESSION_STATUSES = {"scheduled": _l("Scheduled"), "cancelled": _l("Cancelled")}
# A session's title is its name; the bare "Title" is a contact's position (« Fonction »).
SESSION_TITLE = lazy_pgettext("session", "Title")

TIME_HINT = _l("Québec time. A time that occurs twice when clocks fall back in November is read "
               "as its first occurrence (daylight time).")


class CohortForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices(COHORT_KINDS))
    organization_id = SelectField(_l("Owning organization"), coerce=int)
    # Tick boxes, not a multiple select: choosing several there takes Ctrl (or ⌘), which no phone has.
    facilitator_ids = SelectMultipleField(_l("Facilitators"), coerce=int, validators=[DataRequired()],
                                          widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    start_date = DateField(_l("Start date"), validators=[InputRequired()])
    end_date = DateField(_l("End date"), validators=[InputRequired()])
    capacity = IntegerField(_l("Capacity (enterprises)"), validators=[DataRequired(), NumberRange(min=1, max=500)])
    mode = SelectField(_l("Mode"), choices=choices(MODES))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    region_code = SelectField(_l("Region"), choices=choices(REGIONS, blank=_l("None")))
    status = SelectField(_l("Status"), choices=choices(COHORT_STATUSES))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_("The end date must be on or after the start date."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Not an inline validator: Optional() on the field would skip it when the place is empty.
        if self.mode.data in ("in_person", "hybrid") and not (self.place.data or "").strip():
            self.place.errors = [*self.place.errors, _("Give the place of an in-person or hybrid cohort.")]
            return False
        return valid

    def values(self) -> dict:
        return {"name": self.name.data.strip(), "kind": self.kind.data,
                "organization_id": self.organization_id.data, "start_date": self.start_date.data,
                "end_date": self.end_date.data, "capacity": self.capacity.data, "mode": self.mode.data,
                "place": (self.place.data or "").strip() or None, "region_code": self.region_code.data or None,
                "status": self.status.data, "description": (self.description.data or "").strip() or None}


class SessionTimesMixin:
    """Start and end as local date + time; ``utc_range()`` after ``validate()``."""

    # InputRequired, not DataRequired: a value that does not parse keeps its own message.
    start_date = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    end_date = DateField(_l("End date"), validators=[Optional()],
                         description=_l("Only when the session ends on another day."))
    end_time = TimeField(_l("End time"), validators=[InputRequired()])

    ambiguous = False

    def validate_times(self) -> bool:
        self._range = None
        if self.start_time.errors or self.end_time.errors or self.start_date.errors or self.end_date.errors:
            return False
        converted = {}
        for name, day, at in (("start_time", self.start_date.data, self.start_time.data),
                              ("end_time", self.end_date.data or self.start_date.data, self.end_time.data)):
            try:
                converted[name] = timeutil.to_utc(day, at)
            except timeutil.NonexistentLocalTime:
                getattr(self, name).errors.append(_(
                    "%(time)s does not exist on %(date)s in Québec: clocks move forward from 2:00 to 3:00 "
                    "that night. Choose another time.", time=clock(at), date=format_date(day, "long")))
        if len(converted) < 2:
            return False
        start, end = converted["start_time"], converted["end_time"]
        if end.utc <= start.utc:
            self.end_time.errors.append(_("The end must be after the start."))
            return False
        self.ambiguous = start.ambiguous or end.ambiguous
        self._range = (start.utc, end.utc)
        return True

    def utc_range(self):
        return self._range


class SessionForm(SessionTimesMixin, Form):
    title = StringField(SESSION_TITLE, validators=[DataRequired(), Length(max=200)])
    mode = SelectField(_l("Mode"), choices=choices(MODES))
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)])
    meeting_url = StringField(_l("Meeting link"), validators=[Optional(), Length(max=500),
                                                              URL(message=_l("Enter a web address such as https://example.org."))])
    facilitator_id = SelectField(_l("Facilitator"), coerce=int)
    agenda = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=5000)])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return self.validate_times() and valid

    def details(self) -> dict:
        return {"title": self.title.data.strip(), "mode": self.mode.data,
                "place": (self.place.data or "").strip() or None,
                "meeting_url": (self.meeting_url.data or "").strip() or None,
                "facilitator_id": self.facilitator_id.data, "agenda": (self.agenda.data or "").strip() or None}


class SessionDetailsForm(Form):
    title = SessionForm.title
    mode = SessionForm.mode
    place = SessionForm.place
    meeting_url = SessionForm.meeting_url
    facilitator_id = SessionForm.facilitator_id
    agenda = SessionForm.agenda
    details = SessionForm.details


class RescheduleForm(SessionTimesMixin, Form):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return self.validate_times() and valid


class CancelForm(Form):
    reason = TextAreaField(_l("Reason for cancelling"), validators=[Optional(), Length(max=1000)])


class AddMemberForm(Form):
    enterprise_id = HiddenField(validators=[DataRequired()])
    move_stage = BooleanField(_l("Move to the cohort's stage when it is still at an earlier one"), default=True)


class EnrolForm(Form):
    """Bulk enrolment from the enterprise list: ``enterprise_ids`` (repeated) and ``cohort_id``."""

    cohort_id = IntegerField(_l("Cohort"), validators=[DataRequired()])
    enterprise_ids = SelectMultipleField(_l("Enterprises"), coerce=int, validate_choice=False,
                                         validators=[DataRequired(message=_l("Select at least one enterprise."))])
    move_stage = BooleanField(_l("Move to the cohort's stage when it is still at an earlier one"))
    next = HiddenField()


class LeaveForm(Form):
    left_on = DateField(_l("Leaving date"), validators=[InputRequired()])


class AttendanceForm(Form):
    """CSRF only: the per-enterprise choices are read by the view (``status-<id>``, ``contacts-<id>``)."""


class FeedForm(Form):
    """CSRF only: create, regenerate or revoke the private calendar feed."""
