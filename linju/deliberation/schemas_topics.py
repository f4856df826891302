"""API schemas of topics, procedures, tasks, evaluations and the notice board (seeds 000–002)."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from annotated_types import Interval
from ninja import Field, Schema

from linju.core.schemas import LocalDateTime, Text

from .models import Publication, TopicSource, TopicStatus

# A database id: larger numbers would overflow SQLite's integer in an `IN (…)` list.
Id = Annotated[int, Interval(ge=1, lt=2**63)]
TopicStatusFilter = Literal[("open", "final", "all", *TopicStatus.values)]
SourceCode = Literal[tuple(TopicSource.values)]
SourceFilter = Literal[("", *TopicSource.values)]


# --- Inputs --------------------------------------------------------------------------------------


class TopicFilterIn(Schema):
    status: TopicStatusFilter = Field(
        "open",
        description="`open` (gathering support, on the agenda, deliberating, evaluating), "
        "`final` (closed, declined, withdrawn), `all`, or one status.",
    )
    place: Id | None = Field(None, description="Only topics of this place and below it.")
    source: SourceFilter = Field("", description="Only topics raised this way.")
    near: bool = Field(False, description="Only topics covering my home (my unit to community).")


class TopicIn(Schema):
    place: Id = Field(description="The scope: a unit, building, estate or community.")
    title: Text = Field(max_length=120)
    body: Text = Field(max_length=5000, description="What the topic is about.")
    source: SourceCode = Field(
        "resident",
        description="`resident`: a resident of the scope proposes it (their household supports "
        "it first). Staff of the scope raise `staff`, `party`, `report` and `survey` topics.",
    )
    source_ref: Text = Field(
        "", max_length=80, description="What it came from: `report:<id>`, a branch's name, …"
    )


class TopicReasonIn(Schema):
    reason: Text = Field(max_length=300)


class StartIn(Schema):
    procedure: Text = Field(
        max_length=40, description="The procedure's code (GET /deliberation/procedures)."
    )


class CompleteIn(Schema):
    note: Text = Field("", max_length=5000, description="The stage's record (纪要).")
    meeting_id: Id | None = Field(
        None, description="The meeting (with the topic on its agenda); else the latest that fits."
    )
    ballot_id: Id | None = Field(
        None, description="The passed ballot on the topic; else the latest that passed."
    )
    decision_text: Text = Field("", max_length=5000, description="The decision, when recorded now.")
    result_text: Text = Field(
        "", max_length=5000, description="The result, for a stage that publishes it."
    )


class TopicDecisionIn(Schema):
    text: Text = Field(max_length=5000, description="What was decided.")
    meeting_id: Id | None = Field(None, description="The meeting that decided it.")
    ballot_id: Id | None = Field(None, description="The ballot that decided it.")


class TaskIn(Schema):
    title: Text = Field(max_length=160)
    owner_id: Id = Field(description="Staff of the topic's scope, or one of its residents.")
    due_on: date
    decision_id: Id | None = Field(None, description="Default: the topic's latest decision.")


class TaskProgressIn(Schema):
    text: Text = Field(max_length=2000, description="What was done.")
    progress: int = Field(ge=0, le=100, description="Percent done; 100 completes the task.")


class CancelIn(Schema):
    reason: Text = Field("", max_length=300)


class TopicRateIn(Schema):
    stars: int = Field(ge=1, le=5)
    comment: Text = Field("", max_length=500)
    scores: dict[str, int] | None = Field(
        None,
        description="Optional: the scope's evaluation rubric item by item, {item code: points} "
        "(every item, 1 to its maximum): the topic's `evaluation_items`.",
    )


class TaskFilterIn(Schema):
    which: Literal["mine", "overdue", "scope"] = Field(
        "mine",
        description="`mine`: my open tasks; `overdue`: open tasks past due in my scope; "
        "`scope`: open tasks in my scope (staff).",
    )


class NoticeFilterIn(Schema):
    place: Id | None = Field(
        None, description="The board of this place: its notices, those inside it and above it."
    )


# --- Outputs -------------------------------------------------------------------------------------


class TopicPlaceRef(Schema):
    id: int
    name: str
    kind: str = Field(description="`unit`, `building`, `estate` or `community`.")


class TopicPersonRef(Schema):
    id: int
    name: str = Field(description="Residents' names masked (张*明) outside staff scope.")


class StageRef(Schema):
    id: int
    order: int
    code: str
    name: str


class TopicRowOut(Schema):
    id: int
    title: str
    excerpt: str = Field(description="The first 80 characters.")
    status: str
    status_label: str
    source: str
    source_label: str
    place: TopicPlaceRef
    support_count: int = Field(description="Households supporting it (附议).")
    support_needed: int = Field(description="The threshold frozen when it was proposed.")
    supported_by_me: bool
    procedure: str | None = Field(description="The procedure's code, once started.")
    current_stage: StageRef | None
    created_at: LocalDateTime
    agenda_at: LocalDateTime | None
    rating_count: int
    rating_average: float | None


class CompletionOut(Schema):
    id: int
    completed_by: TopicPersonRef | None
    completed_at: LocalDateTime
    note: str
    document_url: str | None = Field(description="The uploaded document, for viewers.")
    meeting_id: int | None
    ballot_id: int | None


class StageOut(Schema):
    id: int
    order: int
    code: str
    name: str
    description: str
    completer_roles: list[str] = Field(description="Role codes that complete it.")
    needs: list[str] = Field(
        description="`document`, `meeting_noticed`, `meeting`, `ballot`, `decision`, `tasks`, "
        "`result`, `evaluation`."
    )
    meeting_kind: str
    publishes: bool = Field(description="Its record goes up on the notice board (公示).")


class TopicStageOut(StageOut):
    done: bool
    current: bool
    completion: CompletionOut | None


class DecisionOut(Schema):
    id: int
    text: str
    meeting_id: int | None
    ballot_id: int | None
    decided_at: LocalDateTime


class TaskUpdateOut(Schema):
    text: str
    progress: int
    author: TopicPersonRef | None
    created_at: LocalDateTime


class TaskOut(Schema):
    id: int
    topic_id: int
    topic_title: str
    decision_id: int
    title: str
    owner: TopicPersonRef
    due_on: date
    status: str
    status_label: str
    progress: int
    overdue: bool
    overdue_flagged: bool = Field(description="The supervisors were told (督导).")
    done_at: LocalDateTime | None
    updates: list[TaskUpdateOut] = Field(description="Progress reports (detail only).")


class PublicationOut(Schema):
    id: int
    kind: str = Field(description=f"One of {', '.join(Publication.Kind.values)}.")
    kind_label: str
    title: str
    body: str
    place: TopicPlaceRef
    topic_id: int | None
    ballot_id: int | None
    meeting_id: int | None
    published_at: LocalDateTime


class EvaluationItemOut(Schema):
    code: str
    title: str
    max_points: int


class ItemMeanOut(Schema):
    title: str
    max_points: Decimal
    mean: Decimal
    count: int


class RatingOut(Schema):
    stars: int
    comment: str


class TopicAllowedOut(Schema):
    """What the caller may do now (status and role together)."""

    support: bool
    unsupport: bool
    withdraw: bool
    rate: bool
    organise: bool = Field(description="Agenda, decline, start, tasks, close the evaluation.")
    complete: bool = Field(description="Complete the current stage.")


class TopicOut(TopicRowOut):
    body: str
    source_ref: str
    proposer: TopicPersonRef | None
    decline_reason: str
    result: str
    result_at: LocalDateTime | None
    evaluation_closes_at: LocalDateTime | None
    evaluation_closed_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    my_rating: RatingOut | None
    evaluation_items: list[EvaluationItemOut]
    item_means: list[ItemMeanOut]
    stages: list[TopicStageOut] = Field(description="The procedure's stages, in order.")
    decisions: list[DecisionOut]
    tasks: list[TaskOut]
    publications: list[PublicationOut]
    allowed: TopicAllowedOut


class ProcedureOut(Schema):
    code: str
    name: str
    description: str
    active: bool
    stages: list[StageOut]


class EvaluationOut(Schema):
    topic_id: int
    stars: int
    comment: str
    rating_count: int
    rating_average: float | None
