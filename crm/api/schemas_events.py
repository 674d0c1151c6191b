"""What the API reads about events' registrations (pydantic models, as crm/api/schemas.py)."""
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from crm.api.schemas import Output, Strict, Timestamp
from crm.events.models import MATCH_STATES, REGISTRATION_STATUSES


class RegistrationListQuery(Strict):
    """The registrations list's filters, as on the event's page."""

    status: Literal[REGISTRATION_STATUSES] | None = None
    match: Literal[MATCH_STATES] | None = Field(None, description="How the registration found its enterprise")
    attended: Literal["yes", "no"] | None = None
    q: Annotated[str, Field(max_length=100, description="Words of the name, enterprise or address")] = ""
    limit: Annotated[int, Field(ge=1, le=200)] = 100
    cursor: Annotated[str, Field(max_length=500, description="next_cursor of the previous page")] | None = None


class Registration(Output):
    id: int
    event_id: int
    status: str = Field(description="unconfirmed (address to confirm), confirmed, waiting or cancelled")
    first_name: str
    last_name: str
    email: str
    role: str | None
    language: str
    enterprise_name: str = Field(description="As the person typed it")
    neq: str | None
    city: str
    region_code: str
    legal_form: str
    consent_reminders: bool
    consent_follow_up: bool
    match_status: str
    enterprise_id: int | None = Field(description="The enterprise it was matched to, when the token's owner sees it")
    confirmed_at: Timestamp | None
    waiting_since: Timestamp | None
    cancelled_at: Timestamp | None
    attended_at: Timestamp | None
    attendance_source: str | None
    attended_minutes: int | None
    created_at: Timestamp


class RegistrationPage(BaseModel):
    items: list[Registration]
    next_cursor: str | None = Field(description="Pass it as cursor for the next page; null on the last page")
