"""API schemas of deliberation meetings: kinds, meetings, their agenda, invitees, answers,
check-in, quorum and minutes."""

from datetime import datetime
from typing import Annotated, Literal

from annotated_types import Interval
from ninja import Field, Schema

from linju.core.schemas import LocalDateTime, Text
from linju.people.roles import GRANTABLE_ROLES

from .models import MeetingStatus

# A database id: larger numbers would overflow SQLite's integer in an `IN (…)` list.
Id = Annotated[int, Interval(ge=1, lt=2**63)]
RoleCode = Literal[tuple(r.value for r in GRANTABLE_ROLES)]
StatusCode = Literal[tuple(MeetingStatus.values)]
Small = Annotated[int, Interval(ge=0, le=1000)]


# --- Kinds --------------------------------------------------------------------------------------


class KindOut(Schema):
    id: int
    code: str = Field(description="e.g. `owners_assembly`, `yishihui`, or a staff-defined code.")
    name: str
    notice_days: int = Field(description="Days of notice the notice must leave before the start.")
    quorum_numerator: int
    quorum_denominator: int = Field(
        description="At least numerator/denominator of the invitees present (0/1: no quorum)."
    )
    active: bool = Field(description="Offered for new meetings.")
    open: bool = Field(description="Residents of the scope may check in without an invitation.")


class KindIn(Schema):
    code: Text = Field(max_length=40, description="Lower-case letters, digits, - and _.")
    name: Text = Field(max_length=60)
    notice_days: int = Field(3, ge=0, le=365)
    quorum_numerator: int = Field(0, ge=0, le=1000)
    quorum_denominator: int = Field(1, ge=1, le=1000)
    active: bool = True


class KindPatch(Schema):
    """Only the fields sent change."""

    code: Text | None = Field(None, max_length=40)
    name: Text | None = Field(None, max_length=60)
    notice_days: int | None = Field(None, ge=0, le=365)
    quorum_numerator: int | None = Field(None, ge=0, le=1000)
    quorum_denominator: int | None = Field(None, ge=1, le=1000)
    active: bool | None = None


# --- Meetings ------------------------------------------------------------------------------------


class KindRefOut(Schema):
    code: str
    name: str


class MeetingPlaceOut(Schema):
    id: int
    kind: str = Field(description="`unit`, `building`, `estate` or `community`.")
    name: str
    label: str = Field(description="Community, estate, building and unit names.")


class MyInvitationOut(Schema):
    invited: bool
    via: str = Field(description="`role`, `scope` or `list`; empty when not invited.")
    rsvp: str = Field(description="`yes`, `no`, `maybe`, or empty before answering.")
    checked_in_at: LocalDateTime | None


class MeetingRowOut(Schema):
    id: int
    title: str
    kind: KindRefOut
    place: MeetingPlaceOut
    status: str = Field(description="`draft`, `noticed`, `held` or `cancelled`.")
    status_label: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime | None
    venue: str
    invited: int | None = Field(description="Staff lists: how many are invited.")
    present: int | None = Field(description="Staff lists: how many checked in.")
    said_yes: int | None = Field(description="Staff lists: how many said they will come.")
    agenda_count: int | None = Field(description="Staff lists: topics on the agenda.")
    me: MyInvitationOut | None = Field(description="My invitation (my meetings only).")


class AgendaItemOut(Schema):
    order: int
    topic_id: int
    title: str
    status: str = Field(description="The topic's status.")


class QuorumOut(Schema):
    present: int = Field(description="Invitees checked in.")
    invited: int
    needed: int = Field(description="At least ⌈invited × numerator / denominator⌉.")
    met: bool
    numerator: int
    denominator: int


class MeetingDecisionOut(Schema):
    id: int
    topic_id: int
    topic_title: str
    text: str
    decided_at: LocalDateTime


class MeetingAllowedOut(Schema):
    host: bool = Field(description="May change, invite, notice, tick, minute and cancel.")
    rsvp: bool = Field(description="May answer now.")


