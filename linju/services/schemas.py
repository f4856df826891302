"""Schemas of /api/v1/services (帮办代办, 流动办公桌). Names carry the `Svc` prefix: schema names
are unique across the project's API."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, PlainSerializer, WithJsonSchema

from linju.core.schemas import Id, LocalDateTime, Text

CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _wall_clock(value: dt.time) -> dt.time:
    # A slot's or a sitting's hours are the wall clock of its day where it is held: an offset
    # means nothing there, and Django stores no aware time.
    if value.tzinfo is not None:
        raise ValueError("give the local time without an offset, e.g. 09:30")
    return value


# Declared as a plain "HH:MM[:SS]" string: OpenAPI's `format: time` is RFC 3339's, which
# requires an offset.
ClockIn = Annotated[
    dt.time,
    AfterValidator(_wall_clock),
    WithJsonSchema({"type": "string", "pattern": CLOCK, "description": "Local time, HH:MM."}),
]
ClockOut = Annotated[
    dt.time,
    PlainSerializer(lambda t: t.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "pattern": CLOCK, "description": "Local time, HH:MM:SS."}),
]


class SvcItemOut(Schema):
    id: int
    community: int
    name: str
    description: str
    materials: str
    handling_role: str
    time_limit_days: int
    active: bool


class SvcSlotOut(Schema):
    id: int
    community: int
    day: dt.date
    starts: ClockOut
    ends: ClockOut
    capacity: int
    booked: int


class SvcRequestIn(Schema):
    household: int | None = Field(
        None,
        description="One of the caller's households in the item's community (default: the first).",
    )
    slot: int | None = Field(None, description="A slot of the item's community to book.")
    note: str = Field("", max_length=2000)


class SvcNoteIn(Schema):
    note: str = Field("", max_length=2000)


class SvcTextIn(Schema):
    text: str = Field(..., max_length=2000)


class SvcDeclineIn(Schema):
    reason: str = Field(..., max_length=500)
    note: str = Field("", max_length=2000)


class SvcNoteOut(Schema):
    text: str
    status: str
    created_at: dt.datetime


class SvcRequestOut(Schema):
    id: int
    item: int
    item_name: str
    household: int
    slot: SvcSlotOut | None
    status: str
    note: str
    reason: str
    due_on: dt.date
    overdue: bool
    created_at: dt.datetime


class SvcRequestDetailOut(SvcRequestOut):
    notes: list[SvcNoteOut]


class SvcRequestFilter(Schema):
    status: str | None = Field(
        None, pattern="^(requested|accepted|done|declined|cancelled)$", description="Status."
    )
    overdue: bool = Field(False, description="Only the open requests past their time limit.")


class SvcDeskOut(Schema):
    id: int
    estate: int
    estate_name: str
    day: dt.date
    starts: ClockOut
    ends: ClockOut
    location: str
    staff: str


ROLES_DOC = "grid_worker, community_staff, building_head, unit_head or floor_head."


class SvcItemChangeIn(Schema):
    """The whole item, as the desk page's form sends it: a field left out takes its default."""

    name: Text = Field(..., max_length=100)
    description: Text = Field("", max_length=2000)
    materials: Text = Field("", max_length=2000)
    handling_role: str = Field(..., description=ROLES_DOC)
    time_limit_days: int = Field(..., description="1 to 60 working days.")
    active: bool = Field(True, description="false takes it off the list; open requests keep it.")


class SvcItemIn(Schema):
    community: Id = Field(..., description="A community of the caller's scope.")
    name: Text = Field(..., max_length=100)
    description: Text = Field("", max_length=2000)
    materials: Text = Field("", max_length=2000)
    handling_role: str = Field(..., description=ROLES_DOC)
    time_limit_days: int = Field(..., description="1 to 60 working days.")


class SvcSlotIn(Schema):
    community: Id = Field(..., description="A community of the caller's scope.")
    day: dt.date = Field(..., description="Today or later.")
    starts: ClockIn
    ends: ClockIn = Field(..., description="After `starts`.")
    capacity: int = Field(..., description="1 to 500 places.")


class SvcSlotRemovedOut(SvcSlotOut):
    removed_at: LocalDateTime
    released: list[int] = Field(
        description="The open requests that lost their appointment (their requesters are told)."
    )


class SvcDeskIn(Schema):
    estate: Id = Field(..., description="An estate of the caller's scope.")
    day: dt.date = Field(..., description="Today or later.")
    starts: ClockIn
    ends: ClockIn = Field(..., description="After `starts`.")
    location: Text = Field(..., max_length=100)
    staff: Text = Field("", max_length=100, description="Who sits there.")


class SvcDeskCancelledOut(SvcDeskOut):
    cancelled_at: LocalDateTime
