"""Every write on points and service hours (seeds 000, 002, 004): volunteer service recorded by
staff (hours on the person's record, points under the community's rule), adjustments with a
reason, points for accepted reports and for the unit contest's red flag, the earning rules and
the expiry policy, and the expiry sweep. Keyword-only, one transaction each; postings go
through `ledger` (idempotent, never below zero)."""

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from linju.core import audit
from linju.core.cleaning import as_id, clean_text
from linju.core.errors import Invalid
from linju.people.models import ResidencyStatus, User
from linju.places.models import Place

from . import earning, ledger, rules
from .models import (
    EARNING_KINDS,
    EarningRule,
    ExpiryPolicy,
    HoursEntry,
    PointsEntry,
    PointsKind,
)

MAX_SERVICE_MINUTES = 12 * 60
MAX_ADJUSTMENT = 10_000


def clean_key(key, prefix: str) -> str:
    """The idempotency key of a request (an API client's `Idempotency-Key`, a page's hidden
    field), or a fresh one: the same request sent twice posts once."""
    key = clean_text(key, field="key", max_length=80)
    return f"{prefix}:{key or uuid.uuid4().hex}"


def community_of(place_id) -> Place:
    place = Place.objects.filter(pk=as_id(place_id)).first()
    if place is None:
        raise Invalid({"place": _("Choose a community.")})
    community = place if place.kind == "community" else place.ancestor_of_kind("community")
    if community is None:
        raise Invalid({"place": _("Choose a community or a place inside one.")})
    return community


def _person(person_id) -> User:
    person = User.objects.filter(pk=as_id(person_id), is_active=True).first()
    if person is None:
        raise Invalid({"person": _("Choose a person.")})
    return person


# --- Volunteer service and adjustments --------------------------------------------------------


@transaction.atomic
def record_service(
    *, user, person_id, place_id, served_on, minutes, what: str, key: str = "", ref: str = ""
):
    """志愿服务: staff confirm a volunteer's service in their community: the time goes on the
    person's record (kept for ever) and earns points under the community's rule and caps.
    Returns (hours entry, points entry or None)."""
    community = community_of(place_id)
    rules.require(rules.can_manage(user, community))
    person = _person(person_id)
    what = clean_text(what, field="what", max_length=200, required=_("Say what the service was."))
    day, minutes = clean_service(served_on=served_on, minutes=minutes)
    hours, points = credit_service(
        person_id=person.pk,
        community=community,
        served_on=day,
        minutes=minutes,
        what=what,
        key=clean_key(key, "service"),
        ref=ref,
        by=user,
    )
    audit.record(
        actor=user,
        verb="points.service",
        obj=hours,
        data={"person": person.pk, "minutes": minutes, "points": points.amount if points else 0},
    )
    return hours, points


def clean_service(*, served_on, minutes) -> tuple[date, int]:
    """The day (in the past year) and the minutes (1 to 720) of a stretch of service."""
    if isinstance(served_on, datetime):  # a datetime is a date too, but not comparable to one
        served_on = timezone.localtime(served_on) if timezone.is_aware(served_on) else served_on
        served_on = served_on.date()
    try:
        day = served_on if isinstance(served_on, date) else parse_date(str(served_on or ""))
    except ValueError:  # well formed, not a day: 2026-02-30
        day = None
    if day is None:
        raise Invalid({"served_on": _("Give the day of the service (YYYY-MM-DD).")})
    if day > timezone.localdate() or day < timezone.localdate() - timedelta(days=366):
        raise Invalid({"served_on": _("Give a day in the past year.")})
    try:
        minutes = int(minutes)
    except (TypeError, ValueError, OverflowError):
        raise Invalid({"minutes": _("Give the minutes served.")}) from None
    if not 1 <= minutes <= MAX_SERVICE_MINUTES:
        raise Invalid({"minutes": _("Give 1 to 720 minutes.")})
    return day, minutes


