"""API schemas of snap-and-report (随手拍): categories, reports, their timeline, coordination
messages and figures."""

import json
from datetime import date
from typing import Annotated, Any, Literal

from annotated_types import Interval
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator

from linju.core.schemas import LocalDateTime, Text

from .models import HANDLER_ROLES, AttributeType, Level, Status

# Query strings arrive as text: a range, not a Literal of ints, accepts "2".
LevelCode = Annotated[int, Interval(ge=min(Level.values), le=max(Level.values))]
HandlerRole = Literal[tuple(r.value for r in HANDLER_ROLES)]
AttributeTypeCode = Literal[tuple(AttributeType.values)]
# A database id: larger numbers would overflow SQLite's integer in an `IN (…)` list.
Id = Annotated[int, Interval(ge=1, lt=2**63)]
QueueStatus = Literal[("open", "waiting", "final", "all", *Status.values)]


def _json_object(value):
    # A multipart form carries the answers as one JSON-encoded field; a JSON body as an object.
    if isinstance(value, str):
        if not value.strip():
            return {}
        try:
            return json.loads(value)
        except ValueError:
            raise ValueError("must be a JSON object of answers by question code") from None
    return value


def _no_nul_inside(value):
    # PostgreSQL's jsonb cannot hold NUL either: refuse it here, not in the database.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if isinstance(value, dict):
        for k, v in value.items():
            _no_nul_inside(k)
            _no_nul_inside(v)
    if isinstance(value, list):
        for v in value:
            _no_nul_inside(v)
    return value


Answers = Annotated[dict[str, Any], BeforeValidator(_json_object), AfterValidator(_no_nul_inside)]


def _search_term(value: str) -> str:
    # "#123" looks a report up by number: only plain digits that fit a database id.
    number = value.strip().lstrip("#")
    if number.isdigit() and not (number.isascii() and int(number) < 2**63):
        raise ValueError("give a report number, or words to search for")
    return value


SearchTerm = Annotated[Text, AfterValidator(_search_term)]


# --- Categories ---------------------------------------------------------------------------------


class AttributeValueOut(Schema):
    key: str
    name: str


class AttributeOut(Schema):
    code: str = Field(description="The question's code: answers are sent as `attributes.<code>`.")
    datatype: str = Field(description="Open311 datatype: `string`, `number`, `datetime`, …")
    description: str = Field(description="The question as residents read it.")
    datatype_description: str = Field(description="A hint for the answer.")
    required: bool
    values: list[AttributeValueOut] = Field(description="Choices of the list types.")
    order: int


class CategoryOut(Schema):
    code: str = Field(description="Also the Open311 service code.")
    name: str
    description: str
    group: str
    keywords: str
    level: int = Field(description="Handling level: 1 grid, 2 community, 3 subdistrict.")
    level_label: str
    handler_role: str = Field(description="The role that usually handles it.")
    accept_hours: int = Field(description="Hours to accept (立案) a report.")
    resolve_hours: int = Field(description="Hours to resolve it once accepted.")
    urgent: bool
    is_public: bool = Field(description="false: reports stay private (neighbour disputes).")
    active: bool = Field(description="Open for new reports.")
    sort_order: int
    attributes: list[AttributeOut] = Field(description="Extra questions (Open311 attributes).")


class CategoryFilter(Schema):
    all: bool = Field(
        False, description="Category managers only: include categories closed for new reports."
    )


class CategoryIn(Schema):
    code: Text = Field(max_length=40, description="Lower-case letters, digits and hyphens.")
    name: Text = Field(max_length=60)
    description: Text = Field("", max_length=300)
    group: Text = Field("", max_length=60)
    keywords: Text = Field("", max_length=200)
    level: LevelCode = Field(1, description="1 grid, 2 community, 3 subdistrict, 4 district.")
    handler_role: HandlerRole = "grid_worker"
    accept_hours: int = Field(24, ge=1, le=32767)
    resolve_hours: int = Field(72, ge=1, le=32767)
    urgent: bool = False
    is_public: bool = True
    active: bool = True
    sort_order: int = Field(0, ge=0, le=32767)


class CategoryPatch(Schema):
    """Only the fields sent change."""

    code: Text | None = Field(None, max_length=40)
    name: Text | None = Field(None, max_length=60)
    description: Text | None = Field(None, max_length=300)
    group: Text | None = Field(None, max_length=60)
    keywords: Text | None = Field(None, max_length=200)
    level: LevelCode | None = None
    handler_role: HandlerRole | None = None
    accept_hours: int | None = Field(None, ge=1, le=32767)
    resolve_hours: int | None = Field(None, ge=1, le=32767)
    urgent: bool | None = None
    is_public: bool | None = None
    active: bool | None = None
    sort_order: int | None = Field(None, ge=0, le=32767)


class AttributeValueIn(Schema):
    key: Text = Field(max_length=40)
    name: Text = Field(max_length=100)


