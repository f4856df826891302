"""Reads of points, scoped by the access rules: a person's own account and history, the items
of the shops a resident may use, the ledgers, redemptions and leaderboards of a staff member's
scope, and the figures of a person's service record (the certificate)."""

from datetime import datetime, time

from django.db.models import Count, Q, Sum
from django.utils import timezone

from linju.core import access
from linju.places.paths import prefixes_of

from .models import (
    EARNING_KINDS as EARNED_KINDS,
)
from .models import (
    Account,
    EarningRule,
    ExpiryPolicy,
    HoursEntry,
    PointsEntry,
    Redemption,
    RedemptionStatus,
    StoreItem,
)

DESK_COUNT_CAP = 99


def account_of(user) -> Account:
    """The person's balances (an unsaved empty account before their first entry)."""
    return Account.objects.filter(user=user).first() or Account(user=user)


def my_points(user):
    return PointsEntry.objects.filter(user=user).order_by("-created_at", "-id")


def my_hours(user):
    return HoursEntry.objects.filter(user=user).order_by("-served_on", "-id")


def my_redemptions(user):
    return Redemption.objects.filter(user=user).select_related("item").order_by("-created_at")


def shop_items(user):
    """Items on the shelves of the love supermarkets of the communities the user lives in."""
    from .rules import homes

    prefixes = sorted({p for h in homes(user) for p in prefixes_of(h.split("h")[0])})
    return (
        StoreItem.objects.filter(path__in=prefixes, active=True)
        .select_related("place")
        .order_by("cost", "name")
    )


def item_for_shopper(user, pk):
    return shop_items(user).filter(pk=pk).first()


def staff_items(user):
    return access.filter_queryset(user, "points.view", StoreItem.objects.all()).order_by(
        "path", "name"
    )


def staff_points(user):
    """Points entries of the user's staff scope (the ledger export, the desk's history)."""
    return access.filter_queryset(
        user, "points.view", PointsEntry.objects.select_related("user")
    ).order_by("-created_at", "-id")


def staff_hours(user):
    return access.filter_queryset(
        user, "points.view", HoursEntry.objects.select_related("user")
    ).order_by("-served_on", "-id")


def staff_redemptions(user, status=None):
    qs = access.filter_queryset(
        user, "points.view", Redemption.objects.select_related("item", "user")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def rules_in_scope(user):
    return access.filter_queryset(
        user, "points.view", EarningRule.objects.select_related("place")
    ).order_by("path", "kind")


def expiry_in_scope(user):
    return access.filter_queryset(
        user, "points.view", ExpiryPolicy.objects.select_related("place")
    ).order_by("path")


def leaderboard(path: str, *, since=None, until=None, limit=20) -> list[dict]:
    """Who earned the most points in a scope (a community's or the user's) between `since` and
    `until`, earnings only."""
    qs = PointsEntry.objects.filter(
        path__startswith=path, amount__gt=0, kind__in=[k.value for k in EARNED_KINDS]
    )
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return list(
        qs.values("user_id", "user__name")
        .annotate(points=Sum("amount"), entries=Count("id"))
        .order_by("-points", "user_id")[:limit]
    )


def start_of_month(day=None):
    day = (day or timezone.localdate()).replace(day=1)
    return timezone.make_aware(datetime.combine(day, time.min))


def service_record(user) -> dict:
    """The certificate's figures: hours in all, services, first and last day, by community."""
    entries = HoursEntry.objects.filter(user=user)
    totals = entries.aggregate(total=Sum("minutes"), services=Count("id", filter=Q(minutes__gt=0)))
    first = entries.order_by("served_on").values_list("served_on", flat=True).first()
    last = entries.order_by("-served_on").values_list("served_on", flat=True).first()
    by_place = [
        {"place__name": r["place__name"], "minutes": r["total"]}
        for r in entries.values("place__name").annotate(total=Sum("minutes")).order_by("-total")
    ]
    return {
        "minutes": totals["total"] or 0,
        "hours": round((totals["total"] or 0) / 60, 1),
        "services": totals["services"] or 0,
        "first": first,
        "last": last,
        "by_place": by_place,
    }


def desk_counts(user) -> dict | None:
    """The staff desk's points panel: redemptions waiting to be handed out in the scope."""
    from .rules import may_use_desk

    if not may_use_desk(user):
        return None
    waiting = staff_redemptions(user, RedemptionStatus.RESERVED)
    n = waiting.order_by().values("pk")[: DESK_COUNT_CAP + 1].count()
    return {"waiting": f"{DESK_COUNT_CAP}+" if n > DESK_COUNT_CAP else n}