def credit_service(*, person_id, community, served_on, minutes, what, key, ref="", by=None):
    """志愿服务时长 and its points: the time goes on the person's record (kept for ever) and earns
    points under the community's rule and caps, once per `key`; sent again, it earns what it
    earned the first time. Called inside the caller's transaction (staff's record above, a
    team leader's confirmation, an activity's attendance). Returns (hours entry, points entry
    or None)."""
    ledger.locked_account(person_id)  # a retry of the same key waits here for the first
    replay = HoursEntry.objects.filter(key=key).exists()
    hours = ledger.post_hours(
        user_id=person_id,
        minutes=minutes,
        key=key,
        place=community,
        served_on=served_on,
        what=what,
        ref=ref,
        by=by,
    )
    if replay:
        return hours, PointsEntry.objects.filter(key=key).first()
    points = earning.earn(
        user_id=person_id,
        kind=PointsKind.SERVICE,
        place=community,
        key=key,
        minutes=minutes,
        ref=ref,
        reason=what,
        by=by,
    )
    return hours, points


@transaction.atomic
def adjust_points(*, user, person_id, place_id, amount, reason: str, key: str = ""):
    """A correction by staff, with its reason (audited); it cannot take a balance below zero."""
    community = community_of(place_id)
    rules.require(rules.can_manage(user, community))
    person = _person(person_id)
    reason = clean_text(reason, field="reason", max_length=300, required=_("Give the reason."))
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        raise Invalid({"amount": _("Give a whole number of points.")}) from None
    if amount == 0 or abs(amount) > MAX_ADJUSTMENT:
        raise Invalid({"amount": _("Give -10000 to 10000 points, not 0.")})
    entry = ledger.post_points(
        user_id=person.pk,
        amount=amount,
        kind=PointsKind.ADJUSTMENT,
        key=clean_key(key, "adjust"),
        place=community,
        reason=reason,
        by=user,
    )
    audit.record(
        actor=user,
        verb="points.adjust",
        obj=entry,
        data={"person": person.pk, "amount": amount, "reason": reason},
    )
    return entry


# --- Points other apps give (called inside their transactions) ------------------------------


def credit_report(report):
    """随手拍积分 (seed 002): the reporter of an accepted report earns the community's points
    for it, once per report, within the rule's caps."""
    if report.reporter_id is None:
        return None
    place = Place.objects.get(pk=report.place_id)
    community = place if place.kind == "community" else place.ancestor_of_kind("community")
    if community is None:
        return None
    return earning.earn(
        user_id=report.reporter_id,
        kind=PointsKind.REPORT,
        place=community,
        key=f"report:{report.pk}",
        ref=f"report:{report.pk}",
    )


