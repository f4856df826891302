"""The demo points (linju.points.demo) on the people demo at a small scale: the community's
earning rules and expiry policy, the love supermarket's shelves with their donors, six months
of volunteer service by about forty residents, redemptions in every state, an adjustment with
its reason, the demo resident's points and waiting redemption; every balance is what its
entries add up to, in time order; loaded once, a second run changes nothing. Then the whole
`load_demo` command, where the reports and ratings demos gave points first."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from linju.core.models import AuditEvent
from linju.people import demo as people_demo
from linju.people.roles import Role
from linju.points import demo
from linju.points.models import (
    Account,
    EarningRule,
    ExpiryPolicy,
    HoursEntry,
    PointsEntry,
    PointsKind,
    Redemption,
    RedemptionStatus,
    StoreItem,
)

pytestmark = pytest.mark.django_db

SMALL = 0.05  # one building per estate, as the people demo's tests use


def assert_ledgers_add_up():
    """Each account is the sum of its entries, and each entry's "after" figure is the running
    sum in the order a person's history shows them; nothing is dated in the future."""
    now = timezone.now()
    for account in Account.objects.all():
        running = 0
        for e in PointsEntry.objects.filter(user=account.user).order_by("created_at", "id"):
            running += e.amount
            assert e.balance == running, e
            assert e.created_at <= now
        assert account.points == running
        total = 0
        for e in HoursEntry.objects.filter(user=account.user).order_by("served_on", "id"):
            total += e.minutes
            assert e.total == total, e
            assert e.served_on <= timezone.localdate()
        assert account.minutes == total


def test_the_demo_loads_once_and_tells_its_story(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert demo.load_demo() is None  # no demo community yet: nothing to do
    people_demo.load_demo(scale=SMALL)
    counts = demo.load_demo()
    assert counts["store_items"] == len(demo.ITEMS) == StoreItem.objects.count()
    assert counts["volunteer_services"] == HoursEntry.objects.count()
    assert counts["redemptions"] == Redemption.objects.count()
    events, entries = AuditEvent.objects.count(), PointsEntry.objects.count()
    assert demo.load_demo() is None
    assert (AuditEvent.objects.count(), PointsEntry.objects.count()) == (events, entries)

    # The community's rules and its 12-month policy.
    service = EarningRule.objects.get(kind=PointsKind.SERVICE)
    assert (service.points, service.max_hours_per_event) == (1, 2)
    report = EarningRule.objects.get(kind=PointsKind.REPORT)
    assert (report.points, report.max_per_day) == (2, 4)
    community = service.place
    assert community.kind == "community" and report.place_id == community.pk
    assert ExpiryPolicy.objects.get().months == 12
    # The shelves, some donated by the community's partner organisation.
    names = set(StoreItem.objects.values_list("name", flat=True))
    assert {"大米 5kg", "食用油 1.8L", "洗衣液 2kg", "毛巾", "理发券", "家电维修券"} <= names
    assert StoreItem.objects.filter(donor="江城区第三人民医院").exists()

    # Six months of service by about forty residents, each of them at least once.
    today = timezone.localdate()
    volunteers = HoursEntry.objects.values("user").distinct().count()
    assert 30 <= volunteers <= demo.VOLUNTEERS + 1
    first = HoursEntry.objects.order_by("served_on").first().served_on
    assert today - timedelta(weeks=27) <= first <= today - timedelta(weeks=24)
    assert HoursEntry.objects.filter(served_on__gte=today - timedelta(days=14)).exists()
    earned = PointsEntry.objects.filter(kind=PointsKind.SERVICE)
    assert earned.count() == HoursEntry.objects.count()
    assert set(earned.values_list("amount", flat=True)) <= {1, 2}  # at most 2 hours counted
    # Recorded over the months, not all at the time of loading.
    months = {e.created_at.strftime("%Y-%m") for e in earned}
    assert len(months) >= 6

    # Redemptions collected, cancelled (refunded) and waiting.
    statuses = set(Redemption.objects.values_list("status", flat=True))
    assert statuses == {s.value for s in RedemptionStatus}
    cancelled = Redemption.objects.filter(status=RedemptionStatus.CANCELLED)
    assert PointsEntry.objects.filter(kind=PointsKind.REFUND).count() == cancelled.count() >= 2
    assert cancelled.exclude(cancel_reason="").exists()
    for item in StoreItem.objects.all():
        taken = (
            item.redemptions.exclude(status=RedemptionStatus.CANCELLED).aggregate(
                n=Sum("quantity")
            )["n"]
            or 0
        )
        initial = next(row[3] for row in demo.ITEMS if row[0] == item.name)
        restocked = 10 if item.name == "健康体检券" else 0
        assert item.stock == initial + restocked - taken, item
    # One adjustment, with its reason.
    adjustment = PointsEntry.objects.get(kind=PointsKind.ADJUSTMENT)
    assert "补" in adjustment.reason and adjustment.created_by_id

    # The demo resident has points and a redemption waiting.
    mobile = people_demo.DEMO_MOBILE[Role.RESIDENT]
    account = Account.objects.get(user__mobile=mobile)
    assert account.points > 0 and account.minutes > 0
    assert Redemption.objects.filter(user__mobile=mobile, status=RedemptionStatus.RESERVED).exists()

    assert_ledgers_add_up()


def test_the_load_demo_command_adds_points_after_the_other_demos(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("load_demo", scale=SMALL, verbosity=0, stdout=out, stderr=io.StringIO())
    assert "volunteer services" in out.getvalue()
    # The reports and ratings demos credited points at loading; none of the points demo's
    # back-dated entries comes before them in anyone's history.
    assert PointsEntry.objects.filter(kind=PointsKind.REPORT).exists()
    assert Redemption.objects.filter(status=RedemptionStatus.RESERVED).exists()
    assert_ledgers_add_up()
    entries = PointsEntry.objects.count()
    again = io.StringIO()
    call_command("load_demo", scale=SMALL, verbosity=0, stdout=again, stderr=io.StringIO())
    assert "nothing changed" in again.getvalue()
    assert PointsEntry.objects.count() == entries
