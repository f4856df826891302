"""API schemas of activities (月月有活动), volunteer teams and their service, interest groups and
the talent pool (楼组达人库). Ranges and choices the services check (one place for a rule) are
typed here only as far as the documentation and the 422 field paths need."""

from datetime import date, datetime
from typing import Annotated, Literal

from annotated_types import Interval
from ninja import Field, Schema
from pydantic import AfterValidator

from linju.core.schemas import LocalDateTime, Text

from .models import (
    ActivityKind,
    MemberRole,
    Skill,
    TeamKind,
    Visibility,
)

# A database id: larger numbers would overflow SQLite's integer in an `IN (…)` list.
Id = Annotated[int, Interval(ge=1, lt=2**63)]
# Whole numbers the services range-check; bounded here so nothing overflows on the way.
Whole = Annotated[int, Interval(ge=-(2**31), lt=2**31)]
ActivityKindCode = Literal[tuple(ActivityKind.values)]
TeamKindCode = Literal[tuple(TeamKind.values)]
SkillCode = Literal[tuple(Skill.values)]
VisibilityCode = Literal[tuple(Visibility.values)]
RoleCode = Literal[tuple(MemberRole.values)]
Month = Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")]


def _this_millennium(value: datetime) -> datetime:
    # Year 1 or 9999 shifted to UTC leaves the range of datetime: refuse it here, not in the
    # database driver.
    if not 2000 <= value.year <= 2999:
        raise ValueError("must lie between the years 2000 and 2999")
    return value


# A date and time: ISO 8601, with its offset or read as local time (`2025-03-01T09:30`).
When = Annotated[datetime, AfterValidator(_this_millennium)]


class PlaceRefOut(Schema):
    id: int
    name: str


class ActivityPersonOut(Schema):
    id: int
    name: str = Field(
        description="In full for oneself and for handlers whose personal-data scope holds one "
        "of the person's households; masked (张*明) otherwise."
    )


class RefOut(Schema):
    id: int
    name: str


# --- Activities ------------------------------------------------------------------------------


class CalendarFilter(Schema):
    start: When | None = Field(
        None,
        alias="from",
        description="Activities still going on at or after this time (default: now); a date "
        "(`2025-03-01`) is its midnight, local time.",
    )
    end: When | None = Field(None, alias="to", description="Activities starting before this.")
    kind: ActivityKindCode | None = None


class ActivityOut(Schema):
    id: int
    title: str
    kind: str = Field(
        description="`culture`, `festival`, `parent_child`, `volunteer`, `training`, `other`."
    )
    kind_label: str
    description: str
    venue: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    capacity: int = Field(description="Places; 0: no limit.")
    signed: int = Field(description="Places taken.")
    waiting: int = Field(description="People on the wait list.")
    service_minutes: int = Field(
        description="Volunteer service time a confirmed participant gets on their record."
    )
    status: str = Field(description="`open` or `cancelled`.")
    status_label: str
    place: PlaceRefOut = Field(description="The building group, estate or community.")
    team: RefOut | None = Field(description="The volunteer team holding it, if one does.")
    group: RefOut | None = Field(description="The interest group holding it, if one does.")
    organiser: str | None = Field(
        description="Who organises it: in full for oneself and for handlers whose personal-data "
        "scope holds one of the organiser's households, masked (张*明) otherwise."
    )
    my_status: str | None = Field(
        description="My sign-up: `signed`, `waiting`, `cancelled`, or null (none)."
    )


class ActivityPhotoOut(Schema):
    id: int
    caption: str
    url: str = Field(description="The JPEG (re-encoded on upload, without metadata).")
    mine: bool = Field(description="I uploaded it (and may delete it).")
    created_at: LocalDateTime


class ActivityDetailOut(ActivityOut):
    may_run: bool = Field(
        description="I may change or cancel it, check people in and confirm who came."
    )
    check_in_code: str | None = Field(
        description="The code the venue's QR code holds (POST /activities/check-in); only to "
        "those who run the activity."
    )
    photos: list[ActivityPhotoOut]


