"""API schemas shared by every router, and those of the core routes (/me, /audit)."""

from datetime import datetime
from typing import Annotated, Any

from annotated_types import Interval
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, PlainSerializer

# Stored in UTC, written with the local offset (DESIGN §4 Time): "2025-03-01T09:30:00+08:00".
LocalDateTime = Annotated[
    datetime,
    PlainSerializer(lambda d: timezone.localtime(d).isoformat(), return_type=str),
]


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it here rather than fail in the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# Every free-text input goes through this type (Django forms do the same check for pages).
Text = Annotated[str, AfterValidator(_no_nul)]
# A primary key as clients send it: a larger number fits no database integer (SQLite raises
# OverflowError on it).
Id = Annotated[int, Interval(ge=1, lt=2**63)]


class ScopeOut(Schema):
    type: str = Field(description="`place`, `grid` or `household`.")
    id: int
    name: str


class RoleOut(Schema):
    role: str = Field(description="Role code, e.g. `grid_worker` (see DESIGN §1).")
    label: str = Field(description="Role name in the user's language.")
    scopes: list[ScopeOut] = Field(description="Where the role applies.")


class HouseholdRefOut(Schema):
    id: int
    label: str = Field(description="Estate, building, unit and room, `阳光小区 3栋 1单元 101`.")
    relation: str = Field(description="`owner`, `co_owner`, `tenant` or `family`.")


class MeOut(Schema):
    id: int
    mobile: str
    name: str
    email: str
    language: str
    elder_mode: bool
    privacy_consent_at: LocalDateTime | None
    unread_notifications: int
    roles: list[RoleOut] = Field(description="Granted roles and household roles, with scopes.")
    households: list[HouseholdRefOut] = Field(description="Households verified as the user's.")


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="What it is about, e.g. `residency.decision`.")
    title: str
    body: str
    url: str = Field(description="Page to open, relative to the site root; may be empty.")
    created_at: LocalDateTime
    read_at: LocalDateTime | None


class MarkReadIn(Schema):
    ids: list[Id] | None = Field(None, max_length=1000, description="Notifications to mark read.")
    all: bool = Field(False, description="Mark the whole inbox read instead.")


class MarkedOut(Schema):
    marked: int = Field(description="How many notifications changed from unread to read.")


class ActorOut(Schema):
    id: int
    name: str


class AuditEventOut(Schema):
    id: int
    created_at: LocalDateTime
    actor: ActorOut | None
    verb: str = Field(description="What happened, e.g. `role.grant`, `residency.verify`.")
    object_type: str = Field(description="`app.model` of the object, e.g. `people.rolegrant`.")
    object_id: str
    object_repr: str
    data: dict[str, Any]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the secret, to tell tokens apart.")
    created_at: LocalDateTime
    last_used_at: LocalDateTime | None
    revoked_at: LocalDateTime | None


class TokenCreatedOut(TokenOut):
    key: str = Field(description="The secret (`lj_…`). Shown once, never stored: keep it.")


class TokenIn(Schema):
    name: Text = Field(description="What the token is for, e.g. `ledger export script`.")
