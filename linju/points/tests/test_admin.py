"""The back office of last resort: every points model opens in the admin for a superuser; the
ledgers, the accounts and the redemptions are read-only there and say where a repair is made
(an adjustment, or the shop's desk); rules, expiry policies and items can be repaired."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from linju.core.testing import log_in_to_admin
from linju.people.models import User
from linju.points import services
from linju.points import services_store as store
from linju.points.admin import LEDGER_HELP, REDEMPTION_HELP
from linju.points.models import (
    Account,
    EarningRule,
    ExpiryPolicy,
    HoursEntry,
    PointsEntry,
    Redemption,
    StoreItem,
)

from .conftest import give

pytestmark = pytest.mark.django_db

MODELS = [Account, PointsEntry, HoursEntry, EarningRule, ExpiryPolicy, StoreItem, Redemption]
READ_ONLY = [Account, PointsEntry, HoursEntry, Redemption]


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser(mobile="13800009999", password="x-admin-pass-1")
    log_in_to_admin(client, user)
    return user


@pytest.fixture
def records(shop):
    """One of every points record: a rule, a policy, a service, an adjustment, a redemption."""
    owner = shop.city.users["owner"]
    services.set_rule(user=shop.manager, place_id=shop.community.pk, kind="service", points=1)
    services.set_expiry(user=shop.manager, place_id=shop.community.pk, months=12)
    services.record_service(
        user=shop.manager,
        person_id=owner.pk,
        place_id=shop.community.pk,
        served_on=timezone.localdate(),
        minutes=90,
        what="楼道清理",
    )
    give(shop, owner, 20)
    return store.redeem(user=owner, item=shop.towel)


def name(model, view):
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def test_every_model_has_a_changelist_and_a_change_page(client, superuser, records):
    for model in MODELS:
        assert admin.site.is_registered(model), model
        assert client.get(reverse(name(model, "changelist"))).status_code == 200, model
        obj = model.objects.order_by("pk").first()
        page = client.get(reverse(name(model, "change"), args=[obj.pk]))
        assert page.status_code == 200, model
    # Rules, policies and items can be repaired here.
    for model in (EarningRule, ExpiryPolicy, StoreItem):
        assert client.get(reverse(name(model, "add"))).status_code == 200, model


def test_ledgers_accounts_and_redemptions_are_read_only(client, superuser, records):
    before = {m: list(m.objects.order_by("pk").values()) for m in READ_ONLY}
    for model in READ_ONLY:
        obj = model.objects.order_by("pk").first()
        assert client.get(reverse(name(model, "add"))).status_code == 403, model
        change = reverse(name(model, "change"), args=[obj.pk])
        page = client.get(change)
        assert 'type="submit" value="Save"' not in page.content.decode(), model
        assert client.post(change, {"status": "collected", "amount": "999"}).status_code == 403
        delete = reverse(name(model, "delete"), args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403, model
        action = client.post(
            reverse(name(model, "changelist")),
            {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
        )
        assert action.status_code in (200, 302), model
    assert {m: list(m.objects.order_by("pk").values()) for m in READ_ONLY} == before


def test_the_read_only_pages_say_where_a_repair_is_made(client, superuser, records):
    ledger, desk = escape(str(LEDGER_HELP)), escape(str(REDEMPTION_HELP))
    for model, text in ((PointsEntry, ledger), (HoursEntry, ledger), (Redemption, desk)):
        assert text in client.get(reverse(name(model, "changelist"))).content.decode(), model
        obj = model.objects.order_by("pk").first()
        page = client.get(reverse(name(model, "change"), args=[obj.pk])).content.decode()
        assert text in page, model
        assert str(obj) in page  # the record's own title stays


def test_items_are_not_deleted_here(client, superuser, records):
    item = StoreItem.objects.get(pk=records.item_id)
    delete = client.post(reverse(name(StoreItem, "delete"), args=[item.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Redemption.objects.filter(item=item).exists()