class ActivityIn(Schema):
    place: Id = Field(description="A unit, building, estate or community.")
    title: Text = Field(max_length=100)
    kind: ActivityKindCode
    venue: Text = Field(max_length=120)
    starts_at: When = Field(description="In the future.")
    ends_at: When = Field(description="After the start, within a day.")
    capacity: Whole = Field(0, description="0 (no limit) to 10000 places.")
    description: Text = Field("", max_length=4000)
    service_minutes: Whole | None = Field(
        None,
        description="Volunteer service only: minutes credited to each confirmed participant, "
        "0 to 720 (default: the activity's length).",
    )
    team: Id | None = Field(None, description="A volunteer team of this place (or above it).")
    group: Id | None = Field(None, description="An interest group of this place (or above it).")


class ActivityUpdateIn(Schema):
    title: Text = Field(max_length=100)
    kind: ActivityKindCode
    venue: Text = Field(max_length=120)
    starts_at: When
    ends_at: When
    capacity: Whole = Field(
        0, description="0 (no limit) to 10000, not below the places already taken."
    )
    description: Text = Field("", max_length=4000)
    service_minutes: Whole | None = None


class ActivityReasonIn(Schema):
    reason: Text = Field("", max_length=300)


class CodeIn(Schema):
    code: Text = Field(max_length=64, description="What the venue's QR code holds.")


class PersonIn(Schema):
    person: Id = Field(description="The participant's user id.")


class AttendanceIn(Schema):
    sign_up_ids: list[Id] = Field(
        max_length=10_000, description="Sign-ups of people checked in who took part."
    )


class PhotosIn(Schema):
    """Multipart: `photos` files (up to 9) and a `caption`."""

    caption: Text = Field("", max_length=200)


class ActivityRefOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    venue: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    status: str
    place: PlaceRefOut


class SignUpOut(Schema):
    id: int
    activity: ActivityRefOut
    status: str = Field(description="`signed`, `waiting` (the wait list) or `cancelled`.")
    status_label: str
    signed_at: LocalDateTime
    checked_in_at: LocalDateTime | None
    confirmed_at: LocalDateTime | None
    points: int = Field(description="Points credited when the attendance was confirmed.")


class SignUpRowOut(Schema):
    id: int
    person: ActivityPersonOut
    status: str
    status_label: str
    signed_at: LocalDateTime
    checked_in_at: LocalDateTime | None
    confirmed_at: LocalDateTime | None
    points: int


# --- Teams, their service, interest groups ----------------------------------------------------


class MembershipOut(Schema):
    person: ActivityPersonOut
    role: str = Field(description="`leader` or `member`.")
    role_label: str
    joined_at: LocalDateTime


class TeamOut(Schema):
    id: int
    name: str
    kind: str = Field(description="`civility`, `environment`, `safety` or `other`.")
    kind_label: str
    description: str
    open_to_join: bool = Field(description="Residents of its place may join themselves.")
    active: bool
    place: PlaceRefOut
    size: int = Field(description="Members, leaders included.")
    joined: bool = Field(description="I am a member.")


MEMBERS_NOTE = (
    "Only for its leaders and the staff of its scope (`may_see_members`); null for everyone "
    "else, who see the count (`size`)."
)


class TeamDetailOut(TeamOut):
    my_role: str | None = Field(description="`leader`, `member` or null.")
    leaders: list[ActivityPersonOut] | None = Field(description="Its leaders. " + MEMBERS_NOTE)
    may_see_members: bool = Field(description="I may list its members and leaders.")
    may_manage: bool = Field(description="I may change it and appoint its members.")


class TeamIn(Schema):
    place: Id = Field(description="A community, an estate or a building.")
    name: Text = Field(max_length=60, description="Once in a place.")
    kind: TeamKindCode
    description: Text = Field("", max_length=2000)
    open_to_join: bool = True
    leader: Id | None = Field(None, description="The first leader's user id.")


class TeamUpdateIn(Schema):
    name: Text = Field(max_length=60)
    kind: TeamKindCode
    description: Text = Field("", max_length=2000)
    open_to_join: bool = True
    active: bool = True


class MemberIn(Schema):
    person: Id
    role: RoleCode = "member"