class MeetingOut(MeetingRowOut):
    quorum: QuorumOut
    agenda: list[AgendaItemOut]
    minutes: str
    decisions: list[MeetingDecisionOut]
    notice_sent_at: LocalDateTime | None
    held_at: LocalDateTime | None
    cancelled_reason: str
    checkin_url: str | None = Field(
        description="Hosts only: the URL the QR code at the door carries (secret)."
    )
    notice_days_needed: int = Field(description="The kind's days of notice.")
    allowed: MeetingAllowedOut


class MeetingFilter(Schema):
    status: StatusCode | None = None
    when: Literal["upcoming", "past", "all"] = Field(
        "all", description="`upcoming`: not started yet; `past`: started already."
    )
    place: Id | None = Field(None, description="Only meetings at or under this place.")
    q: Text = Field("", max_length=100, description="Words of the title or venue.")


class MeetingIn(Schema):
    kind: Text = Field(max_length=40, description="A kind's code (GET …/meetings/kinds).")
    place: Id = Field(description="A unit, building, estate or community you host meetings at.")
    title: Text = Field(max_length=120)
    starts_at: datetime = Field(description="ISO 8601; without an offset it is local time.")
    ends_at: datetime | None = None
    venue: Text = Field(max_length=120)
    quorum_numerator: Small | None = Field(None, description="Default: the kind's.")
    quorum_denominator: Small | None = Field(None, description="Default: the kind's.")
    topic_ids: list[Id] = Field(
        default_factory=list, max_length=50, description="Its agenda to start with, in order."
    )


class MeetingPatch(Schema):
    """Only the fields sent change. Once noticed, a new time needs the kind's notice again and
    the invitees are told."""

    title: Text | None = Field(None, max_length=120)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    venue: Text | None = Field(None, max_length=120)
    quorum_numerator: Small | None = None
    quorum_denominator: Small | None = None


class AgendaIn(Schema):
    topic_ids: list[Id] = Field(max_length=50, description="The agenda, in order.")


class AgendaAddIn(Schema):
    topic_id: Id


class InviteIn(Schema):
    roles: list[RoleCode] = Field(
        [], description="Holders of these roles at a scope inside or above the meeting's."
    )
    scope: bool = Field(
        False,
        description="The meeting's scope: verified residents (owners only for an owners' "
        "assembly), the community's resident representatives (`rep_assembly`) or its party "
        "members (`party_assembly`).",
    )
    user_ids: list[Id] = Field([], max_length=1000, description="These people.")


class InvitedOut(Schema):
    added: int = Field(description="Newly invited by this request.")
    invited: int = Field(description="Invited in all.")


class InviteeOut(Schema):
    user_id: int
    name: str = Field(description="Masked (张*明) outside the handling scope (PIPL).")
    mobile: str = Field(description="Masked (138****1234) outside the handling scope.")
    home: str = Field(description="The household, when shown in full; else empty.")
    via: str = Field(description="`role`, `scope` or `list`.")
    rsvp: str
    rsvp_at: LocalDateTime | None
    checked_in_at: LocalDateTime | None
    ticked_by_host: bool = Field(description="Ticked off the sign-in sheet by a host.")


class RsvpIn(Schema):
    answer: Literal["yes", "no", "maybe"]


class CheckInIn(Schema):
    token: Text = Field(max_length=64, description="The token of the QR code's URL.")


class CheckInOut(Schema):
    checked_in_at: LocalDateTime
    already: bool = Field(description="Checked in before: the first time stays.")
    walk_in: bool = Field(description="Not invited: joined an open meeting as a resident.")
    quorum: QuorumOut


class HostCheckInIn(Schema):
    present: bool = Field(True, description="false takes a wrong tick back.")


class MeetingDecisionIn(Schema):
    topic_id: Id = Field(description="A topic on the agenda.")
    text: Text = Field(max_length=5000)


class MinutesIn(Schema):
    minutes: Text = Field(max_length=20000)
    decisions: list[MeetingDecisionIn] = Field([], max_length=50)


class MeetingReasonIn(Schema):
    reason: Text = Field(max_length=300)


class CheckinTokenOut(Schema):
    checkin_url: str
