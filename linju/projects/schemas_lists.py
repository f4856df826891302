"""API schemas of the needs and resources lists (需求清单, 资源清单) and the partners (共建单位).
Ranges and cross-field rules are the services' (one place for a rule); these give the types,
the documentation and the 422 field paths."""

from datetime import date
from typing import Annotated, Literal

from annotated_types import Interval
from ninja import Field, Schema

from linju.core.schemas import Id, LocalDateTime, Text

from .models import NeedSource, NeedStatus, PartnerKind, ResourceKind, ResourceStatus

# Bounded here so that nothing overflows on the way to the services' own range checks.
Whole = Annotated[int, Interval(ge=0, lt=2**53)]
SourceCode = Literal[tuple(NeedSource.values)]
NeedStatusCode = Literal[tuple(NeedStatus.values)]
ResourceKindCode = Literal[tuple(ResourceKind.values)]
ResourceStatusCode = Literal[tuple(ResourceStatus.values)]
PartnerKindCode = Literal[tuple(PartnerKind.values)]


class ListRefOut(Schema):
    id: int
    name: str


class ProjectRefOut(Schema):
    id: int
    title: str
    stage: str = Field(description="The project's stage, e.g. `in_progress`, `cancelled`.")


# --- Needs ----------------------------------------------------------------------------------------


class NeedOut(Schema):
    id: int
    title: str
    description: str
    place: ListRefOut
    source: str = Field(description="`survey`, `report`, `topic`, `visit` or `other`.")
    source_label: str
    source_ref: str = Field(description="`report:<token>`, `topic:<id>`, or free text.")
    households: int = Field(description="Households concerned.")
    status: str = Field(description="`open`, `answered` or `closed`.")
    status_label: str
    close_reason: str
    support_count: int = Field(description="Residents who said they need it too.")
    supported: bool = Field(description="Whether the caller supports it.")
    projects: list[ProjectRefOut] = Field(
        description="The projects answering it (staff of its scope only; empty otherwise)."
    )
    created_at: LocalDateTime


class NeedFilter(Schema):
    status: NeedStatusCode | None = None
    source: SourceCode | None = None
    place: Id | None = Field(None, description="Only needs at or under this place of my scope.")


class NeedIn(Schema):
    place: Id = Field(description="Where the need is: a place of the recorder's scope.")
    title: Text = Field(max_length=120)
    description: Text = Field("", max_length=4000)
    source: SourceCode
    source_ref: Text = Field(
        "",
        max_length=80,
        description="From a report: its token; from a topic: its id (both checked to exist in "
        "the need's community). Otherwise a free note (the survey, the visit).",
    )
    households: Whole = Field(0, description="Households concerned (0 to 100000).")


class NeedPatch(Schema):
    title: Text | None = Field(None, max_length=120)
    description: Text | None = Field(None, max_length=4000)
    source: SourceCode | None = None
    source_ref: Text | None = Field(None, max_length=80)
    households: Whole | None = None


class NeedReasonIn(Schema):
    reason: Text = Field(max_length=300, description="Why the need is closed.")


# --- Resources ------------------------------------------------------------------------------------


class ResourceUsedByOut(Schema):
    project: ProjectRefOut
    quantity: int


class ResourceOut(Schema):
    id: int
    title: str
    kind: str = Field(
        description="`venue`, `funds`, `volunteers`, `expertise`, `materials` or `other`."
    )
    kind_label: str
    description: str
    place: ListRefOut
    partner: ListRefOut | None = Field(description="The partner offering it, if a partner does.")
    offered_by: ListRefOut | None = Field(
        description="The resident offering it (name masked for those outside the handling "
        "scope), if a resident does."
    )
    quantity: int
    unit: str
    amount_fen: int = Field(description="Funds offered, in fen (1 yuan = 100 fen).")
    available_from: date | None
    available_until: date | None
    status: str = Field(description="`available` or `withdrawn`.")
    status_label: str
    uses: list[ResourceUsedByOut] = Field(description="The projects using it and how much.")
    editable: bool = Field(description="Whether the caller may edit and withdraw it.")
    created_at: LocalDateTime


class ResourceFilter(Schema):
    status: ResourceStatusCode | None = None
    kind: ResourceKindCode | None = None
    place: Id | None = Field(None, description="Only resources at or under this place.")


