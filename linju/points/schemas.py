"""API schemas of points (公益积分): a person's balances and ledgers, the service record
(志愿服务时长), the love supermarket (爱心超市) and its desk, earning rules and expiry, the
leaderboard. Ranges are checked by the services (one place for a rule); these schemas give the
types, the documentation and the 422 field paths."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from annotated_types import Interval
from ninja import Field, Schema

from linju.core.schemas import LocalDateTime, Text

from .models import EARNING_KINDS, RedemptionStatus

# A database id: larger numbers would overflow SQLite's integer in an `IN (…)` list.
Id = Annotated[int, Interval(ge=1, lt=2**63)]
# Whole numbers the services range-check; bounded here so nothing overflows on the way.
Whole = Annotated[int, Interval(ge=-(2**31), lt=2**31)]
EarningKind = Literal[tuple(k.value for k in EARNING_KINDS)]
StatusCode = Literal[tuple(RedemptionStatus.values)]


class PointsPlaceOut(Schema):
    id: int
    name: str


class PointsPersonOut(Schema):
    id: int
    name: str = Field(
        description="In full for staff whose personal-data scope holds the entry's community "
        "(and for oneself); masked (张*明) otherwise."
    )


# --- My account ------------------------------------------------------------------------------


class BalanceOut(Schema):
    points: int = Field(description="Points to spend.")
    minutes: int = Field(description="Volunteer service time, all in all (kept for ever).")
    hours: float = Field(description="The same in hours, one decimal.")


class PointsEntryOut(Schema):
    id: int
    amount: int = Field(description="Signed: earned (+) or spent, expired (−).")
    balance: int = Field(description="The person's points after this entry.")
    kind: str = Field(
        description="`service`, `activity`, `report`, `contest`, `redemption`, `refund`, "
        "`adjustment` or `expiry`."
    )
    kind_label: str
    reason: str
    ref: str = Field(description="What it is for, e.g. `redemption:12`, `report:7`.")
    place: PointsPlaceOut = Field(description="The community the entry belongs to.")
    created_at: LocalDateTime


class HoursEntryOut(Schema):
    id: int
    minutes: int
    total: int = Field(description="The person's service minutes after this entry.")
    served_on: date
    what: str
    place: PointsPlaceOut
    created_at: LocalDateTime


class LedgerPointsOut(PointsEntryOut):
    person: PointsPersonOut
    by: str | None = Field(description="The staff member who posted it, if one did.")


class LedgerHoursOut(HoursEntryOut):
    person: PointsPersonOut
    by: str | None


class PlaceMinutesOut(Schema):
    place: str
    minutes: int


class CertificateOut(Schema):
    minutes: int
    hours: float
    services: int = Field(description="Services recorded.")
    first: date | None = Field(description="The first day served.")
    last: date | None
    by_place: list[PlaceMinutesOut] = Field(description="Minutes per community, most first.")


# --- The love supermarket -------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    name: str
    description: str
    cost: int = Field(description="Points for one.")
    stock: int
    per_person: int = Field(description="At most this many a person a month (0: no limit).")
    donor: str = Field(description="Donated by (共建单位), if anyone.")
    active: bool = Field(description="On the shelf.")
    place: PointsPlaceOut
    photo_url: str | None


class ItemIn(Schema):
    """Multipart form fields (with a `photo` file) or the same fields as a JSON object."""

    place: Id = Field(description="The community whose shop it is.")
    name: Text = Field(max_length=100)
    cost: Whole = Field(description="1 to 100000 points.")
    stock: Whole = Field(0, description="0 to 100000.")
    per_person: Whole = Field(0, description="0 (no limit) to 100 a person a month.")
    description: Text = Field("", max_length=500)
    donor: Text = Field("", max_length=100)
    active: bool = True


class ItemPatch(Schema):
    """Only the fields sent change; the stock changes by restocking."""

    name: Text | None = Field(None, max_length=100)
    cost: Whole | None = None
    per_person: Whole | None = None
    description: Text | None = Field(None, max_length=500)
    donor: Text | None = Field(None, max_length=100)
    active: bool | None = None


class RestockIn(Schema):
    change: Whole = Field(description="Goods in (+) or out (−), not 0.")
    reason: Text = Field("", max_length=300, description="Required: a donation, spoiled…")


class RedeemIn(Schema):
    quantity: Whole = Field(1, description="1 to 20.")


class PointsReasonIn(Schema):
    reason: Text = Field(
        "", max_length=300, description="Optional for the resident; required at the desk."
    )


class ItemRefOut(Schema):
    id: int
    name: str


class RedemptionOut(Schema):
    id: int
    item: ItemRefOut
    place: PointsPlaceOut
    quantity: int
    points: int = Field(description="Points debited (refunded when cancelled).")
    status: str = Field(description="`reserved`, `collected` or `cancelled`.")
    status_label: str
    code: str | None = Field(
        description="The pickup code (shown as a QR code at the desk); only to the resident."
    )
    created_at: LocalDateTime
    collected_at: LocalDateTime | None
    cancelled_at: LocalDateTime | None
    cancel_reason: str


class DeskRedemptionOut(RedemptionOut):
    person: PointsPersonOut


class RedemptionFilter(Schema):
    status: StatusCode | None = None


class CodeFilter(Schema):
    place: Id = Field(description="The community of the shop.")
    code: Text = Field(max_length=8, description="The 8-digit pickup code.")


# --- Service, adjustments ---------------------------------------------------------------------


class ServiceIn(Schema):
    person: Id = Field(description="The volunteer's user id.")
    place: Id = Field(description="The community (or a place inside it) served.")
    served_on: date = Field(description="YYYY-MM-DD, within the past year.")
    minutes: Whole = Field(description="1 to 720.")
    what: Text = Field(max_length=200, description="What the service was.")


class ServiceOut(Schema):
    hours: HoursEntryOut
    points: PointsEntryOut | None = Field(
        description="What it earned under the community's rule and caps; null when nothing."
    )


class AdjustmentIn(Schema):
    person: Id
    place: Id = Field(description="The community the points belong to.")
    amount: Whole = Field(description="-10000 to 10000, not 0.")
    reason: Text = Field(max_length=300)


class LedgerFilter(Schema):
    person: Id | None = Field(None, description="Only this person's entries.")


# --- Rules, expiry, leaderboard -----------------------------------------------------------------


class RuleOut(Schema):
    id: int
    place: PointsPlaceOut
    kind: str
    kind_label: str
    points: int = Field(description="Per hour of service, or per event.")
    max_hours_per_event: Decimal = Field(description="Hours counted per service at most.")
    max_per_day: int = Field(description="0: no cap.")
    max_per_month: int = Field(description="0: no cap.")
    active: bool
    updated_at: LocalDateTime


class RuleIn(Schema):
    place: Id = Field(description="A community or a subdistrict.")
    kind: EarningKind
    points: Whole = Field(description="0 to 1000.")
    max_hours_per_event: Decimal = Field(
        Decimal(2), max_digits=5, decimal_places=1, description="0 to 24, in half hours."
    )
    max_per_day: Whole = 0
    max_per_month: Whole = 0
    active: bool = True


class ExpiryOut(Schema):
    place: PointsPlaceOut
    months: int = Field(description="Points lapse this many months after they were earned.")


class ExpiryIn(Schema):
    place: Id = Field(description="The community.")
    months: Whole = Field(description="1 to 120; 0 removes the policy (never lapse).")


class LeaderboardFilter(Schema):
    place: Id
    month: str | None = Field(
        None, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM; all time when left out."
    )


class LeaderOut(Schema):
    rank: int = Field(description="Shared by equal points (30, 30, 20 → 1, 1, 3).")
    person: PointsPersonOut
    points: int = Field(description="Points earned (service, activities, reports, flags).")
    entries: int
