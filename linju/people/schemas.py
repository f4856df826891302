"""API schemas of residencies (binding to a household) and role grants."""

from typing import Literal

from ninja import Field, Schema

from linju.core.schemas import LocalDateTime, Text

from .models import Relation

RelationCode = Literal[tuple(Relation.values)]


class PersonOut(Schema):
    id: int
    name: str = Field(description="Masked (张*明) outside the viewer's handling scope.")
    mobile: str = Field(description="Masked (138****1234) outside the viewer's handling scope.")


class ResidencyIn(Schema):
    household_id: int | None = Field(None, description="The household picked from the tree.")
    invite_code: Text | None = Field(
        None, max_length=20, description="Or the household's printed invite code."
    )
    relation: RelationCode = Field(description="`owner`, `co_owner`, `tenant` or `family`.")
    note: Text = Field("", max_length=200, description="A word for the verifier.")


class ResidencyOut(Schema):
    id: int
    person: PersonOut
    household_id: int
    household: str = Field(description="Estate, building, unit and room.")
    relation: str
    status: str = Field(description="`pending`, `verified`, `rejected` or `ended`.")
    note: str
    reason: str = Field(description="The verifier's reason, given on rejection.")
    source: str = Field(description="`request`, `invite` or `roster`.")
    requested_at: LocalDateTime
    decided_at: LocalDateTime | None


class DecisionIn(Schema):
    approve: bool = Field(description="true to verify, false to reject.")
    reason: Text = Field("", max_length=200, description="Required when rejecting.")


class RoleGrantIn(Schema):
    user_id: int = Field(description="The person receiving the role.")
    role: Text = Field(description="Role code, e.g. `unit_head`, `grid_worker`.")
    place_id: int | None = Field(None, description="The place the role is bound to…")
    grid_id: int | None = Field(None, description="…or, for grid workers, the grid.")


class RoleGrantOut(Schema):
    id: int
    person: PersonOut
    role: str
    role_label: str
    place_id: int | None
    grid_id: int | None
    scope_name: str = Field(description="Name of the place or grid.")
    granted_at: LocalDateTime
    revoked_at: LocalDateTime | None
    active: bool


class RoleFilter(Schema):
    active: bool | None = Field(
        None, description="`true`: live grants; `false`: revoked; omit: both."
    )
    role: Text | None = Field(None, description="Only this role.")
    user: int | None = Field(None, description="Only this person's grants.")