class AttributeIn(Schema):
    code: Text = Field(max_length=40)
    datatype: AttributeTypeCode
    description: Text = Field(max_length=200, description="The question.")
    datatype_description: Text = Field("", max_length=200)
    required: bool = False
    values: list[AttributeValueIn] = Field(
        [], max_length=50, description="Choices, for `singlevaluelist` and `multivaluelist`."
    )
    order: int = Field(0, ge=0, le=32767)


class AttributePatch(Schema):
    code: Text | None = Field(None, max_length=40)
    datatype: AttributeTypeCode | None = None
    description: Text | None = Field(None, max_length=200)
    datatype_description: Text | None = Field(None, max_length=200)
    required: bool | None = None
    values: list[AttributeValueIn] | None = Field(None, max_length=50)
    order: int | None = Field(None, ge=0, le=32767)


# --- Reports --------------------------------------------------------------------------------------


class CategoryRef(Schema):
    code: str
    name: str


class PlaceRef(Schema):
    id: int
    name: str
    label: str = Field(description="Estate, building and unit, e.g. `阳光小区 3栋 1单元`.")


class PersonRef(Schema):
    id: int
    name: str = Field(description="Masked (张*明) outside the viewer's handling scope.")
    mobile: str = Field(description="Masked (138****1234) outside the viewer's handling scope.")


class HandlerRef(Schema):
    id: int
    name: str
    role: str = Field(description="The role it was dispatched to, e.g. `property_manager`.")


class ContactOut(Schema):
    name: str
    phone: str
    email: str


class PhotoOut(Schema):
    id: int
    url: str = Field(description="The image (JPEG), served only to those who may see the report.")
    width: int
    height: int
    step_id: int | None = Field(description="The timeline step it came with (report or reply).")


class AllowedOut(Schema):
    """What the caller's roles allow on this report; the report's status decides the rest (a
    wrong status answers 409 `wrong_status`)."""

    decide: bool = Field(description="Accept, reject, dispatch, merge, open a joint case.")
    work: bool = Field(description="Start, resolve, escalate, add notes.")
    coordinate: bool = Field(description="Read and post in a joint case's thread.")
    reporter: bool = Field(description="Confirm, reopen, rate.")


class ReportOut(Schema):
    id: int
    view: Literal["full", "public"] = Field(
        description="`full` for the reporter, the handler and staff in scope; `public`: the "
        "anonymised card of a public report, with the private fields null or empty."
    )
    category: CategoryRef
    status: str = Field(description="`submitted`, `accepted`, `rejected`, `dispatched`, …")
    status_label: str
    level: int
    level_label: str
    title: str
    description: str
    place: PlaceRef
    estate_id: int
    address: str
    map_x: float | None = Field(description="A point on the estate's schematic, 0–1.")
    map_y: float | None
    attributes: dict[str, Any] = Field(description="Answers by question code (full view).")
    hide_name: bool
    is_public: bool
    joint: bool = Field(description="A joint case (三方协调) with a coordination thread.")
    merged_into: int | None
    reply: str = Field(description="The handler's answer, or the reason of a rejection.")
    rating: int | None
    rating_comment: str
    supporter_count: int
    supported_by_me: bool
    escalations: int
    reporter: PersonRef | None = Field(
        description="Full view only; null when the name is hidden from non-staff."
    )
    reporter_name: str = Field(
        description="As the public sees it: masked, or empty when the reporter hid it."
    )
    contact: ContactOut | None = Field(description="Open311 contact, staff only, masked.")
    handler: HandlerRef | None
    created_at: LocalDateTime
    updated_at: LocalDateTime
    accept_due_at: LocalDateTime | None
    resolve_due_at: LocalDateTime | None
    due_at: LocalDateTime | None = Field(description="The time limit now running, if any.")
    overdue: bool
    accepted_at: LocalDateTime | None
    resolved_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    photos: list[PhotoOut]
    allowed: AllowedOut


class ReportRowOut(Schema):
    """A report in a list."""

    id: int
    category: CategoryRef
    status: str
    status_label: str
    level: int
    level_label: str
    title: str
    excerpt: str = Field(description="The first 80 characters of the description.")
    place: PlaceRef
    handler: HandlerRef | None = Field(description="Staff lists only.")
    joint: bool
    supporter_count: int
    reported_by_me: bool
    created_at: LocalDateTime
    updated_at: LocalDateTime
    due_at: LocalDateTime | None
    overdue: bool


class PublicReportOut(Schema):
    """The anonymised card of a public report: no reporter identity, only the name as the
    reporter allowed it (masked, or empty)."""

    id: int
    category: CategoryRef
    status: str
    status_label: str
    title: str
    description: str
    place: PlaceRef
    reporter_name: str
    reply: str
    supporter_count: int
    created_at: LocalDateTime
    resolved_at: LocalDateTime | None
    closed_at: LocalDateTime | None


class SimilarOut(PublicReportOut):
    supported_by_me: bool
    reported_by_me: bool


