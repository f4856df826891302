"""API schemas of ballots: the draft, the ballot with its turnout, the voter's own vote and the
result with its arithmetic, the electorate for staff, paper ballots waiting for confirmation."""

from datetime import datetime
from typing import Annotated, Literal

from annotated_types import Interval
from ninja import Field, Schema

from linju.core.schemas import LocalDateTime, Text

from .models import BallotStatus, Electorate, Rule

Id = Annotated[int, Interval(ge=1, lt=2**63)]
Term = Annotated[int, Interval(ge=0, le=1000)]
ElectorateCode = Literal[tuple(Electorate.values)]
RuleCode = Literal[tuple(Rule.values)]
StatusCode = Literal[("", *BallotStatus.values)]

AREA = "Exclusive floor area in m², as exact decimal text, e.g. `14000.50`."


# --- In -------------------------------------------------------------------------------------------


class OptionIn(Schema):
    label: Text = Field(max_length=120)
    approves: bool = Field(False, description="This option counts as approval (同意).")


class BallotFields(Schema):
    description: Text = Field("", max_length=5000, description="The explanation voters read.")
    opens_at: datetime | None = Field(None, description="Planned opening time (optional).")
    options: list[OptionIn] | None = Field(
        None,
        description="At least two. Leave out for 同意 / 反对 / 弃权 (the first approves). "
        "Exactly one approves, except under `simple` where none may (a choice of candidates).",
    )
    secret: bool = Field(False, description="Nobody sees who chose what, only who voted.")
    changeable: bool = Field(True, description="Voters may change their vote until closing.")
    participation_numerator: Term = Field(0, description="`custom`: share that must take part.")
    participation_denominator: Term = 1
    approval_numerator: Term = Field(1, description="`custom`: share that must approve.")
    approval_denominator: Term = 2
    approval_strict: bool = Field(True, description="`custom`: more than (true) or at least.")
    approval_of_electorate: bool = Field(
        False, description="`custom`: approval measured against the whole electorate."
    )
    weigh_area: bool = Field(False, description="`custom`: by area as well as headcount.")
    affected_households: list[Id] = Field(
        [], description="`elevator`: the directly affected households of the unit."
    )
    topic: Id | None = Field(None, description="The topic the ballot decides (optional).")
    meeting: Id | None = Field(None, description="The meeting it is held at (optional).")


class BallotIn(BallotFields):
    place: Id = Field(description="The scope: a unit, building, estate or community.")
    title: Text = Field(max_length=200, description="The question.")
    electorate: ElectorateCode = Field(description="Who votes.")
    rule: RuleCode = Field(description="How it is decided.")
    closes_at: datetime


class BallotPatch(Schema):
    """Only the fields sent change (a draft only)."""

    place: Id | None = None
    title: Text | None = Field(None, max_length=200)
    description: Text | None = Field(None, max_length=5000)
    electorate: ElectorateCode | None = None
    rule: RuleCode | None = None
    closes_at: datetime | None = None
    opens_at: datetime | None = None
    options: list[OptionIn] | None = None
    secret: bool | None = None
    changeable: bool | None = None
    participation_numerator: Term | None = None
    participation_denominator: Term | None = None
    approval_numerator: Term | None = None
    approval_denominator: Term | None = None
    approval_strict: bool | None = None
    approval_of_electorate: bool | None = None
    weigh_area: bool | None = None
    affected_households: list[Id] | None = None
    topic: Id | None = None
    meeting: Id | None = None


class VoteIn(Schema):
    option: Id = Field(description="The chosen option's id.")
    elector: Id | None = Field(
        None, description="Which voter you vote for, when you vote for several households."
    )


class ProxyIn(Schema):
    """Multipart form fields with the `authorisation` file."""

    elector: Id
    option: Id
    proxy_name: Text = Field(max_length=50, description="Who votes on the elector's behalf.")


class PaperIn(Schema):
    """Multipart form fields with the `scan` file."""

    elector: Id
    option: Id


class RejectIn(Schema):
    reason: Text = Field("", max_length=300, description="What does not match the scan.")


class BallotFilter(Schema):
    status: StatusCode = Field("", description="Only ballots of this status.")
    q: Text = Field("", max_length=100, description="Words of the question.")


