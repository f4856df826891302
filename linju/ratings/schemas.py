"""API schemas of ratings: rubrics (评分细则) with items, star bands and residents' comments;
contests, their panel (四方评委), rounds, score sheets, corrections, rankings (流动红旗) and the
year's awards (物业费补贴)."""

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from annotated_types import Interval
from ninja import Field, Schema
from pydantic import field_validator

from linju.core.schemas import LocalDateTime, Text

from .models import (
    CONTEST_PARTIES,
    Aggregation,
    ItemKind,
    Party,
    Purpose,
    RoundStatus,
)

# A database id: larger numbers would overflow SQLite's integer in an `IN (…)` list.
Id = Annotated[int, Interval(ge=1, lt=2**63)]
PurposeCode = Literal[tuple(Purpose.values)]
KindCode = Literal[tuple(ItemKind.values)]
PartyCode = Literal[tuple(Party.values)]
StatusCode = Literal[tuple(RoundStatus.values)]
Year = Annotated[int, Interval(ge=2000, le=2100)]
Points = Annotated[Decimal, Field(max_digits=6, decimal_places=1, allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


# --- Rubrics ------------------------------------------------------------------------------------


class RatingsPlaceOut(Schema):
    id: int
    kind: str
    name: str


class RatingsPersonOut(Schema):
    id: int
    name: str = Field(description="Residents' names masked (张*明) outside staff scope.")


class RubricRowOut(Schema):
    id: int
    code: str = Field(description="Shared by the versions of one rubric.")
    version: int
    name: str
    purpose: str = Field(description="`contest`, `stars` or `evaluation`.")
    status: str = Field(description="`draft`, `adopted` or `retired`.")
    status_label: str
    place: RatingsPlaceOut | None = Field(description="null: a template any scope may copy.")
    comments_open: bool = Field(description="A draft put to the residents.")
    adopted_at: LocalDateTime | None


class RubricItemOut(Schema):
    id: int
    position: int
    code: str = Field(description="The key of the item's mark on a score sheet.")
    title: str
    description: str
    kind: str = Field(description="`score`, `deduction`, `bonus` or `veto` (一票否决).")
    kind_label: str
    max_points: Decimal
    exemptions: str = Field(description="What is not held against a target (轮椅、婴儿车).")
    evidence_required: bool = Field(description="A deduction, bonus or veto needs a photo.")
    tiebreak: bool = Field(description="The item whose score breaks ties (hygiene).")


class BandOut(Schema):
    min_score: Decimal
    stars: int


class CommentOut(Schema):
    id: int
    item_id: int | None
    user: RatingsPersonOut
    text: str
    created_at: LocalDateTime


class RubricAllowedOut(Schema):
    manage: bool = Field(description="May edit the draft, put it to residents and adopt it.")
    comment: bool = Field(description="May comment now.")


class RubricOut(RubricRowOut):
    description: str
    based_on_id: int | None
    topic_id: int | None = Field(description="The deliberation topic that took up the draft.")
    items: list[RubricItemOut]
    bands: list[BandOut]
    comments: list[CommentOut] | None = Field(
        description="For staff of the scope and residents it was put to; else null."
    )
    allowed: RubricAllowedOut


class RubricIn(Schema):
    place: Id = Field(description="The estate or community whose rubric it is.")
    purpose: PurposeCode
    name: Text = Field(max_length=100)
    description: Text = Field("", max_length=5000)


class CopyIn(Schema):
    place: Id | None = Field(None, description="Where a template is copied to; else ignored.")


class RubricPatch(Schema):
    """Only the fields sent change."""

    name: Text | None = Field(None, max_length=100)
    description: Text | None = Field(None, max_length=5000)


class RubricItemIn(Schema):
    code: Text = Field(max_length=40, description="Letters, digits, - and _.")
    title: Text = Field(max_length=100)
    kind: KindCode
    max_points: Points = Field(description="0 for a veto; whole or half points.")
    description: Text = Field("", max_length=2000)
    exemptions: Text = Field("", max_length=1000)
    evidence_required: bool = False
    tiebreak: bool = False
    position: int = Field(0, ge=0, le=999)


class BandIn(Schema):
    min_score: Points
    stars: int = Field(ge=1, le=5)


class BandsIn(Schema):
    bands: list[BandIn] = Field(max_length=5, description="Replaces the bands.")


class ConsultIn(Schema):
    raise_topic: bool = Field(
        True, description="Also raise the draft as a deliberation topic (共建议事会)."
    )


class CommentIn(Schema):
    text: Text = Field(max_length=2000)
    item: Id | None = Field(None, description="The item commented on, if one.")


# --- Contests -------------------------------------------------------------------------------------


class ContestSettings(Schema):
    aggregation: Literal[tuple(Aggregation.values)] | None = Field(
        None, description="`mean`, or `trimmed` (highest and lowest dropped)."
    )
    trim: int | None = Field(None, ge=0, le=3)
    flags: int | None = Field(None, ge=0, le=20, description="Red flags a month.")
    scoring_days: int | None = Field(None, ge=1, le=31)
    award_places: int | None = Field(None, ge=0, le=20)
    award_percent: Percent | None = None
    head_percent: Percent | None = None
    head_bonus_percent: Percent | None = None
    fee_fen_per_sqm_month: int | None = Field(None, ge=0, le=100_000)


class ContestIn(ContestSettings):
    purpose: Literal["contest", "stars"] = "contest"
    name: Text = Field(max_length=100)
    rubric: Id = Field(description="An adopted rubric made for this purpose.")
    place: Id | None = Field(None, description="A contest's estate or community.")
    target_kind: Literal["unit", "building"] = "unit"
    party_organisation: Id | None = Field(None, description="A star rating's organisation.")


class ContestPatch(ContestSettings):
    """Only the fields sent change; rounds already open keep their settings."""

    name: Text | None = Field(None, max_length=100)
    rubric: Id | None = None
    active: bool | None = None


class ContestRowOut(Schema):
    id: int
    name: str
    purpose: str
    target_kind: str
    period: str = Field(description="`month` or `year`.")
    place: RatingsPlaceOut
    rubric_id: int
    rubric_name: str
    active: bool


class SettingsOut(Schema):
    aggregation: str
    trim: int
    flags: int
    scoring_days: int
    award_places: int
    award_percent: Decimal
    head_percent: Decimal
    head_bonus_percent: Decimal
    fee_fen_per_sqm_month: int


class PanellistOut(Schema):
    id: int
    user: RatingsPersonOut
    party: str
    party_label: str
    since: date
    until: date | None = Field(description="null while serving.")


class ContestAllowedOut(Schema):
    manage: bool
    follow: bool = Field(description="Sees rounds while scored, progress and sheets.")


class ContestOut(ContestRowOut):
    settings: SettingsOut
    panel: list[PanellistOut] = Field(description="Serving panellists.")
    allowed: ContestAllowedOut


class PanellistIn(Schema):
    user_id: Id
    party: PartyCode = Field(
        description="Contests: " + ", ".join(f"`{p.value}`" for p in CONTEST_PARTIES) + "."
    )


class FlagHolderOut(Schema):
    target_id: int
    place_id: int | None
    label: str
    rank: int | None
    total: Decimal | None


class FlagMonthOut(Schema):
    round_id: int
    period: str
    flags: list[FlagHolderOut]


class FlagLeaderOut(Schema):
    place_id: int
    label: str
    flags: int = Field(description="Red flags in the year's published rounds.")
    months: int = Field(description="Published rounds the unit was rated in.")
    rank: int = Field(description="Shared by equal counts (8, 8, 7 → 1, 1, 3).")


class YearIn(Schema):
    year: Year


# --- Rounds ---------------------------------------------------------------------------------------


class RoundFilter(Schema):
    contest: Id | None = None
    status: StatusCode | None = None


class RoundIn(Schema):
    contest: Id
    period: Text = Field(max_length=10, description='"YYYY-MM" (a month) or "YYYY" (a year).')


class RatingsReasonIn(Schema):
    reason: Text = Field(max_length=500)


class RoundRowOut(Schema):
    id: int
    contest_id: int
    contest_name: str
    period: str = Field(description="`2026-10`, or `2026` for a year.")
    status: str = Field(description="`open`, `scoring`, `review`, `published` or `locked`.")
    status_label: str
    due_on: date = Field(description="Scoring is due by this day.")
    rubric_id: int
    published_at: LocalDateTime | None


class ProgressOut(Schema):
    user: RatingsPersonOut
    party: str
    party_label: str
    done: int = Field(description="Sheets saved.")
    targets: int
    late: bool = Field(description="Past due and not finished.")


class LateOut(Schema):
    user_id: int
    party: str
    done: int
    targets: int


class MyScoringOut(Schema):
    party: str
    done: int
    targets: int


class RoundAllowedOut(Schema):
    manage: bool
    follow: bool
    results: bool = Field(description="May read the ranking (GET …/ranking).")
    score: bool = Field(description="On the panel and the round is scoring.")


class RoundOut(RoundRowOut):
    aggregation: str
    trim: int
    flags: int
    targets: int
    opened_at: LocalDateTime
    scoring_at: LocalDateTime | None
    review_at: LocalDateTime | None
    locked_at: LocalDateTime | None
    progress: list[ProgressOut] | None = Field(description="Staff of the scope; else null.")
    late: list[LateOut] | None = Field(description="Staff of the scope; else null.")
    me: MyScoringOut | None = Field(description="My seat on the panel, if any.")
    allowed: RoundAllowedOut


class TargetOut(Schema):
    id: int
    label: str
    place_id: int | None
    position: int = Field(description="The panel's walking order.")
    sheets: int
    total: Decimal | None
    lost: Decimal | None = Field(description="Points deducted (the first tie-break).")
    vetoed: bool
    rank: int | None = Field(description="null: nobody scored it.")
    flag: bool = Field(description="Holds the rotating red flag (流动红旗) this month.")
    stars: int | None


class TargetRefOut(Schema):
    id: int
    label: str
    position: int


class MarkOut(Schema):
    item_id: int
    title: str
    kind: str
    max_points: Decimal
    exemptions: str
    evidence_required: bool
    entry_id: int | None = Field(description="null on an unsaved sheet.")
    points: Decimal
    exempt: bool
    vetoed: bool
    note: str
    value: Decimal = Field(description="What the mark adds to the total (signed).")
    photo_url: str | None


class SheetOut(Schema):
    id: int | None = Field(description="null: not saved yet (the marks are the defaults).")
    target: TargetRefOut
    panellist: RatingsPersonOut
    note: str
    total: Decimal
    lost: Decimal
    vetoed: bool
    submitted_at: LocalDateTime | None
    updated_at: LocalDateTime | None
    marks: dict[str, MarkOut] = Field(description="Keyed by the item's code.")


class MarkIn(Schema):
    points: Points | None = Field(None, description="Default 0; ignored for a veto item.")
    exempt: bool = Field(False, description="What was seen is exempt (轮椅、婴儿车).")
    vetoed: bool = Field(False, description="The veto applies (veto items only).")
    note: Text = Field("", max_length=500)
    photo: Literal["keep"] | None = Field(
        None, description='"keep": keep the photo saved before; a new one is a file part.'
    )


class SheetIn(Schema):
    marks: dict[str, MarkIn] = Field(
        description="A mark for every item, keyed by its code; in a multipart body, this "
        "object as a JSON string."
    )
    note: Text = Field("", max_length=500)

    @field_validator("marks", mode="before")
    @classmethod
    def _json_string(cls, value):
        # Multipart bodies carry the marks as one JSON field beside the photo files.
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError("must be a JSON object") from None
        return value


class CorrectIn(Schema):
    reason: Text = Field("", max_length=500, description="Required: why the mark changes.")
    points: Points | None = None
    exempt: bool | None = None
    vetoed: bool | None = None


class CorrectionOut(Schema):
    id: int
    entry_id: int
    target_id: int
    target_label: str
    item_code: str
    panellist_id: int
    before: dict
    after: dict
    reason: str
    corrected_by: RatingsPersonOut | None
    corrected_at: LocalDateTime


class HistoryOut(Schema):
    round_id: int
    contest_id: int
    contest_name: str
    period: str
    total: Decimal | None
    rank: int | None
    flag: bool
    vetoed: bool
    stars: int | None


# --- Awards ---------------------------------------------------------------------------------------


class AwardOut(Schema):
    kind: str = Field(description="`flags` (the unit's red flags) or `head` (三长).")
    household_id: int
    household: str = Field(description="Empty outside the caller's personal-data scope.")
    unit_id: int
    person: RatingsPersonOut | None = Field(description="The head, for `head` lines.")
    flags: int
    rank: int | None
    percent: Decimal
    area: Decimal
    amount_fen: int = Field(description="The subsidy in fen (分).")


class AwardTableOut(Schema):
    year: int
    flags: list[FlagLeaderOut] = Field(description="The year's flags per unit, most first.")
    lines: list[AwardOut] = Field(description="What confirming would write now (unsaved).")
    total_fen: int
    confirmed: int = Field(description="Lines confirmed so far for the year.")


class HeadDutyIn(Schema):
    fulfilled: bool = Field(True, description="履职尽责: gets the higher subsidy.")
    note: Text = Field("", max_length=300)


class HeadDutyOut(Schema):
    user_id: int
    year: int
    fulfilled: bool
    note: str
    decided_at: LocalDateTime


class ConfirmedOut(Schema):
    lines: int
    total_fen: int
