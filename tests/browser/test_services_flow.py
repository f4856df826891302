"""Assisted services end to end in Chromium (seed 002, 帮办代办): a resident opens the service
list of their community on a 390 px phone, requests an item and books a slot; the grid worker
(the item's handling role) accepts it at the desk and completes it with a note; the resident's
page says done, with the note, and a message in the inbox."""

import pytest
from playwright.sync_api import expect

from linju.core.models import Notification
from linju.services.models import RequestStatus, ServiceRequest, ServiceSlot
from linju.services.tests.conftest import make_item, make_slot

from .test_household_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-9"
PHONE_WIDTH = 390


@pytest.fixture
def phone390(chromium, live_server):
    context = chromium.new_context(
        viewport={"width": PHONE_WIDTH, "height": 844}, base_url=live_server.url, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_resident_requests_a_service_and_staff_complete_it(city, phone390, desk):
    item = make_item(city)
    slot = make_slot(city, capacity=2)
    owner, worker = city.users["owner"], city.users["grid_worker"]

    # 1. The resident finds the item in the list and reads what to bring.
    phone = phone390
    log_in(phone, owner.mobile, PASSWORD)
    phone.goto("/services/")
    phone.get_by_test_id("item-link").first.click()
    expect(phone.get_by_test_id("item")).to_contain_text("身份证、一寸照片")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH + 2

    # 2. Requests it with a slot.
    form = phone.get_by_test_id("request-form")
    form.locator("select[name=slot]").select_option(str(slot.pk))
    form.locator("textarea[name=note]").fill("上午方便")
    with phone.expect_navigation():
        phone.get_by_test_id("request-submit").click()
    expect(phone.get_by_test_id("request-slot")).to_contain_text("09:00")
    request = ServiceRequest.objects.get()
    assert request.item == item and request.slot == slot
    assert ServiceSlot.objects.get(pk=slot.pk).booked == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH + 2

    # 3. The grid worker sees it at the desk, accepts and completes it.
    log_in(desk, worker.mobile, PASSWORD)
    desk.goto("/services/desk/")
    desk.get_by_test_id("request-row").first.get_by_role("link").click()
    with desk.expect_navigation():
        desk.get_by_test_id("accept").click()
    desk.locator("textarea[name=note]").fill("材料已收到，已办结")
    with desk.expect_navigation():
        desk.get_by_test_id("done").click()
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE

    # 4. The resident's page says done, with the note; two messages wait in the inbox.
    phone.reload()
    expect(phone.get_by_test_id("request-status")).to_have_class("status status-done")
    expect(phone.get_by_test_id("notes")).to_contain_text("材料已收到")
    assert Notification.objects.filter(recipient=owner, kind="services.request").count() == 2