class ElectorFilter(Schema):
    q: Text = Field("", max_length=50, description="A room or a name.")


# --- Out ------------------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class OptionOut(Schema):
    id: int
    order: int
    label: str
    approves: bool


class OptionCountOut(Schema):
    id: int
    label: str
    heads: int
    area: str = Field(description=AREA)
    approves: bool


class LineOut(Schema):
    measure: str = Field(
        description="`participating_area`, `participating_heads`, `approving_area`, "
        "`approving_heads`, `affected_consent` or `winning_option`."
    )
    of: str = Field(description="The denominator: `electorate`, `participants` or `affected`.")
    label: str
    numerator: str = Field(description="Exact: an integer, a decimal area or `p/q`.")
    denominator: str
    threshold: str = Field(description="The fraction to reach, e.g. `2/3`.")
    strict: bool = Field(description="true: more than the threshold; false: at least.")
    ok: bool
    text: str = Field(description="The line with its arithmetic, in the user's language.")


class ResultOut(Schema):
    rule: str
    passed: bool
    winner: int | None = Field(description="The winning (or approved) option's id.")
    summary: str = Field(description="What the rule demands.")
    lines: list[LineOut]
    options: list[OptionCountOut]
    electorate_heads: int
    electorate_area: str
    participating_heads: int
    participating_area: str
    affected: int
    affected_approving: int
    unconfirmed_paper: int = Field(description="Paper ballots not confirmed at closing.")


class TurnoutOut(Schema):
    electorate_heads: int
    electorate_area: str = Field(description=AREA)
    heads: int = Field(description="Counted votes so far.")
    area: str
    percent: str
    area_percent: str
    pending_paper: int = Field(description="Paper ballots waiting for a second staff member.")


class MyVoteOut(Schema):
    elector: Ref = Field(description="The voter you cast the vote of (your household(s)).")
    option: OptionOut | None = Field(description="Your current choice, or null.")
    method: str | None
    counted: bool
    changed_at: LocalDateTime | None


class CustomOut(Schema):
    participation: str
    approval: str
    approval_strict: bool
    approval_of_electorate: bool
    weigh_area: bool


class BallotAllowedOut(Schema):
    vote: bool
    run: bool = Field(description="Open, enter proxy and paper votes, close, publish.")


class BallotOut(Schema):
    id: int
    title: str
    description: str
    place: Ref
    electorate: str
    electorate_label: str
    rule: str
    rule_label: str
    rule_summary: str
    custom: CustomOut | None
    status: str
    status_label: str
    secret: bool
    changeable: bool
    opens_at: LocalDateTime | None
    closes_at: LocalDateTime
    opened_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    options: list[OptionOut]
    affected_households: list[int] = Field(description="`elevator`: named at creation.")
    topic: int | None
    meeting: int | None
    turnout: TurnoutOut | None = Field(description="Once open.")
    my_votes: list[MyVoteOut] = Field(description="The votes you cast, yours to see.")
    live_tally: list[OptionCountOut] | None = Field(
        description="Staff, while an open ballot that is not secret runs."
    )
    result: ResultOut | None = Field(description="Staff once closed; everyone once published.")
    passed: bool | None
    allowed: BallotAllowedOut


class BallotRowOut(Schema):
    id: int
    title: str
    place: Ref
    electorate: str
    rule: str
    status: str
    status_label: str
    secret: bool
    closes_at: LocalDateTime
    passed: bool | None
    voted: bool | None = Field(description="In my ballots: whether my vote is in.")


class ElectorVoteOut(Schema):
    id: int
    method: str
    counted: bool
    option: str | None = Field(description="Only in ballots that are not secret.")


class ElectorOut(Schema):
    id: int
    label: str
    area: str
    affected: bool
    households: int
    members: list[Ref] = Field(description="Who may vote; names masked outside your scope.")
    vote: ElectorVoteOut | None


class VoteOut(Schema):
    id: int
    elector: int
    option: int
    method: str
    counted: bool
    cast_at: LocalDateTime
    changed_at: LocalDateTime | None


class PaperOut(Schema):
    id: int
    elector: Ref
    option: OptionOut
    entered_by: Ref | None
    cast_at: LocalDateTime
    scan_url: str
