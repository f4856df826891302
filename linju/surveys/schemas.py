"""Schemas of /api/v1/surveys (names prefixed Survey…: unique across the project)."""

import datetime

from ninja import Field, Schema


class SurveyQuestionOut(Schema):
    id: int
    position: int
    kind: str
    text: str
    required: bool
    options: list[str]
    show_if: int | None = Field(description="The id of the question whose answer shows it.")
    show_if_option: int | None = Field(description="That question's option index (from 0).")


class SurveyOut(Schema):
    id: int
    title: str
    description: str
    place: str
    audience: str
    anonymous: bool
    opens_on: datetime.date
    closes_on: datetime.date
    status: str
    is_open: bool
    questions: list[SurveyQuestionOut]


class SurveyAnswersIn(Schema):
    answers: dict[str, int | list[int] | str | None] = Field(
        description="Question id → an option index (single), indexes (multiple; a ranking in "
        "order of preference), 1–5 (scale) or text. Hidden questions' answers are dropped."
    )


class SurveyResponseOut(Schema):
    id: int
    survey: int
    answers: int = Field(description="How many answers were kept.")


class SurveyQuestionIn(Schema):
    kind: str = Field(description="single, multiple, ranking, scale or text.")
    text: str
    required: bool = True
    options: list[str] = Field(default_factory=list, description="For choice and ranking.")
    show_if: int | None = Field(None, description="An earlier question's number (from 1).")
    show_if_option: int | None = Field(None, description="Its option's number (from 1).")


class SurveyIn(Schema):
    place: int
    title: str
    description: str = ""
    audience: str = Field(description="household or person.")
    anonymous: bool = False
    opens_on: datetime.date
    closes_on: datetime.date
    questions: list[SurveyQuestionIn]


class SurveyResultRowOut(Schema):
    label: str
    count: int
    percent: int


class SurveyQuestionResultOut(Schema):
    question: int
    text: str
    answered: int
    rows: list[SurveyResultRowOut]
    texts: list[str]


class SurveyCoverageOut(Schema):
    building: str
    households: int
    answered: int
    percent: int


class SurveyDemandOut(Schema):
    question: int
    option: str
    score: int
    households: int
    method: str = Field(description="borda (ranking questions) or count.")


class SurveyResultsOut(Schema):
    responses: int
    questions: list[SurveyQuestionResultOut]
    coverage: list[SurveyCoverageOut]
    demands: list[SurveyDemandOut]


class SurveyPaperIn(SurveyAnswersIn):
    household_id: int | None = Field(
        None,
        description="The household of the paper sheet, when known (a household of the survey's "
        "scope); in a once-per-household survey the sheet is then that household's one answer.",
    )


class SurveyNeedsIn(Schema):
    top: int = Field(3, description="How many of the top demands, 1 to 10.")


class SurveyNeedOut(Schema):
    id: int = Field(description="The need's id in the co-creation needs list.")
    title: str
    households: int
