"""The expiry sweep (积分有效期) beyond test_ledger's case: in each community with a policy, points
earned there before the cutoff (the first day of the month `months` back) and not spent or lost
there since lapse, first earned first spent; refunds give spent points back (they are not new
earnings), adjustments count as earnings or spending, each community's policy applies to what
was earned there only, nothing lapses below a zero balance, and runs a month apart lapse each
month's share once."""

from datetime import date

import pytest
import time_machine

from linju.points import services
from linju.points import services_store as store
from linju.points.models import Account, PointsEntry, PointsKind

from .conftest import give

pytestmark = pytest.mark.django_db


def points(user):
    account = Account.objects.filter(user=user).first()
    return account.points if account else 0


def lapsed(user):
    return [
        (e.path, e.amount, e.balance)
        for e in PointsEntry.objects.filter(user=user, kind=PointsKind.EXPIRY).order_by("id")
    ]


def on(day):
    return time_machine.travel(day, tick=False)


def adjust(staff, person, community, amount):
    return services.adjust_points(
        user=staff, person_id=person.pk, place_id=community.pk, amount=amount, reason="测试"
    )


def chain_holds(user):
    balance = 0
    for amount, after in (
        PointsEntry.objects.filter(user=user).order_by("id").values_list("amount", "balance")
    ):
        balance += amount
        assert after == balance >= 0
    assert points(user) == balance


def test_a_refunded_redemption_gives_back_points_that_then_lapse(shop):
    owner = shop.city.users["owner"]
    with on(date(2025, 1, 10)):
        give(shop, owner, 50)
    with on(date(2025, 2, 10)):
        towel = store.redeem(user=owner, item=shop.towel)
        store.cancel(user=owner, redemption=towel)
    with on(date(2026, 1, 20)):
        give(shop, owner, 50)  # recent points
        rice = store.redeem(user=owner, item=shop.rice)  # spends the oldest 50 first
    with on(date(2026, 2, 5)):
        store.cancel(user=shop.manager, redemption=rice, reason="缺货")  # they come back
        services.set_expiry(user=shop.manager, place_id=shop.community.pk, months=12)
        # Cutoff 2025-02-01: the 50 of January 2025, refunded twice, are not spent: they lapse.
        # A refund is not an earning: it never lapses on its own date.
        assert services.expire_points() == 1
    assert points(owner) == 50
    assert lapsed(owner) == [(shop.community.path, -50, 50)]
    chain_holds(owner)


def test_a_refund_of_spending_from_new_points_leaves_old_spending_counted(shop):
    owner = shop.city.users["owner"]
    with on(date(2025, 1, 10)):
        give(shop, owner, 30)
        store.redeem(user=owner, item=shop.towel)  # 10 of the old points spent for good
    with on(date(2026, 1, 10)):
        give(shop, owner, 40)
        towel = store.redeem(user=owner, item=shop.towel)
        store.cancel(user=owner, redemption=towel)
        services.set_expiry(user=shop.manager, place_id=shop.community.pk, months=6)
    with on(date(2026, 2, 1)):
        # Cutoff 2025-08-01: 30 old, 10 spent and kept, 10 spent and refunded: 20 lapse.
        assert services.expire_points() == 1
    assert points(owner) == 40
    chain_holds(owner)


def test_adjustments_count_as_earnings_and_as_spending(shop):
    tenant = shop.city.users["tenant"]
    with on(date(2025, 1, 10)):
        adjust(shop.manager, tenant, shop.community, 40)  # an old credit
        adjust(shop.manager, tenant, shop.community, -15)  # an old debit
    with on(date(2025, 12, 10)):
        adjust(shop.manager, tenant, shop.community, 25)  # a recent credit
        adjust(shop.manager, tenant, shop.community, -5)  # a recent debit: old points first
    with on(date(2026, 3, 5)):
        services.set_expiry(user=shop.manager, place_id=shop.community.pk, months=12)
        assert services.expire_points() == 1
    # 40 old − 15 − 5 spent = 20 lapse; the recent 25 stay.
    assert points(tenant) == 25
    assert lapsed(tenant) == [(shop.community.path, -20, 25)]


def test_each_communitys_policy_lapses_what_was_earned_there(shop):
    city = shop.city
    c1, c2 = city.places["C1"], city.places["C2"]
    staff_2 = city.users["community_staff_2"]
    person = city.users["owner"]
    with on(date(2025, 1, 10)):
        adjust(shop.manager, person, c1, 30)
        adjust(staff_2, person, c2, 20)
    with on(date(2025, 9, 10)):
        adjust(shop.manager, person, c1, 7)
        adjust(staff_2, person, c2, 11)
    with on(date(2026, 3, 5)):
        assert services.expire_points() == 0
        services.set_expiry(user=shop.manager, place_id=c1.pk, months=12)  # cutoff 2025-03-01
        services.set_expiry(user=staff_2, place_id=c2.pk, months=6)  # cutoff 2025-09-01
        assert services.expire_points() == 2
        assert services.expire_points() == 0
    by_place = {path: amount for path, amount, _b in lapsed(person)}
    assert by_place == {c1.path: -30, c2.path: -20}
    assert points(person) == 7 + 11
    chain_holds(person)


