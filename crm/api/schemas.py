"""What the API reads and writes, as pydantic models: they validate the input and describe it in the
OpenAPI document (crm/api/spec.py). Values are checked by the same functions as the forms
(crm/validators.py); messages go through gettext, in the caller's language."""
from datetime import date, datetime
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from crm.db import as_utc
from crm.i18n import _l
from crm.reference import LANGUAGES, LEGAL_FORMS, REGIONS, SECTORS, STAGES
from crm.text import has_line_break_or_control, strip_bidi_controls
from crm.validators import InvalidValue, SingleLine, clean_neq, clean_phone, clean_postal_code, clean_url


def _one_line(value: str) -> str:
    value = strip_bidi_controls(value).strip()
    if has_line_break_or_control(value):
        raise PydanticCustomError("one_line", str(SingleLine.message))
    return value


def _cleaned(cleaner):
    def clean(value):
        try:
            return cleaner(value)
        except InvalidValue as error:
            raise PydanticCustomError("invalid_format", str(error.message)) from None

    return clean


def _email(value: str) -> str | None:
    if not value.strip():
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise PydanticCustomError("invalid_format", str(_l("Enter a valid email address."))) from None


def OneLine(max_length: int, *, min_length: int = 0):  # noqa: N802 - a type, named like one
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(_one_line)]


Stage = Literal[tuple(STAGES)]
Region = Literal[tuple(REGIONS)]
LegalForm = Literal[tuple(LEGAL_FORMS)]
Sector = Literal[tuple(SECTORS)]
Language = Literal[tuple(LANGUAGES)]
Timestamp = Annotated[datetime, AfterValidator(as_utc)]
Neq = Annotated[str, Field(max_length=20), AfterValidator(_cleaned(clean_neq))]
PostalCode = Annotated[str, Field(max_length=10), AfterValidator(_cleaned(clean_postal_code))]
Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]
Phone = Annotated[str, Field(max_length=40), AfterValidator(_cleaned(clean_phone))]
WebAddress = Annotated[str, Field(max_length=300), AfterValidator(_cleaned(clean_url))]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Strict(BaseModel):
    """Input: an unknown field is refused (a misspelt filter or field must not pass unnoticed)."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FieldError(BaseModel):
    location: Literal["query", "body", "header"]
    field: str = Field(description="The field's path, dot-separated (stage.0 for a list's first item)")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="A URI naming the kind of problem, or about:blank")
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(None, description="For refused input: one entry per value")


# --- Enterprises -------------------------------------------------------------------------------

class EnterpriseListQuery(Strict):
    """The enterprise list's filters, as on the list page."""

    q: Annotated[str, Field(max_length=200, description="Words found in the name, NEQ, city or contacts")] = ""
    stage: list[Stage] = Field(default_factory=list, description="One or more stages (repeat the parameter)")
    region: Region | None = None
    legal_form: LegalForm | None = None
    organization: Id | None = Field(None, description="Programme office only: one organization's enterprises")
    coach: Id | Literal["none"] | None = Field(None, description="A coach's id, or none for unassigned")
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[str, Field(max_length=500, description="next_cursor of the previous page")] | None = None


class EnterpriseSummary(Output):
    id: int
    name: str
    neq: str | None
    legal_form: str
    region_code: str
    city: str | None
    stage: str
    organization_id: int
    coach_id: int | None
    last_activity_at: Timestamp | None
    version: int


class EnterprisePage(BaseModel):
    items: list[EnterpriseSummary]
    next_cursor: str | None = Field(description="Pass it as cursor for the next page; null on the last page")


class Enterprise(Output):
    id: int
    name: str
    neq: str | None
    legal_form: str
    region_code: str
    city: str | None
    postal_code: str | None
    sector_code: str | None = Field(description="Sector of activity (a code), or null when not given")
    sector: str | None = Field(description="The activity in the enterprise's own words")
    employees: int | None
    website: str | None
    organization_id: int
    coach_id: int | None
    stage: str
    preferred_language: str
    last_activity_at: Timestamp | None
    archived_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    version: int = Field(description="Changes on every save; the ETag carries it")


class EnterpriseCreate(Strict):
    name: OneLine(200, min_length=1)
    neq: Neq | None = None
    legal_form: LegalForm
    region_code: Region
    city: OneLine(120, min_length=1)
    postal_code: PostalCode | None = None
    sector_code: Sector | None = None
    sector: OneLine(120) | None = None
    employees: Annotated[int, Field(ge=0, le=100_000)] | None = None
    website: WebAddress | None = None
    preferred_language: Language = "fr"
    allow_same_name: bool = Field(False, description="Create it even if an enterprise of the same name exists "
                                                     "in the same city (a same NEQ is always refused)")


class EnterpriseUpdate(Strict):
    """Only the fields sent change; send null to empty an optional field."""

    name: OneLine(200, min_length=1) | None = None
    neq: Neq | None = None
    legal_form: LegalForm | None = None
    region_code: Region | None = None
    city: OneLine(120, min_length=1) | None = None
    postal_code: PostalCode | None = None
    sector_code: Sector | None = None
    sector: OneLine(120) | None = None
    employees: Annotated[int, Field(ge=0, le=100_000)] | None = None
    website: WebAddress | None = None
    preferred_language: Language | None = None