class TeamServiceIn(Schema):
    served_on: date = Field(description="YYYY-MM-DD, within the past year.")
    minutes: Whole = Field(description="1 to 720.")
    what: Text = Field(max_length=200, description="What the service was.")
    person: Id | None = Field(
        None, description="A member's user id, when a leader or the staff record it for them."
    )


class TeamServiceOut(Schema):
    id: int
    team: RefOut
    person: ActivityPersonOut
    served_on: date
    minutes: int
    what: str
    status: str = Field(description="`submitted`, `confirmed` or `rejected`.")
    status_label: str
    reason: str = Field(description="Why it was not confirmed.")
    submitted_at: LocalDateTime
    decided_at: LocalDateTime | None
    points: int = Field(description="Points credited on confirmation.")


class GroupOut(Schema):
    id: int
    name: str
    description: str
    active: bool
    place: PlaceRefOut
    size: int
    joined: bool


class GroupDetailOut(GroupOut):
    my_role: str | None = Field(description="`leader`, `member` or null.")
    leaders: list[ActivityPersonOut] | None = Field(description="Its leaders. " + MEMBERS_NOTE)
    may_see_members: bool = Field(description="I may list its members and leaders.")
    may_manage: bool = Field(description="I may change it and appoint its members.")


class GroupIn(Schema):
    place: Id = Field(description="A community, an estate or a building.")
    name: Text = Field(max_length=60)
    description: Text = Field("", max_length=2000)
    leader: Id | None = None


class GroupUpdateIn(Schema):
    name: Text = Field(max_length=60)
    description: Text = Field("", max_length=2000)
    active: bool = True


# --- Talent pool ----------------------------------------------------------------------------


class TalentOut(Schema):
    id: int
    skill: str
    skill_label: str
    note: str
    visibility: str = Field(
        description="`staff` (community staff and subdistrict administrators of the scope "
        "only) or `neighbours` (also the heads and grid workers of the scope, and residents of "
        "the community)."
    )
    visibility_label: str
    place: PlaceRefOut = Field(description="The building the person lives in.")
    updated_at: LocalDateTime


class PoolTalentOut(TalentOut):
    person: ActivityPersonOut


class TalentIn(Schema):
    note: Text = Field("", max_length=300, description="What I can do.")
    visibility: VisibilityCode = "staff"


class NeighbourFilter(Schema):
    skill: SkillCode | None = None


class TalentFilter(Schema):
    skill: SkillCode | None = None
    text: Text | None = Field(None, max_length=100, description="Words of the note or name.")
    place: Id | None = Field(None, description="Only talents living inside this place.")


class InvitationIn(Schema):
    message: Text = Field(max_length=500, description="What you are asking.")
    activity: Id | None = Field(None, description="An activity you run.")
    project: Text = Field("", max_length=120, description="Or the project, by name.")
    project_id: Id | None = Field(
        None, description="Or a co-creation project of my scope (GET /projects/projects)."
    )


class TalentRefOut(Schema):
    id: int
    skill: str
    skill_label: str


class InvitationOut(Schema):
    id: int
    talent: TalentRefOut
    activity: ActivityRefOut | None
    project: str
    project_id: int | None = Field(description="The co-creation project, when it is one.")
    message: str
    status: str = Field(description="`sent`, `accepted` or `declined`.")
    status_label: str
    sent_by: str | None
    sent_at: LocalDateTime
    answered_at: LocalDateTime | None


class SentInvitationOut(InvitationOut):
    person: ActivityPersonOut = Field(description="The talent.")


# --- Figures ---------------------------------------------------------------------------------


class ActivityFiguresFilter(Schema):
    place: Id = Field(description="A place in my staff scope: a community, an estate…")
    month: Month | None = Field(None, description="YYYY-MM; this month when left out.")


class BuildingFiguresOut(Schema):
    place: PlaceRefOut
    activities: int = Field(description="Activities held at the building or its units.")
    person_times: int = Field(description="Check-ins (人次).")


class ActivityFiguresOut(Schema):
    place: PlaceRefOut
    year: int
    month: int
    activities: int = Field(description="All activities under the place (not cancelled).")
    person_times: int
    buildings_with_activity: int = Field(description="每月一活动: buildings that held one.")
    buildings: list[BuildingFiguresOut]
