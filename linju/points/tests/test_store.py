"""The love supermarket: redeeming reserves stock and debits points at once, the pickup code is
collected at the desk, cancelling refunds and restocks; limits, stock and balance are kept."""

import pytest

from linju.core.errors import Conflict, Forbidden, Invalid
from linju.points import services_store as store
from linju.points.models import Account, PointsEntry, PointsKind, RedemptionStatus, StoreItem

from .conftest import give

pytestmark = pytest.mark.django_db


def points(user):
    return Account.objects.get(user=user).points


def stock(item):
    return StoreItem.objects.get(pk=item.pk).stock


def test_redeem_collect_and_cancel(shop):
    owner = shop.city.users["owner"]  # lives in C1
    give(shop, owner, 120)
    r = store.redeem(user=owner, item=shop.rice, quantity=2, key="tap-1")
    assert (r.points, r.status, len(r.code)) == (100, RedemptionStatus.RESERVED, 8)
    assert (points(owner), stock(shop.rice)) == (20, 48)
    # Tapped twice: one redemption.
    assert store.redeem(user=owner, item=shop.rice, quantity=2, key="tap-1").pk == r.pk
    assert (points(owner), stock(shop.rice)) == (20, 48)
    # The same key for another quantity is another request: refused, not replayed.
    with pytest.raises(Conflict) as err:
        store.redeem(user=owner, item=shop.rice, quantity=1, key="tap-1")
    assert err.value.code == "key_reused"
    # The monthly limit of two a person.
    give(shop, owner, 100)
    with pytest.raises(Conflict) as err:
        store.redeem(user=owner, item=shop.rice)
    assert err.value.code == "limit_reached"
    desk = shop.manager
    found = store.find_by_code(user=desk, place_id=shop.community.pk, code=r.code)
    assert found.pk == r.pk
    store.collect(user=desk, redemption=r)
    with pytest.raises(Conflict):
        store.cancel(user=owner, redemption=r)
    towel = store.redeem(user=owner, item=shop.towel)
    store.cancel(user=owner, redemption=towel)
    assert (points(owner), stock(shop.towel)) == (120, 3)
    refund = PointsEntry.objects.get(kind=PointsKind.REFUND)
    assert refund.amount == 10 and refund.ref == f"redemption:{towel.pk}"


def test_no_points_no_stock_no_shopping_elsewhere(shop):
    owner, outsider = shop.city.users["owner"], shop.city.users["owner_2"]
    give(shop, owner, 40)
    with pytest.raises(Conflict) as err:
        store.redeem(user=owner, item=shop.rice)
    assert err.value.code == "insufficient_points"
    assert (points(owner), stock(shop.rice)) == (40, 50)  # nothing half-done
    for _ in range(3):
        store.redeem(user=owner, item=shop.towel)
    with pytest.raises(Conflict) as err:
        store.redeem(user=owner, item=shop.towel)
    assert err.value.code == "out_of_stock"
    with pytest.raises(Forbidden):
        store.redeem(user=outsider, item=shop.towel)
    with pytest.raises(Invalid) as err:
        store.redeem(user=owner, item=shop.rice, quantity=0)
    assert "quantity" in err.value.errors
    with pytest.raises(Forbidden):
        store.collect(user=shop.city.users["owner_2"], redemption=owner.redemptions.first())