def credit_flag(round_, targets):
    """红旗 bonus: every verified resident of a unit holding the month's red flag earns the
    community's contest points, once per round."""
    from linju.people.models import Residency

    community = round_.place if round_.place.kind == "community" else None
    community = community or round_.place.ancestor_of_kind("community")
    if community is None:
        return []
    paths = [t.place.path for t in targets if t.place_id]
    if not paths:
        return []
    within = Q()
    for path in paths:
        within |= Q(household__path__startswith=path)
    people = (
        Residency.objects.filter(within, status=ResidencyStatus.VERIFIED)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return [
        entry
        for uid in sorted(set(people))
        if (
            entry := earning.earn(
                user_id=uid,
                kind=PointsKind.CONTEST,
                place=community,
                key=f"flag:{round_.pk}:{uid}",
                ref=f"round:{round_.pk}",
                reason=str(round_),
            )
        )
    ]


# --- Rules and expiry ---------------------------------------------------------------------------


@transaction.atomic
def set_rule(
    *,
    user,
    place_id,
    kind,
    points,
    max_hours_per_event=2,
    max_per_day=0,
    max_per_month=0,
    active=True,
) -> EarningRule:
    """A community's (or a subdistrict's) rule for one kind of contribution."""
    place = Place.objects.filter(pk=as_id(place_id), kind__in=("community", "subdistrict")).first()
    if place is None:
        raise Invalid({"place": _("Choose a community or a subdistrict.")})
    rules.require(rules.can_manage(user, place))
    if kind not in [k.value for k in EARNING_KINDS]:
        raise Invalid({"kind": _("Choose what the points are for.")})
    values = {}
    for name, value, high in (
        ("points", points, 1000),
        ("max_per_day", max_per_day, 100_000),
        ("max_per_month", max_per_month, 100_000),
    ):
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if not 0 <= number <= high:
            raise Invalid({name: _("Give a whole number from 0 to %(n)d.") % {"n": high}})
        values[name] = number
    try:
        hours = Decimal(str(max_hours_per_event))
    except InvalidOperation:
        hours = Decimal(-1)
    if not hours.is_finite() or not 0 <= hours <= 24 or hours % Decimal("0.5"):
        raise Invalid({"max_hours_per_event": _("Give 0 to 24 hours, in half hours.")})
    rule, _created = EarningRule.objects.update_or_create(
        place=place,
        kind=kind,
        defaults={
            **values,
            "path": place.path,
            "max_hours_per_event": hours,
            "active": bool(active),
            "updated_by": user,
            "updated_at": timezone.now(),
        },
    )
    audit.record(
        actor=user,
        verb="points.rule",
        obj=rule,
        data={"kind": kind, **values, "hours": str(hours), "active": rule.active},
    )
    return rule


@transaction.atomic
def set_expiry(*, user, place_id, months) -> ExpiryPolicy | None:
    """积分有效期 of a community: points lapse `months` after they were earned; 0 removes it."""
    community = community_of(place_id)
    rules.require(rules.can_manage(user, community))
    try:
        months = int(months)
    except (TypeError, ValueError):
        months = -1
    if not 0 <= months <= 120:
        raise Invalid({"months": _("Give 0 (never) to 120 months.")})
    if months == 0:
        if ExpiryPolicy.objects.filter(place=community).delete()[0]:
            audit.record(actor=user, verb="points.expiry", obj=community, data={"months": 0})
        return None
    policy, _created = ExpiryPolicy.objects.update_or_create(
        place=community,
        defaults={"path": community.path, "months": months, "updated_by": user},
    )
    audit.record(actor=user, verb="points.expiry", obj=community, data={"months": months})
    return policy


def _months_before(day: date, months: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return day.replace(year=year, month=month, day=1)


def expire_points(*, now=None, progress=None) -> int:
    """The expiry sweep: in each community with a policy, what a person earned there before the
    cutoff (the first day of the month `months` back) and has not spent or lost there since
    lapses, first earned first spent. One entry per person, community and cutoff (its key), so
    a second run changes nothing. Returns the entries written."""
    now = now or timezone.now()
    written = 0
    for policy in ExpiryPolicy.objects.select_related("place"):
        cutoff = _months_before(timezone.localdate(now), policy.months)
        since = timezone.make_aware(datetime.combine(cutoff, time.min))
        entries = PointsEntry.objects.filter(path__startswith=policy.path)
        users = (
            entries.filter(created_at__lt=since, amount__gt=0)
            .exclude(kind=PointsKind.REFUND)
            .values_list("user_id", flat=True)
            .distinct()
        )
        for uid in users.iterator():
            written += _expire_one(uid, policy, entries.filter(user_id=uid), since, cutoff)
            if progress:
                progress(1)
    return written


@transaction.atomic
def _expire_one(uid, policy, entries, since, cutoff) -> int:
    account = ledger.locked_account(uid)
    key = f"expiry:{policy.place_id}:{uid}:{cutoff.isoformat()}"
    if PointsEntry.objects.filter(key=key).exists():
        return 0  # lapsed at this cutoff already: what is left lapses at the next one
    old = (
        entries.filter(created_at__lt=since, amount__gt=0)
        .exclude(kind=PointsKind.REFUND)
        .aggregate(n=Sum("amount"))["n"]
        or 0
    )
    spent = -(entries.filter(amount__lt=0).aggregate(n=Sum("amount"))["n"] or 0)
    refunded = entries.filter(kind=PointsKind.REFUND).aggregate(n=Sum("amount"))["n"] or 0
    lapse = min(old - (spent - refunded), account.points)
    if lapse <= 0:
        return 0
    entry = ledger.post_points(
        user_id=uid,
        amount=-lapse,
        kind=PointsKind.EXPIRY,
        key=key,
        place=policy.place,
        reason=_("Earned before %(day)s") % {"day": cutoff.isoformat()},
    )
    # No one acts here: the community's policy does, so the event has no actor.
    audit.record(
        actor=None,
        verb="points.expire",
        obj=entry,
        data={"person": uid, "amount": -lapse, "cutoff": cutoff.isoformat()},
    )
    return 1
