"""What the API reads and writes about cohorts, their memberships, sessions and attendance (pydantic
models: they check the input and describe it in the OpenAPI document, as crm/api/schemas.py)."""
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field

from crm.api.schemas import Day, Id, OneLine, Output, Strict, Timestamp, WebAddress

CohortKind = Literal["training", "coaching_collective"]
CohortStatus = Literal["planned", "running", "finished", "cancelled"]
Mode = Literal["in_person", "virtual", "hybrid"]
AttendanceStatus = Literal["present", "absent", "excused"]
# A moment the caller gives: with its offset (2026-03-14T18:30:00-04:00), kept in UTC.
Moment = Annotated[AwareDatetime, Field(ge=datetime(1900, 1, 2, tzinfo=UTC), le=datetime(2199, 12, 30, tzinfo=UTC)),
                   AfterValidator(lambda value: value.astimezone(UTC))]
Limit = Annotated[int, Field(ge=1, le=200)]
Cursor = Annotated[str, Field(max_length=500, description="next_cursor of the previous page")]
LongText = Annotated[str, Field(max_length=5000)]
Reason = Annotated[str, Field(max_length=1000)]


# --- Cohorts and memberships -------------------------------------------------------------------

class CohortListQuery(Strict):
    status: CohortStatus | None = None
    kind: CohortKind | None = None
    limit: Limit = 50
    cursor: Cursor | None = None


class CohortSummary(Output):
    id: int
    name: str
    kind: str
    organization_id: int
    start_date: date
    end_date: date
    capacity: int
    mode: str
    place: str | None
    region_code: str | None
    status: str
    members: int = Field(description="Enterprises in the cohort now (not those that left)")


class CohortPage(BaseModel):
    items: list[CohortSummary]
    next_cursor: str | None = Field(description="Pass it as cursor for the next page; null on the last page")


class Cohort(CohortSummary):
    description: str | None
    facilitator_ids: list[int]
    created_at: Timestamp
    updated_at: Timestamp


class Membership(BaseModel):
    id: int
    cohort_id: int
    enterprise_id: int
    enterprise_name: str
    joined_on: date
    left_on: date | None = Field(description="null while the enterprise is in the cohort")
    present: int = Field(description="Sessions held (not cancelled) where the enterprise was present")
    absent: int


class MembershipList(BaseModel):
    items: list[Membership]


class EnrolmentIn(Strict):
    enterprise_ids: Annotated[list[Id], Field(min_length=1, max_length=500)]
    move_stage: bool = Field(False, description="Move each enterprise to the stage the cohort leads to "
                                                "(training or collective coaching) when it is behind")


class Enrolment(BaseModel):
    added: list[int] = Field(description="Enterprises that joined the cohort")
    already_members: list[int]


class LeaveIn(Strict):
    left_on: Day


# --- Sessions ----------------------------------------------------------------------------------

class SessionListQuery(Strict):
    date_from: Day | None = Field(None, description="Sessions that end on or after this day (Québec time)")
    date_to: Day | None = Field(None, description="Sessions that start on or before this day (Québec time)")
    cohort: Id | None = None
    enterprise: Id | None = Field(None, description="An enterprise's individual sessions")
    status: Literal["scheduled", "cancelled"] | None = None
    limit: Limit = 50
    cursor: Cursor | None = None


class Session(Output):
    id: int
    title: str
    status: str
    cohort_id: int | None = Field(description="A cohort's session; else enterprise_id's individual one")
    enterprise_id: int | None
    organization_id: int
    starts_at: Timestamp
    ends_at: Timestamp
    duration_minutes: int
    mode: str
    place: str | None
    meeting_url: str | None
    facilitator_id: int | None
    agenda: str | None
    sequence: int = Field(description="Grows with every change sent to the participants")
    cancelled_at: Timestamp | None
    attendance_taken_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp


class SessionPage(BaseModel):
    items: list[Session]
    next_cursor: str | None


class SessionCreate(Strict):
    title: OneLine(200, min_length=1)
    starts_at: Moment = Field(description="With its offset, e.g. 2026-03-14T18:30:00-04:00")
    ends_at: Moment
    mode: Mode | None = Field(None, description="By default the cohort's, else in person")
    place: OneLine(300) | None = None
    meeting_url: WebAddress | None = None
    facilitator_id: Id | None = Field(None, description="By default the cohort's first facilitator, else the "
                                                        "enterprise's coach, else the token's owner")
    agenda: LongText | None = None


class SessionUpdate(Strict):
    """Only the fields sent change; times change through reschedule."""

    title: OneLine(200, min_length=1) | None = None
    mode: Mode | None = None
    place: OneLine(300) | None = None
    meeting_url: WebAddress | None = None
    facilitator_id: Id | None = None
    agenda: LongText | None = None


class RescheduleIn(Strict):
    starts_at: Moment
    ends_at: Moment
    reason: Reason | None = None


class CancelIn(Strict):
    reason: Reason | None = None


# --- Attendance --------------------------------------------------------------------------------

class Person(BaseModel):
    id: int
    first_name: str
    last_name: str


class AttendanceLine(BaseModel):
    enterprise_id: int
    enterprise_name: str
    status: AttendanceStatus | None = Field(description="null until attendance is taken")
    recorded_at: Timestamp | None
    recorded_by_id: int | None
    present_contact_ids: list[int]
    contacts: list[Person] = Field(description="The enterprise's current contacts, who may be marked present")


class AttendanceSheet(BaseModel):
    session_id: int
    taken_at: Timestamp | None
    items: list[AttendanceLine] = Field(description="The enterprises expected at the session")


class AttendanceMark(Strict):
    enterprise_id: Id
    status: AttendanceStatus
    contact_ids: Annotated[list[Id], Field(max_length=200)] = Field(
        default_factory=list, description="Its contacts who came (with present)")


class AttendanceIn(Strict):
    marks: Annotated[list[AttendanceMark], Field(min_length=1, max_length=500)]
