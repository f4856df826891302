"""API schemas of the governance tree: places, grids and households."""

from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from linju.core.schemas import Text

from .models import PlaceKind

Kind = Literal[tuple(PlaceKind.values)]


class PlaceOut(Schema):
    id: int
    kind: str = Field(description="`district`, `subdistrict`, `community`, `estate`, …, `unit`.")
    name: str
    code: str = Field(description="Code unique among the place's siblings.")
    parent_id: int | None


class GridOut(Schema):
    id: int
    name: str
    code: str
    community_id: int
    community_name: str
    building_ids: list[int] = Field(description="Buildings the grid covers.")


class MemberOut(Schema):
    user_id: int
    name: str = Field(description="Masked (张*明) outside the viewer's handling scope.")
    mobile: str = Field(description="Masked (138****1234) outside the viewer's handling scope.")
    relation: str = Field(description="`owner`, `co_owner`, `tenant` or `family`.")


class HouseholdOut(Schema):
    id: int
    unit_id: int
    label: str = Field(description="Estate, building, unit and room.")
    room: str
    floor: int
    area: Decimal = Field(description="Exclusive floor area in m², two decimals, as a string.")
    invite_code: str | None = Field(
        description="Code residents bind with; only for those who may print invites."
    )
    members: list[MemberOut] = Field(description="Verified members.")


class PlaceFilter(Schema):
    kind: Kind | None = Field(None, description="Only places of this kind.")
    parent: int | None = Field(None, description="Only direct children of this place.")
    q: Text | None = Field(None, max_length=100, description="Name or code contains this text.")


class HouseholdFilter(Schema):
    unit: int | None = Field(None, description="Only households of this unit.")
    place: int | None = Field(None, description="Only households anywhere under this place.")
    q: Text | None = Field(None, max_length=20, description="Room contains this text.")
