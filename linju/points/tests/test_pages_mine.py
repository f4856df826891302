"""The residents' points pages: home (points, hours, the latest entries), the history of both
(paginated, with kind, reason, ref and balance), the service certificate, the love supermarket
of the community one lives in, redeeming (a double submit redeems once; refusals on the form,
nothing half saved), the pickup code and its QR code, cancelling (points refunded); a resident
of C2 sees none of C1's items, anonymous visitors are sent to log in."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from linju.core.testing import linked_styles
from linju.points import services
from linju.points import services_store as store
from linju.points.models import (
    Account,
    PointsEntry,
    PointsKind,
    Redemption,
    RedemptionStatus,
    StoreItem,
)

from .conftest import give

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"points:{name}", args=args)


def body(response) -> str:
    return response.content.decode()


def as_user(client, user):
    client.force_login(user)
    return client


def hidden_key(html) -> str:
    return re.search(r'name="key" value="([0-9a-f]+)"', html).group(1)


def points_of(user) -> int:
    return Account.objects.get(user=user).points


def serve(shop, person, minutes=120, what="文明劝导", days_ago=0, place=None):
    return services.record_service(
        user=shop.manager,
        person_id=person.pk,
        place_id=(place or shop.community).pk,
        served_on=timezone.localdate() - timedelta(days=days_ago),
        minutes=minutes,
        what=what,
    )


ALL_PAGES = ["home", "history", "certificate", "shop", "redemptions"]


@pytest.mark.parametrize("name", ALL_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, shop, name):
    response = client.get(url(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_on_item_and_redemption_pages(client, shop):
    owner = shop.city.users["owner"]
    give(shop, owner, 60)
    r = store.redeem(user=owner, item=shop.towel)
    for target in (url("item", shop.rice.pk), url("redemption", r.pk)):
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        response = client.post(target, {"quantity": 1, "action": "cancel"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Redemption.objects.count() == 1
    assert Redemption.objects.get().status == RedemptionStatus.RESERVED


def test_home_shows_my_points_hours_and_latest(client, shop):
    owner = shop.city.users["owner"]
    serve(shop, owner, minutes=90, what="楼道清扫")  # 1.5 h → 1 point (default rule)
    give(shop, owner, 40)
    html = body(as_user(client, owner).get(url("home")))
    assert 'data-testid="my-points">41<' in html
    assert 'data-testid="my-hours">1.5<' in html
    assert "楼道清扫" in html and "测试发放" in html
    assert url("shop") in html and url("certificate") in html and url("history") in html


def test_home_of_a_newcomer_and_of_c2(client, shop):
    html = body(as_user(client, shop.city.users["tenant"]).get(url("home")))
    assert 'data-testid="my-points">0<' in html and 'data-testid="my-hours">0<' in html
    assert not Account.objects.filter(user=shop.city.users["tenant"]).exists()  # a read only
    # A resident of C2 has no shop with items: no link to it.
    html = body(as_user(client, shop.city.users["owner_2"]).get(url("home")))
    assert 'data-testid="shop-link"' not in html


def test_history_of_points_and_hours_paginated(client, shop):
    owner = shop.city.users["owner"]
    for i in range(23):
        give(shop, owner, 1 + i, key=f"h{i}")
    serve(shop, owner, minutes=60, what="敬老助餐", days_ago=3)
    r = store.redeem(user=owner, item=shop.towel)
    c = as_user(client, owner)
    html = body(c.get(url("history")))
    # 23 adjustments, a service and a redemption: 25 entries, 20 a page.
    assert html.count('data-testid="points-entry"') == 20
    assert 'data-kind="redemption"' in html
    assert f'href="{url("redemption", r.pk)}"' in html  # its ref, linked
    assert "毛巾" in html  # the reason
    newest = PointsEntry.objects.filter(user=owner).first()
    assert f"余额 {newest.balance}" in html or f"balance {newest.balance}" in html
    assert 'rel="next"' in html
    html = body(c.get(url("history"), {"page": 2}))
    assert html.count('data-testid="points-entry"') == 5
    html = body(c.get(url("history"), {"show": "hours"}))
    assert html.count('data-testid="hours-entry"') == 1 and "敬老助餐" in html
    # Someone else's entries never appear.
    html = body(as_user(client, shop.city.users["tenant"]).get(url("history")))
    assert 'data-testid="points-entry"' not in html


def test_certificate(client, shop):
    owner = shop.city.users["owner"]
    serve(shop, owner, minutes=120, what="文明劝导", days_ago=10)
    serve(shop, owner, minutes=30, what="环境整治", days_ago=2)
    html = body(as_user(client, owner).get(url("certificate")))
    assert f'data-testid="cert-name">{owner.name}<' in html
    assert 'data-testid="cert-hours">2.5<' in html
    assert 'data-testid="cert-services">2<' in html
    first = (timezone.localdate() - timedelta(days=10)).isoformat()
    last = (timezone.localdate() - timedelta(days=2)).isoformat()
    assert first in html and last in html
    assert shop.community.name in html
    assert timezone.localdate().isoformat() in html  # issued
    assert "@media print" in linked_styles(html) and "size: A4" in linked_styles(html)
    # Nothing recorded: the page says so.
    html = body(as_user(client, shop.city.users["tenant"]).get(url("certificate")))
    assert 'data-testid="cert-services">0<' in html


def test_shop_lists_my_community_items(client, shop):
    owner = shop.city.users["owner"]
    give(shop, owner, 70)
    html = body(as_user(client, owner).get(url("shop")))
    assert "大米 5kg" in html and "毛巾" in html
    assert "共建单位·粮油公司" in html  # the donor
    assert f'data-testid="item-{shop.rice.pk}"' in html
    assert 'data-testid="my-points">70<' in html


def test_c2_resident_sees_no_c1_items(client, shop):
    other = as_user(client, shop.city.users["owner_2"])
    html = body(other.get(url("shop")))
    assert "大米 5kg" not in html
    assert other.get(url("item", shop.rice.pk)).status_code == 404
    assert other.post(url("item", shop.rice.pk), {"quantity": 1}).status_code == 404
    assert other.get(url("item_photo", shop.rice.pk)).status_code == 404
    assert not Redemption.objects.exists()


def test_c1_redemption_is_not_anyone_elses(client, shop):
    owner = shop.city.users["owner"]
    give(shop, owner, 60)
    r = store.redeem(user=owner, item=shop.towel)
    for who in ("tenant", "owner_2"):
        c = as_user(client, shop.city.users[who])
        assert c.get(url("redemption", r.pk)).status_code == 404
        assert c.post(url("redemption", r.pk), {"action": "cancel"}).status_code == 404
    r.refresh_from_db()
    assert r.status == RedemptionStatus.RESERVED


def test_redeem_twice_with_the_same_key_redeems_once(client, shop):
    owner = shop.city.users["owner"]
    give(shop, owner, 120)
    c = as_user(client, owner)
    page = body(c.get(url("item", shop.rice.pk)))
    key = hidden_key(page)
    assert hidden_key(body(c.get(url("item", shop.rice.pk)))) != key  # a new one each time
    first = c.post(url("item", shop.rice.pk), {"quantity": 2, "key": key})
    r = Redemption.objects.get()
    assert first.status_code == 302 and first["Location"] == url("redemption", r.pk)
    second = c.post(url("item", shop.rice.pk), {"quantity": 2, "key": key})
    assert second.status_code == 302 and second["Location"] == url("redemption", r.pk)
    assert Redemption.objects.count() == 1
    assert points_of(owner) == 20
    assert StoreItem.objects.get(pk=shop.rice.pk).stock == 48


def test_the_redemption_page_shows_the_code_and_qr(client, shop):
    owner = shop.city.users["owner"]
    give(shop, owner, 60)
    c = as_user(client, owner)
    response = c.post(url("item", shop.towel.pk), {"quantity": 1, "key": "a" * 32}, follow=True)
    r = Redemption.objects.get()
    html = body(response)
    assert 'data-testid="pickup-code"' in html and f">{r.code}</p>" in html
    assert 'data-testid="qr"' in html and "<svg" in html
    assert 'data-status="reserved"' in html and 'data-testid="cancel"' in html
    # My redemptions list it, with its code.
    html = body(c.get(url("redemptions")))
    assert f'data-testid="redemption-{r.pk}"' in html and r.code in html
    # Collected at the desk: no code, no cancel button.
    store.collect(user=shop.manager, redemption=r)
    html = body(c.get(url("redemption", r.pk)))
    assert 'data-status="collected"' in html
    assert r.code not in html and 'data-testid="cancel"' not in html


def test_cancel_refunds(client, shop):
    owner = shop.city.users["owner"]
    give(shop, owner, 60)
    r = store.redeem(user=owner, item=shop.rice, key="k1")
    assert points_of(owner) == 10
    c = as_user(client, owner)
    response = c.post(url("redemption", r.pk), {"action": "cancel"})
    assert response.status_code == 302 and response["Location"] == url("redemption", r.pk)
    r.refresh_from_db()
    assert r.status == RedemptionStatus.CANCELLED
    assert points_of(owner) == 60
    assert StoreItem.objects.get(pk=shop.rice.pk).stock == 50
    assert PointsEntry.objects.filter(user=owner, kind=PointsKind.REFUND, amount=50).count() == 1
    # Again: refused with a message, nothing refunded twice.
    html = body(c.post(url("redemption", r.pk), {"action": "cancel"}, follow=True))
    assert 'data-status="cancelled"' in html and 'class="error"' in html
    assert points_of(owner) == 60
    assert c.post(url("redemption", r.pk), {"action": "other"}).status_code == 404


@pytest.mark.parametrize(
    "setup, quantity, item_name, message",
    [
        ("poor", 1, "rice", "Not enough points"),
        ("rich", 4, "towel", "Only 3 left"),
        ("rich", 3, "rice", "At most 2 a person a month"),
    ],
)
def test_refusals_on_the_form_nothing_saved(
    client, shop, settings, setup, quantity, item_name, message
):
    settings.LANGUAGE_CODE = "en"
    owner = shop.city.users["owner"]
    give(shop, owner, 30 if setup == "poor" else 1000)
    item = getattr(shop, item_name)
    c = as_user(client, owner)
    c.cookies["django_language"] = "en"
    response = c.post(
        url("item", item.pk), {"quantity": quantity, "key": "b" * 32}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = body(response)
    assert 'class="errors"' in html and message in html
    assert not Redemption.objects.exists()
    assert StoreItem.objects.get(pk=item.pk).stock == item.stock
    assert points_of(owner) == (30 if setup == "poor" else 1000)
    # The form keeps its key: sent again once fixed, it redeems.
    assert hidden_key(html) == "b" * 32


def test_bad_quantity_names_the_field(client, shop):
    owner = shop.city.users["owner"]
    give(shop, owner, 100)
    c = as_user(client, owner)
    for bad in ("0", "21", "abc", ""):
        html = body(c.post(url("item", shop.towel.pk), {"quantity": bad, "key": "c" * 32}))
        assert 'data-field="quantity"' in html
    assert not Redemption.objects.exists()


def test_out_of_stock_item_has_no_form(client, shop):
    owner = shop.city.users["owner"]
    give(shop, owner, 100)
    for _ in range(3):
        store.redeem(user=owner, item=shop.towel)
    html = body(as_user(client, owner).get(url("item", shop.towel.pk)))
    assert 'data-testid="out-of-stock"' in html and 'data-testid="redeem-form"' not in html


def test_an_item_off_the_shelf_is_not_found(client, shop):
    store.update_item(user=shop.manager, item=shop.towel, active=False)
    c = as_user(client, shop.city.users["owner"])
    assert c.get(url("item", shop.towel.pk)).status_code == 404
    assert "毛巾" not in body(c.get(url("shop")))


def test_someone_elses_key_shows_nothing_of_their_redemption(client, shop):
    owner, tenant = shop.city.users["owner"], shop.city.users["tenant"]
    give(shop, owner, 60)
    give(shop, tenant, 60)
    r = store.redeem(user=owner, item=shop.towel, key="d" * 32)
    response = as_user(client, tenant).post(
        url("item", shop.towel.pk), {"quantity": 1, "key": "d" * 32}
    )
    assert response.status_code == 200
    html = body(response)
    assert 'class="errors"' in html and r.code not in html
    assert Redemption.objects.count() == 1 and points_of(tenant) == 60
