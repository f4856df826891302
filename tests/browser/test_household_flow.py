"""The foundation's page flow end to end in Chromium: a newcomer signs up, asks to join a
household, the unit head verifies it, and the owner then sees the household at home."""

import re

import pytest
from playwright.sync_api import expect

from linju.people import sms
from linju.people.models import Residency

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_MOBILE = "13911112222"
PASSWORD = "Quiet-Garden-42"


def sms_code_for(mobile):
    for to, text in reversed(sms.outbox):
        if to == mobile:
            return re.search(r"\d{6}", text).group()
    raise AssertionError(f"no SMS sent to {mobile}")


def log_in(page, mobile, password):
    page.goto("/accounts/login/")
    page.fill("input[name=mobile]", mobile)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_sign_up_bind_verify_and_see_the_household(city, sms_outbox, phone, desk):
    # 1. Sign up on a phone, with the code the SMS gateway received.
    phone.goto("/accounts/signup/")
    phone.fill("input[name=mobile]", NEW_MOBILE)
    phone.fill("input[name=name]", "王小青")
    phone.fill("input[name=password]", PASSWORD)
    phone.fill("input[name=password2]", PASSWORD)
    phone.get_by_test_id("send-code").click()
    expect(phone.locator(".code-status")).not_to_be_empty()
    phone.fill("input[name=code]", sms_code_for(NEW_MOBILE))
    phone.check("input[name=consent]")
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/me/household/bind/"))

    # 2. Find the room step by step (htmx fills each list) and ask to join as its owner.
    pick = phone.locator("section[aria-labelledby=by-pick]")
    pick.locator("select[name=estate]").select_option(label="C1 · E1")
    expect(pick.locator("select[name=building] option", has_text="B1")).to_have_count(1)
    pick.locator("select[name=building]").select_option(label="B1")
    expect(pick.locator("select[name=unit] option", has_text="U1")).to_have_count(1)
    pick.locator("select[name=unit]").select_option(label="U1")
    room = pick.locator("select[name=household]")
    expect(room.locator("option", has_text="102")).to_have_count(1)
    room.select_option(label=room.locator("option", has_text="102").inner_text().strip())
    pick.locator("select[name=relation]").select_option("owner")
    pick.locator("form[method=post] button[type=submit]").click()
    expect(phone.get_by_test_id("residency-requests")).to_contain_text("102")
    residency = Residency.objects.get(user__mobile=NEW_MOBILE)
    assert residency.status == "pending"

    # 3. The unit head of U1 verifies it from the queue on a desktop.
    log_in(desk, city.users["unit_head"].mobile, "pass-Word-9")
    desk.goto("/people/verify/")
    card = desk.locator(f"[data-residency='{residency.pk}']")
    expect(card).to_contain_text("王小青")
    card.get_by_role("button", name=re.compile("Approve|通过|批准|同意")).click()
    expect(desk.locator(f"[data-residency='{residency.pk}']")).to_have_count(0)
    residency.refresh_from_db()
    assert residency.status == "verified"

    # 4. The owner logs in again and sees the household, and the decision in the inbox.
    phone.context.clear_cookies()
    log_in(phone, NEW_MOBILE, PASSWORD)
    phone.goto("/")
    expect(phone.locator("main")).to_contain_text("102")
    expect(phone.get_by_test_id("unread-count")).to_be_visible()