REQUIRED_ON_UPDATE = ("name", "legal_form", "region_code", "city", "preferred_language")


# --- Contacts ----------------------------------------------------------------------------------

class Contact(Output):
    id: int
    enterprise_id: int
    first_name: str
    last_name: str
    title: str | None
    email: str | None
    phone: str | None
    preferred_language: str
    email_consent: bool = Field(description="Consents to the programme's emails (Law 25: specific, withdrawable)")
    consent_at: Timestamp | None
    consent_source: str | None
    archived_at: Timestamp | None
    version: int


class ContactList(BaseModel):
    items: list[Contact]


class ContactCreate(Strict):
    first_name: OneLine(100, min_length=1)
    last_name: OneLine(100) = ""
    title: OneLine(120) | None = None
    email: Email | None = None
    phone: Phone | None = None
    preferred_language: Language = "fr"
    email_consent: bool = False
    consent_source: OneLine(200) | None = Field(None, description="How consent was given; required with it")


class ContactUpdate(Strict):
    """Only the fields sent change. Giving or withdrawing consent takes effect at once."""

    first_name: OneLine(100, min_length=1) | None = None
    last_name: OneLine(100) | None = None
    title: OneLine(120) | None = None
    email: Email | None = None
    phone: Phone | None = None
    preferred_language: Language | None = None
    email_consent: bool | None = None
    consent_source: OneLine(200) | None = None


# --- Journey -----------------------------------------------------------------------------------

class StageChangeIn(Strict):
    stage: Stage
    comment: Annotated[str, Field(max_length=2000)] | None = Field(
        None, description="Required to move back in the journey or to withdraw")


class StageChange(Output):
    id: int
    enterprise_id: int
    from_stage: str | None
    to_stage: str
    changed_at: Timestamp
    changed_by_id: int | None
    comment: str | None


class StageChangeList(BaseModel):
    items: list[StageChange]


class Activity(Output):
    id: int
    enterprise_id: int
    kind: str
    occurred_on: date
    is_coaching: bool
    duration_minutes: int | None
    body: str
    author_id: int | None
    created_at: Timestamp


class ActivityList(BaseModel):
    items: list[Activity]
    next_cursor: str | None


class ActivityCreate(Strict):
    kind: Literal["call", "meeting", "email", "note"] = "note"
    occurred_on: Annotated[date, Field(ge=date(1900, 1, 1), le=date(2199, 12, 31))]
    is_coaching: bool = False
    duration_minutes: Annotated[int, Field(ge=1, le=24 * 60)] | None = None
    body: Annotated[str, Field(min_length=1, max_length=10_000)]


class ActivityListQuery(Strict):
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[str, Field(max_length=500)] | None = None


# --- Follow-ups --------------------------------------------------------------------------------

class FollowUp(Output):
    id: int
    enterprise_id: int
    title: str
    due_on: date
    assignee_id: int | None
    created_by_id: int | None
    created_at: Timestamp
    done_at: Timestamp | None = Field(description="When it was closed; null while open")
    done_by_id: int | None


class FollowUpList(BaseModel):
    items: list[FollowUp]


class FollowUpListQuery(Strict):
    done: bool | None = Field(None, description="true: closed ones only; false: open ones only")


class FollowUpCreate(Strict):
    title: OneLine(200, min_length=1)
    due_on: Annotated[date, Field(ge=date(1900, 1, 1), le=date(2199, 12, 31))]
    assignee_id: Id | None = Field(None, description="An active person of the enterprise's organization; by "
                                                     "default its coach, else the token's owner")


class FollowUpUpdate(Strict):
    done: Literal[True] = Field(description="true closes the follow-up (done now); a closed one stays closed")


# --- Dashboard ---------------------------------------------------------------------------------

Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2199, 12, 31))]


class DashboardQuery(Strict):
    date_from: Day | None = Field(None, description="First day of the period (Québec time), inclusive")
    date_to: Day | None = Field(None, description="Last day of the period, inclusive")
    organization: Id | None = Field(None, description="Programme office only: one organization's figures")
    region: Region | None = None


class FunnelStep(BaseModel):
    level: int
    label: str = Field(description="In the caller's language")
    count: int = Field(description="Enterprises that reached this level or beyond")
    conversion: float | None = Field(description="From the previous level to this one (0 to 1)")


class StageFigures(BaseModel):
    stage: Stage
    label: str
    now: int = Field(description="Enterprises at this stage at the end of the period")
    ever: int = Field(description="Enterprises ever at this stage")
    entered: int = Field(description="Enterprises that first entered it during the period")


class Dashboard(BaseModel):
    date_from: date | None
    date_to: date | None
    organization_id: int | None
    region: str | None
    target: int = Field(description="The programme's target of enterprises reached")
    enterprises: int
    reached: int
    reached_in_period: int
    completed: int
    funnel: list[FunnelStep]
    stages: list[StageFigures]
