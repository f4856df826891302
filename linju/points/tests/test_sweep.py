"""manage.py sweep_points: points earned before a community's expiry policy allows and not
spent lapse once (one expiry entry per person, community and cutoff); points earned since stay;
run again, it finds nothing to do."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from linju.points import services
from linju.points import services_store as store
from linju.points.models import Account, PointsEntry, PointsKind

from .conftest import give

pytestmark = pytest.mark.django_db


def sweep(verbosity=1) -> str:
    out = io.StringIO()
    call_command("sweep_points", verbosity=verbosity, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def points(user):
    return Account.objects.get(user=user).points


def test_old_unspent_points_expire_once(shop):
    owner, tenant = shop.city.users["owner"], shop.city.users["tenant"]
    services.set_expiry(user=shop.manager, place_id=shop.community.pk, months=12)
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=430), tick=False):
        give(shop, owner, 30)  # earned long ago, partly spent since
        give(shop, tenant, 10)  # earned long ago, all spent
    with time_machine.travel(now - timedelta(days=20), tick=False):
        give(shop, owner, 15)  # recent: stays
        store.redeem(user=owner, item=shop.towel)  # 10 spent
        store.redeem(user=tenant, item=shop.towel, key="t")
    assert (points(owner), points(tenant)) == (35, 0)
    assert "wrote 1 expiry entries" in sweep()
    assert "wrote 0 expiry entries" in sweep()
    expired = PointsEntry.objects.get(kind=PointsKind.EXPIRY)
    # 30 earned long ago, 10 spent since: 20 lapse; the 15 earned recently stay.
    assert (expired.user_id, expired.amount, expired.balance) == (owner.pk, -20, 15)
    assert points(owner) == 15
    # Next month's sweep moves the cutoff on: what lapsed is not taken twice.
    with time_machine.travel(now + timedelta(days=40), tick=False):
        assert "wrote 0 expiry entries" in sweep()
    assert points(owner) == 15


def test_nothing_expires_without_a_policy(shop):
    owner = shop.city.users["owner"]
    with time_machine.travel(timezone.now() - timedelta(days=800), tick=False):
        give(shop, owner, 30)
    assert "wrote 0 expiry entries" in sweep()
    assert points(owner) == 30


def test_quiet_sweep_prints_nothing(shop):
    assert sweep(verbosity=0) == ""
