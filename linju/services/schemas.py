"""Schemas of /api/v1/services (帮办代办, 流动办公桌). Names carry the `Svc` prefix: schema names
are unique across the project's API."""

import datetime as dt

from ninja import Field, Schema


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
    day: dt.date
    starts: dt.time
    ends: dt.time
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
    starts: dt.time
    ends: dt.time
    location: str
    staff: str