class ResourceIn(Schema):
    partner: Id | None = Field(
        None, description="The partner offering it (its own people or managers)."
    )
    place: Id | None = Field(
        None, description="Without a partner: the place a resident offers it to (they live in)."
    )
    title: Text = Field(max_length=120)
    kind: ResourceKindCode
    description: Text = Field("", max_length=2000)
    quantity: Whole = Field(1, description="1 or more.")
    unit: Text = Field("", max_length=20, description="Of the quantity: 人, 平方米, 箱…")
    amount_fen: Whole = Field(0, description="For funds (required then), in fen.")
    available_from: date | None = None
    available_until: date | None = None


class ResourcePatch(Schema):
    title: Text | None = Field(None, max_length=120)
    kind: ResourceKindCode | None = None
    description: Text | None = Field(None, max_length=2000)
    quantity: Whole | None = None
    unit: Text | None = Field(None, max_length=20)
    amount_fen: Whole | None = None
    available_from: date | None = None
    available_until: date | None = None


# --- Partners -------------------------------------------------------------------------------------


class PartnerOut(Schema):
    id: int
    name: str
    kind: str = Field(
        description="`enterprise`, `government`, `school`, `social` (organisation) or `other`."
    )
    kind_label: str
    description: str
    place: ListRefOut = Field(description="Its community.")
    contact_name: str
    contact_phone: str
    active: bool
    members: list[ListRefOut] = Field(description="The people acting for it.")
    created_at: LocalDateTime


class PartnerFilter(Schema):
    active: bool | None = None
    kind: PartnerKindCode | None = None


class PartnerIn(Schema):
    place: Id = Field(description="Its community.")
    name: Text = Field(max_length=120)
    kind: PartnerKindCode
    description: Text = Field("", max_length=2000)
    contact_name: Text = Field("", max_length=60)
    contact_phone: Text = Field("", max_length=20)
    members: list[Id] = Field(
        [],
        max_length=50,
        description="People acting for it: each must hold the partner role in its community.",
    )


class PartnerPatch(Schema):
    name: Text | None = Field(None, max_length=120)
    kind: PartnerKindCode | None = None
    description: Text | None = Field(None, max_length=2000)
    contact_name: Text | None = Field(None, max_length=60)
    contact_phone: Text | None = Field(None, max_length=20)
    members: list[Id] | None = Field(None, max_length=50)


class AgreementOut(Schema):
    id: int
    title: str
    commitments: str
    starts_on: date
    ends_on: date
    signed_on: date
    current: bool = Field(description="Whether today lies inside its term.")
    document_url: str | None = Field(
        description="The signed document, for staff of the scope and the partner's people."
    )
    created_at: LocalDateTime


class AgreementIn(Schema):
    title: Text = Field(max_length=120)
    commitments: Text = Field(max_length=4000)
    starts_on: date
    ends_on: date = Field(description="Not before `starts_on`.")
    signed_on: date


class DeliveryOut(Schema):
    id: int
    delivered_on: date
    what: str
    value_fen: int = Field(description="Its value in fen, 0 when it has none.")
    agreement: ListRefOut | None
    project: ProjectRefOut | None
    created_at: LocalDateTime


class DeliveryIn(Schema):
    delivered_on: date
    what: Text = Field(max_length=300)
    value_fen: Whole = Field(0, description="In fen.")
    agreement: Id | None = Field(None, description="One of this partner's agreements.")
    project: Id | None = Field(None, description="A project of the partner's community.")


# --- Overview -------------------------------------------------------------------------------------


class OverviewFilter(Schema):
    place: Id = Field(description="A place of my scope (a community, usually).")


class CountsOut(Schema):
    needs: int
    needs_open: int
    needs_answered: int
    needs_closed: int
    resources: int
    resources_available: int
    projects: int
    projects_live: int = Field(description="Projects not cancelled.")
    unmatched_needs: int = Field(description="Open needs no live project answers.")
    unused_resources: int = Field(description="Available resources no live project uses.")


class OverviewOut(Schema):
    place: ListRefOut
    counts: CountsOut
    unmatched_needs: list[ListRefOut] = Field(description="The first 50, newest first.")
    unused_resources: list[ListRefOut] = Field(description="The first 50, newest first.")
