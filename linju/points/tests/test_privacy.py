"""PIPL: what points holds about a person in their data download (balances, points and hours
entries, redemptions), and what deleting the account does — the ledgers keep their rows
(pointing at the anonymised account, balances unchanged), a redemption still waiting is
cancelled as the person would (points refunded, stock back), the shop's other records stay."""

import json

import pytest
from django.utils import timezone

from linju.core import privacy as core_privacy
from linju.people.services import delete_account
from linju.points import privacy, services
from linju.points import services_store as store
from linju.points.models import (
    Account,
    HoursEntry,
    PointsEntry,
    PointsKind,
    Redemption,
    RedemptionStatus,
    StoreItem,
)

from .conftest import give

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(shop):
    """The owner served once, was given points, collected a towel and is waiting for rice; the
    tenant has a towel waiting too."""
    owner, tenant = shop.city.users["owner"], shop.city.users["tenant"]
    services.record_service(
        user=shop.manager,
        person_id=owner.pk,
        place_id=shop.community.pk,
        served_on=timezone.localdate(),
        minutes=120,
        what="独居老人探访",
    )
    give(shop, owner, 70)
    towel = store.redeem(user=owner, item=shop.towel)
    store.collect(user=shop.manager, redemption=towel)
    rice = store.redeem(user=owner, item=shop.rice)
    give(shop, tenant, 10)
    theirs = store.redeem(user=tenant, item=shop.towel)
    return shop, owner, towel, rice, theirs


def test_the_download_lists_balances_entries_and_redemptions(history):
    shop, owner, *_redemptions = history
    data = core_privacy.export(owner)["points"]
    json.dumps(data)  # the download is JSON
    assert data["ledgers_kept"]  # says the ledgers are kept (translated with the .po files)
    assert data["balance"] == {"points": 12, "service_minutes": 120}
    assert [(e["amount"], e["balance"]) for e in data["points_entries"]] == [
        (2, 2),
        (70, 72),
        (-10, 62),
        (-50, 12),
    ]
    assert data["points_entries"][0]["reason"] == "独居老人探访"
    assert [(h["minutes"], h["service"]) for h in data["hours_entries"]] == [(120, "独居老人探访")]
    assert [(r["item"], r["points"]) for r in data["redemptions"]] == [
        ("毛巾", 10),
        ("大米 5kg", 50),
    ]
    assert data["redemptions"][0]["collected_at"] is not None
    # Another person's download holds none of it; someone with nothing gets empty lists.
    other = privacy.export(shop.city.users["tenant"])
    assert [r["item"] for r in other["redemptions"]] == ["毛巾"]
    assert len(other["points_entries"]) == 2
    nobody = privacy.export(shop.city.users["owner_2"])
    assert nobody["balance"] == {"points": 0, "service_minutes": 0}
    assert nobody["points_entries"] == nobody["hours_entries"] == nobody["redemptions"] == []


def test_deleting_the_account_keeps_the_ledgers_and_cancels_what_is_waiting(history):
    shop, owner, towel, rice, theirs = history
    entries = list(PointsEntry.objects.order_by("pk").values())
    hours = list(HoursEntry.objects.order_by("pk").values())
    owner.set_password("pw-owner-1")
    owner.save()
    delete_account(user=owner, password="pw-owner-1")
    # The ledgers keep every row as it was; one refund is added for the waiting rice.
    assert list(PointsEntry.objects.order_by("pk").values())[: len(entries)] == entries
    assert list(HoursEntry.objects.order_by("pk").values()) == hours
    refund = PointsEntry.objects.get(kind=PointsKind.REFUND)
    assert (refund.user_id, refund.amount, refund.ref) == (owner.pk, 50, f"redemption:{rice.pk}")
    assert PointsEntry.objects.count() == len(entries) + 1
    account = Account.objects.get(user=owner)
    assert (account.points, account.minutes) == (62, 120)
    rice.refresh_from_db()
    assert rice.status == RedemptionStatus.CANCELLED and rice.cancelled_by_id == owner.pk
    assert StoreItem.objects.get(pk=shop.rice.pk).stock == 50
    # The collected towel is the shop's record; the tenant's waiting towel is theirs.
    assert Redemption.objects.get(pk=towel.pk).status == RedemptionStatus.COLLECTED
    assert Redemption.objects.get(pk=theirs.pk).status == RedemptionStatus.RESERVED
    # The rows now point at an anonymous account.
    owner.refresh_from_db()
    assert owner.name == "" and not owner.is_active
    assert PointsEntry.objects.filter(user=owner).count() == 5
