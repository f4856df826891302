"""API schemas of deliberation's settings: resident representatives (居民代表) and support
thresholds (附议门槛)."""

from datetime import date
from typing import Annotated, Literal

from annotated_types import Interval
from ninja import Field, Schema

# A database id: larger numbers would overflow SQLite's integer in an `IN (…)` list.
Id = Annotated[int, Interval(ge=1, lt=2**63)]


class SettingsPlaceOut(Schema):
    id: int
    kind: str = Field(description="`unit`, `building`, `estate` or `community`.")
    name: str
    label: str = Field(description="Community, estate, building and unit names.")


class SettingsPersonOut(Schema):
    id: int
    name: str = Field(description="Masked (张*明) outside the caller's personal-data scope.")
    mobile: str = Field(description="Masked (138****1234) outside that scope.")
    masked: bool


# --- Representatives ------------------------------------------------------------------------------


class CommunityRefOut(Schema):
    id: int
    name: str


class RepresentativeOut(Schema):
    id: int
    community: CommunityRefOut
    person: SettingsPersonOut
    since: date = Field(description="First day of the term.")
    until: date | None = Field(description="Last day of the term; null while it runs.")
    status: Literal["serving", "upcoming", "ended"] = Field(
        description="Today: `serving`, `upcoming` (starts later) or `ended`."
    )


class RepresentativeFilter(Schema):
    community: Id | None = Field(None, description="Only this community's representatives.")
    serving: bool | None = Field(
        None, description="true: those serving today; false: the others (ended or upcoming)."
    )


class AppointIn(Schema):
    community_id: Id = Field(description="The community (a place of kind `community`).")
    user_id: Id = Field(description="A verified resident of a household in the community.")
    since: date | None = Field(None, description="First day of the term; today when left out.")


class EndIn(Schema):
    until: date | None = Field(
        None, description="Last day of the term, not before its first; today when left out."
    )


# --- Support thresholds ---------------------------------------------------------------------------


class SupportRuleOut(Schema):
    place: SettingsPlaceOut
    households: int | None = Field(description="Support from at least this many households.")
    percent: int | None = Field(description="Support from at least this percent of them.")
    scope_households: int = Field(
        description="Households that count in the place now (not the developer's unsold units)."
    )
    threshold: int = Field(
        description="Households a topic proposed here now needs (the larger of the two, at "
        "least 1, at most the place's households). Topics already proposed keep theirs."
    )


class SupportRuleIn(Schema):
    households: int | None = Field(None, ge=1, le=1_000_000)
    percent: int | None = Field(None, ge=1, le=100)
