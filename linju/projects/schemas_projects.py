"""Shapes of the micro-projects and elevator retrofits API (api_projects)."""

import datetime

from ninja import Field, Schema

# --- In ---------------------------------------------------------------------------------------


class ProjectIn(Schema):
    place: int = Field(description="The community, estate, building or unit it serves.")
    title: str
    summary: str
    description: str = ""
    needs: list[int] = Field(default_factory=list, description="Needs of the scope it answers.")
    topic: int | None = Field(None, description="The deliberation topic it comes from.")
    lead: int | None = Field(None, description="The person who leads it.")
    partners: list[int] = Field(default_factory=list)


class ProjectUpdateIn(Schema):
    title: str
    summary: str
    description: str = ""
    lead: int | None = None
    partners: list[int] = Field(default_factory=list)
    topic: int | None = None
    ballot: int | None = None


class StageIn(Schema):
    stage: str = Field(description="The next stage of the road; no stage is skipped.")
    note: str = ""


class ProjectReasonIn(Schema):
    reason: str


class NeedLinkIn(Schema):
    need: int


class ResourceUseIn(Schema):
    resource: int
    quantity: int = 1
    note: str = ""


class BudgetLineIn(Schema):
    source: str = Field(description="government, crowdfunding, partner, labour or other.")
    amount_fen: int = Field(0, description="Money in fen (0 for labour).")
    hours: int = Field(0, description="Hours of residents' labour (labour only).")
    partner: int | None = Field(None, description="The partner of a partner line.")
    note: str = ""


class MilestoneIn(Schema):
    title: str
    due_on: datetime.date


class DoneIn(Schema):
    done: bool = True


class ProjectTaskIn(Schema):
    title: str
    owner: int | None = None
    partner: int | None = None
    due_on: datetime.date | None = None
    milestone: int | None = None


class UpdateIn(Schema):
    text: str


class EvaluationIn(Schema):
    stars: int
    comment: str = ""
    scores: dict[str, int] | None = Field(
        None, description="Item code → points, every item of the scope's evaluation rubric."
    )


class RetrofitIn(Schema):
    place: int = Field(description="The unit.")
    project: int | None = None
    ballot: int | None = Field(None, description="The unit's consent ballot.")
    note: str = ""


class RetrofitUpdateIn(Schema):
    project: int | None = None
    ballot: int | None = None
    note: str = ""


class RetrofitStageIn(Schema):
    stage: str
    on: datetime.date | None = Field(
        None, description="The day (signed, construction, in_use need it; not in the future)."
    )
    note: str = ""


# --- Out ---------------------------------------------------------------------------------------


class WorkRef(Schema):
    id: int
    name: str


class TitleRef(Schema):
    id: int
    title: str


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    note: str
    at: datetime.datetime


class BudgetLineOut(Schema):
    id: int
    source: str
    source_label: str
    amount_fen: int
    hours: int
    partner: WorkRef | None
    note: str


class BudgetOut(Schema):
    lines: list[BudgetLineOut]
    by_source: dict[str, int] = Field(description="Money by source, in fen.")
    money_fen: int
    hours: int


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: datetime.date
    done_on: datetime.date | None


class ProgressPhotoOut(Schema):
    id: int
    url: str
    width: int
    height: int


class UpdateOut(Schema):
    id: int
    text: str
    created_at: datetime.datetime
    photos: list[ProgressPhotoOut]


class ProjectResourceUseOut(Schema):
    resource: TitleRef
    quantity: int
    note: str


class ProjectOut(Schema):
    id: int
    title: str
    summary: str
    stage: str
    stage_label: str
    place: WorkRef
    created_at: datetime.datetime
    stage_changed_at: datetime.datetime
    rating_count: int
    rating_average: float | None


class ProjectDetailOut(ProjectOut):
    description: str
    cancel_reason: str
    next_stage: str | None
    topic: TitleRef | None
    ballot: TitleRef | None
    lead: WorkRef | None
    needs: list[TitleRef]
    partners: list[WorkRef]
    resources: list[ProjectResourceUseOut]
    stages: list[StageChangeOut]
    budget: BudgetOut
    milestones: list[MilestoneOut]
    campaign: int | None = Field(description="The crowdfunding campaign's id, if there is one.")
    may_manage: bool
    may_evaluate: bool


class ProjectTaskOut(Schema):
    id: int
    title: str
    owner: WorkRef | None
    partner: WorkRef | None
    due_on: datetime.date | None
    milestone: int | None
    status: str
    done_at: datetime.datetime | None


class ProjectEvaluationItemOut(Schema):
    title: str
    max_points: float
    mean: float
    count: int


class ProjectEvaluationOut(Schema):
    open: bool
    rating_count: int
    rating_average: float | None
    items: list[ProjectEvaluationItemOut]
    my_stars: int | None


class RetrofitStageOut(Schema):
    from_stage: str
    to_stage: str
    on: datetime.date
    note: str


class RetrofitOut(Schema):
    id: int
    place: WorkRef
    stage: str
    stage_label: str
    project: TitleRef | None
    ballot: TitleRef | None
    note: str
    signed_on: datetime.date | None
    construction_started_on: datetime.date | None
    in_use_on: datetime.date | None
    next_stage: str | None


class RetrofitDetailOut(RetrofitOut):
    stages: list[RetrofitStageOut]


class FiguresRowOut(Schema):
    community: WorkRef
    units: int
    signed: int = Field(description="Units whose agreement is signed (signed or later).")
    construction: int = Field(description="Units under construction.")
    installed: int = Field(description="Units whose elevator is in use.")


class RetrofitFiguresOut(Schema):
    rows: list[FiguresRowOut]
    total: dict[str, int]