def test_points_earned_where_no_policy_applies_never_lapse(shop):
    city = shop.city
    c1, c2 = city.places["C1"], city.places["C2"]
    staff_2 = city.users["community_staff_2"]
    person = city.users["owner"]
    with on(date(2024, 1, 10)):
        adjust(shop.manager, person, c1, 30)
        adjust(staff_2, person, c2, 20)
    with on(date(2026, 3, 5)):
        services.set_expiry(user=staff_2, place_id=c2.pk, months=12)
        assert services.expire_points() == 1
    assert lapsed(person) == [(c2.path, -20, 30)]
    with on(date(2026, 4, 5)):
        services.set_expiry(user=staff_2, place_id=c2.pk, months=0)  # the policy is removed
        services.set_expiry(user=shop.manager, place_id=c1.pk, months=0)
        assert services.expire_points() == 0
    assert points(person) == 30


def test_nothing_lapses_below_zero_when_the_points_went_elsewhere(shop):
    city = shop.city
    c1, c2 = city.places["C1"], city.places["C2"]
    staff_2 = city.users["community_staff_2"]
    person = city.users["owner"]
    with on(date(2025, 1, 10)):
        adjust(shop.manager, person, c1, 30)
    with on(date(2026, 2, 10)):
        adjust(staff_2, person, c2, -25)  # spent (taken) in the other community
    with on(date(2026, 3, 5)):
        services.set_expiry(user=shop.manager, place_id=c1.pk, months=12)
        assert services.expire_points() == 1
    # 30 earned in C1 and not spent there would lapse, but only 5 are left.
    assert lapsed(person) == [(c1.path, -5, 0)]
    assert points(person) == 0
    with on(date(2026, 3, 6)):
        assert services.expire_points() == 0  # nothing left: nothing to write


def test_a_second_run_after_a_capped_lapse_does_not_stop_the_sweep(shop):
    city = shop.city
    c1, c2 = city.places["C1"], city.places["C2"]
    staff_2 = city.users["community_staff_2"]
    person = city.users["owner"]
    with on(date(2025, 1, 10)):
        adjust(shop.manager, person, c1, 30)
    with on(date(2026, 2, 10)):
        adjust(staff_2, person, c2, -25)
    with on(date(2026, 3, 5)):
        services.set_expiry(user=shop.manager, place_id=c1.pk, months=12)
        assert services.expire_points() == 1  # 5 lapse, capped by the balance
        adjust(staff_2, person, c2, 25)  # the other community corrects its debit
    with on(date(2026, 3, 6)):
        # The rest of the 30 lapses at the next cutoff; today's run must not fail.
        assert services.expire_points() == 0
    with on(date(2026, 4, 5)):
        assert services.expire_points() == 1
    assert points(person) == 0


def test_two_runs_a_month_apart_lapse_each_months_share_once(shop):
    owner = shop.city.users["owner"]
    with on(date(2025, 1, 10)):
        give(shop, owner, 30)
    with on(date(2025, 2, 10)):
        give(shop, owner, 20)
    with on(date(2025, 11, 10)):
        give(shop, owner, 100)
    with on(date(2026, 1, 15)):
        services.set_expiry(user=shop.manager, place_id=shop.community.pk, months=12)
        assert services.expire_points() == 0  # cutoff 2025-01-01: nothing is that old
    with on(date(2026, 2, 15)):
        assert services.expire_points() == 1  # cutoff 2025-02-01: January's 30
        assert services.expire_points() == 0
    assert points(owner) == 120
    with on(date(2026, 3, 1)):
        give(shop, owner, -10)  # spent from February's 20, the oldest left
    with on(date(2026, 3, 15)):
        assert services.expire_points() == 1  # cutoff 2025-03-01: the other 10 of February
        assert services.expire_points() == 0
    with on(date(2026, 4, 15)):
        assert services.expire_points() == 0  # nothing of March 2025: nothing more lapses
    assert [amount for _p, amount, _b in lapsed(owner)] == [-30, -10]
    assert points(owner) == 100
    keys = list(
        PointsEntry.objects.filter(user=owner, kind=PointsKind.EXPIRY)
        .order_by("id")
        .values_list("key", flat=True)
    )
    assert keys == [
        f"expiry:{shop.community.pk}:{owner.pk}:2025-02-01",
        f"expiry:{shop.community.pk}:{owner.pk}:2025-03-01",
    ]
    chain_holds(owner)
