"""What a panellist's mark means (seed 001's 评分细则): the one place that turns points, an
exemption and a veto into what enters the total. Services call it when a mark is saved or
corrected; the ranking only adds up what it wrote."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from linju.core.errors import Invalid

from .models import ItemKind

ZERO = Decimal(0)
STEP = Decimal("0.5")  # panels give whole or half points


def effect(item, *, points: Decimal, exempt: bool) -> tuple[Decimal, Decimal]:
    """(value, lost): the signed points a mark adds to the total, and the points it costs the
    target (for the tie-break "fewer deductions"). An exempt mark costs nothing: what was seen
    is not held against the target (轮椅、婴儿车不作为楼道杂物扣分)."""
    if item.kind == ItemKind.SCORE:
        return (item.max_points, ZERO) if exempt else (points, item.max_points - points)
    if item.kind == ItemKind.DEDUCTION:
        return (ZERO, ZERO) if exempt else (-points, points)
    if item.kind == ItemKind.BONUS:
        return points, ZERO
    return ZERO, ZERO


def default_points(item) -> Decimal:
    """Where a panellist's screen starts: full marks, nothing deducted, no bonus."""
    return item.max_points if item.kind == ItemKind.SCORE else ZERO


def as_points(value, *, field: str) -> Decimal:
    try:
        points = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        raise Invalid({field: _("Enter a number of points.")}) from None
    if not points.is_finite():
        raise Invalid({field: _("Enter a number of points.")})
    return points


def clean_mark(item, *, points, exempt: bool, vetoed: bool, has_photo: bool, field: str):
    """Check one mark against its item; returns the points as a Decimal."""
    points = as_points(points, field=f"{field}.points")
    if item.kind == ItemKind.VETO:
        points = ZERO
    elif vetoed:
        raise Invalid({f"{field}.vetoed": _("Only a veto item can veto.")})
    if points < 0 or points > item.max_points:
        raise Invalid(
            {
                f"{field}.points": _("Give between 0 and %(max)s points.")
                % {"max": _number(item.max_points)}
            }
        )
    if points % STEP:
        raise Invalid({f"{field}.points": _("Give whole or half points.")})
    if exempt and not item.exemptions:
        raise Invalid({f"{field}.exempt": _("This item has no exemptions.")})
    if exempt and item.kind in (ItemKind.BONUS, ItemKind.VETO):
        raise Invalid({f"{field}.exempt": _("A bonus or a veto cannot be exempt.")})
    value, lost = effect(item, points=points, exempt=exempt)
    counts = lost > 0 or vetoed or (item.kind == ItemKind.BONUS and value > 0) or exempt
    if item.evidence_required and counts and not has_photo:
        raise Invalid({f"{field}.photo": _("This item needs a photo as evidence.")})
    return points


def sheet_totals(marks) -> dict:
    """A sheet's totals from its marks: [(item, value, lost, vetoed)]."""
    total = lost = tiebreak = ZERO
    vetoed = False
    for item, value, item_lost, item_vetoed in marks:
        total += value
        lost += item_lost
        vetoed = vetoed or item_vetoed
        if item.tiebreak:
            tiebreak = value
    return {"total": total, "lost": lost, "tiebreak": tiebreak, "vetoed": vetoed}


def stars_for(score, bands) -> int | None:
    """星级: the most stars whose band the score reaches; bands are (min_score, stars)."""
    reached = [stars for minimum, stars in bands if score is not None and score >= minimum]
    return max(reached) if reached else None


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"