class ReportIn(Schema):
    """Sent as multipart form fields (with `photos`) or as a JSON object (without photos)."""

    category: Text = Field(max_length=40, description="The category's code.")
    place: Id = Field(description="Id of the estate, building or unit.")
    description: Text = Field(max_length=2000)
    title: Text = Field("", max_length=80)
    address: Text = Field("", max_length=200)
    hide_name: bool = Field(False, description="Hide my name from the public.")
    map_x: float | None = Field(None, description="Point on the estate's schematic, 0–1.")
    map_y: float | None = None
    attributes: Answers = Field(
        {},
        description="Answers by question code; in a multipart form, one field holding a JSON "
        'object, e.g. `{"trapped": "yes"}`.',
    )


class QueueFilter(Schema):
    status: QueueStatus = Field(
        "open",
        description="A status, or a group: `open` (default: staff still act), `waiting` "
        "(resolved, for the reporter to confirm), `final`, `all`.",
    )
    category: Text = Field("", max_length=40, description="A category code.")
    level: LevelCode | None = None
    overdue: bool = Field(False, description="Only reports past their running time limit.")
    mine: bool = Field(False, description="Only reports dispatched to me.")
    place: Id | None = Field(None, description="Only this place (id) and below, in my scope.")
    q: SearchTerm = Field(
        "", max_length=100, description="Words of the title or description, or #id."
    )


class SimilarFilter(Schema):
    category: Text = Field(max_length=40, description="The category code chosen.")
    place: Id = Field(description="The estate, building or unit chosen.")


class PublicFilter(Schema):
    estate: Id = Field(description="Id of the estate.")


class ReasonIn(Schema):
    reason: Text = Field(max_length=2000)


class ExtendIn(Schema):
    hours: int = Field(ge=1, le=720, description="How many more hours (at most 30 days).")
    reason: Text = Field(max_length=2000, description="Why; the reporter reads it.")


class DispatchIn(Schema):
    handler_id: Id = Field(description="From GET /reports/{id}/handlers.")
    note: Text = Field("", max_length=2000)


class BulkDispatchIn(Schema):
    report_ids: list[Id] = Field(description="At most 100; all are dispatched, or none.")
    handler_id: Id
    note: Text = Field("", max_length=2000)


class ResolveIn(Schema):
    """Multipart form fields (with `photos`) or a JSON object (without photos)."""

    reply: Text = Field(max_length=2000, description="What was done, for the reporter.")


class ConfirmIn(Schema):
    rating: int | None = Field(None, ge=1, le=5, description="Satisfaction, 1 to 5.")
    comment: Text = Field("", max_length=500)


class ReopenIn(Schema):
    comment: Text = Field(max_length=2000, description="What is still wrong.")


class RateIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: Text = Field("", max_length=500)


class MergeIn(Schema):
    into: Id = Field(description="The report this one repeats.")
    note: Text = Field("", max_length=2000)


class NoteIn(Schema):
    note: Text = Field("", max_length=2000)


class MessageIn(Schema):
    body: Text = Field(max_length=2000)


class StaffNoteIn(Schema):
    text: Text = Field(max_length=2000)
    public: bool = Field(False, description="Shown to the reporter too; internal by default.")


class ActorRef(Schema):
    id: int
    name: str


class StepOut(Schema):
    id: int
    kind: str = Field(description="`submitted`, `accepted`, `dispatched`, `resolved`, `note`, …")
    kind_label: str
    status: str = Field(description="The report's status after the step.")
    text: str = Field(description="Reason, reply, note or comment.")
    data: dict[str, Any]
    public: bool = Field(description="false: internal, seen by staff and the handler only.")
    actor: ActorRef | None = Field(description="Residents are masked or hidden as on the report.")
    created_at: LocalDateTime
    photos: list[PhotoOut]


class MessageOut(Schema):
    id: int
    author: ActorRef | None
    role: str = Field(description="The party the author speaks for, e.g. `property_manager`.")
    body: str
    created_at: LocalDateTime


class HandlerCandidateOut(Schema):
    id: int
    name: str
    role: str
    role_label: str


# --- Figures -------------------------------------------------------------------------------------


class FiguresFilter(Schema):
    by: Literal["category", "month", "place"] = "category"
    place: Id | None = Field(None, description="Narrow to a place (id) in my scope.")
    since: date | None = Field(None, description="First local day counted.")
    until: date | None = Field(None, description="Last local day counted (inclusive).")
    category: Text = Field("", max_length=40)


class OverdueFilter(Schema):
    place: Id | None = Field(None, description="Narrow to a place (id) in my scope.")


class FigureRowOut(Schema):
    key: str = Field(description="Category code, `YYYY-MM`, or the place's path.")
    label: str
    reports: int
    accepted: int
    accepted_in_time: int
    resolved: int
    rated: int
    satisfied: int = Field(description="Rated 4 or 5.")
    open: int
    overdue: int
    response_rate: float | None = Field(description="Accepted (or answered) within the limit.")
    resolution_rate: float | None
    satisfaction_rate: float | None
    avg_hours_to_accept: float | None
    avg_hours_to_resolve: float | None


class FiguresOut(Schema):
    by: str
    rows: list[FigureRowOut]
    total: FigureRowOut
