"""What a contribution earns (seed 002: 志愿积分; the issue's example: 1 point an hour, at most 2
hours counted per service): the nearest active rule of the kind up the place tree, or the
defaults below where a community set none; then the caps per day and per month, counted on the
person's entries of that kind in the same community, inside the lock of their account so two
contributions at once cannot both slip under a cap."""

from datetime import datetime, time
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Sum
from django.utils import timezone

from linju.places.paths import prefixes_of

from . import ledger
from .models import EarningRule, PointsEntry, PointsKind

# kind: (points per hour of service or per event, hours counted per service, per day, per month)
DEFAULTS = {
    PointsKind.SERVICE: (1, Decimal(2), 0, 0),
    PointsKind.ACTIVITY: (1, Decimal(0), 0, 0),
    PointsKind.REPORT: (2, Decimal(0), 4, 20),
    PointsKind.CONTEST: (5, Decimal(0), 0, 0),
}


def rules_at(places) -> dict:
    """{(place id, kind): the rule that applies there}: the nearest active rule of the kind up
    the tree, else the defaults (unsaved, no pk); one query for any number of places."""
    prefixes = {p for place in places for p in prefixes_of(place.path)}
    found = list(
        EarningRule.objects.filter(active=True, path__in=prefixes)
        .select_related("place")
        .order_by("-path")
    )
    out = {}
    for place in places:
        for kind in DEFAULTS:
            rule = next(
                (r for r in found if r.kind == kind and place.path.startswith(r.path)), None
            )
            out[(place.pk, kind.value)] = rule or _default(place, kind)
    return out


def rule_for(place, kind) -> EarningRule:
    """The rule that applies at `place`."""
    return rules_at([place])[(place.pk, PointsKind(kind).value)]


def _default(place, kind) -> EarningRule:
    points, hours, day, month = DEFAULTS[kind]
    return EarningRule(
        place=place,
        path=place.path,
        kind=kind,
        points=points,
        max_hours_per_event=hours,
        max_per_day=day,
        max_per_month=month,
    )


def points_for(rule, minutes=None) -> int:
    """Points before the caps: per hour of service (the hours counted capped per service,
    rounded down to whole points), or per event."""
    if rule.kind != PointsKind.SERVICE:
        return rule.points
    hours = Decimal(minutes or 0) / 60
    if rule.max_hours_per_event:
        hours = min(hours, rule.max_hours_per_event)
    return int((hours * rule.points).to_integral_value(rounding=ROUND_FLOOR))


def _earned(user_id, kind, path, since) -> int:
    return (
        PointsEntry.objects.filter(
            user_id=user_id, kind=kind, path__startswith=path, created_at__gte=since
        ).aggregate(n=Sum("amount"))["n"]
        or 0
    )


def capped(rule, user_id, points: int, at, path) -> int:
    """What is left of `points` under the rule's caps for the day and the month of `at`, counted
    on what the person earned of this kind under `path` (the community)."""
    community = path
    day = timezone.localtime(at).date()
    start_of_day = timezone.make_aware(datetime.combine(day, time.min))
    start_of_month = timezone.make_aware(datetime.combine(day.replace(day=1), time.min))
    if rule.max_per_day:
        points = min(
            points, rule.max_per_day - _earned(user_id, rule.kind, community, start_of_day)
        )
    if rule.max_per_month:
        points = min(
            points, rule.max_per_month - _earned(user_id, rule.kind, community, start_of_month)
        )
    return max(points, 0)


def earn(*, user_id, kind, place, key, minutes=None, ref="", reason="", by=None, at=None):
    """Credit what a contribution at `place` earns under its community's rule; None when the
    rule or a cap leaves nothing (the contribution still counts where it is recorded)."""
    at = at or timezone.now()
    ledger.locked_account(user_id)  # caps are read under the lock the posting takes
    done = PointsEntry.objects.filter(key=key).first()
    if done is not None:
        return done  # posted before: what it earned then stands
    rule = rule_for(place, kind)
    points = capped(rule, user_id, points_for(rule, minutes), at, place.path)
    if points <= 0:
        return None
    return ledger.post_points(
        user_id=user_id,
        amount=points,
        kind=kind,
        key=key,
        place=place,
        ref=ref,
        reason=reason,
        by=by,
        at=at,
    )
