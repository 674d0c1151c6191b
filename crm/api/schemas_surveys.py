"""What the API reads about satisfaction surveys (crm/surveys): the surveys sent, without what people
answered (individual answers would undo the threshold), and the results, with the pages' threshold."""
from pydantic import BaseModel, Field

from crm.api.schemas import Output, Strict, Timestamp
from crm.api.schemas_cohorts import Cursor, Limit


class SurveyListQuery(Strict):
    limit: Limit = 50
    cursor: Cursor | None = None


class SurveySummary(Output):
    id: int
    organization_id: int
    cohort_id: int | None
    session_id: int | None = Field(description="Null for a survey at the cohort's end")
    enterprise_id: int
    sent_at: Timestamp
    closes_at: Timestamp
    answered: bool


class SurveyPage(BaseModel):
    items: list[SurveySummary]
    next_cursor: str | None = Field(description="Pass it as cursor for the next page; null on the last page")


class SurveyFigures(BaseModel):
    sent: int
    answered: int
    response_rate: float | None = Field(description="Answered / sent (0 to 1)")
    shown: bool = Field(description="Enough answers (minimum_answers) for the averages and shares")
    satisfaction: float | None = Field(description="Average overall satisfaction, 1 to 5; null when not shown")
    usefulness: float | None = Field(description="Average usefulness, 1 to 5; null when not shown")
    intends_to_act: float | None = Field(description="Share who intend to act (0 to 1); null when not shown")
    would_recommend: float | None = Field(description="Share who would recommend (0 to 1); null when not shown")


class SurveyGroup(BaseModel):
    id: int
    name: str
    figures: SurveyFigures


class SurveyResults(BaseModel):
    organization_id: int | None = Field(description="Null: the whole programme (the programme office)")
    minimum_answers: int
    total: SurveyFigures
    organizations: list[SurveyGroup]
    cohorts: list[SurveyGroup]
    sessions: list[SurveyGroup]
