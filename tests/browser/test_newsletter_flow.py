"""The newsletter end to end in Chromium (seed 003: 由支部的党员轮流执笔): the editor whose turn
it is rewords a good deed, writes the foreword and publishes the issue; a resident reads it on
their phone (the foreword signed with the editor's name) and opens its A4 sheet: a masthead,
two columns, nothing of the site's navigation."""

import pytest
from playwright.sync_api import expect

from linju.notices.models import IssueItem
from linju.notices.tests.newsletter_helpers import in_quarter, notice_at, paper, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-9"


def log_in(page, user):
    page.goto("/accounts/login/")
    page.fill("input[name=mobile]", user.mobile)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_edit_publish_read_and_print(city, desk, phone):
    notice_at(in_quarter(5), city, kind="good_deed", place="B1", title="王师傅修好了车棚灯")
    issue = start(city, paper(city))
    item = IssueItem.objects.get(issue=issue, section="good_deeds")

    log_in(desk, city.users["party_liaison"])
    desk.goto(f"/notices/newsletters/issues/{issue.pk}/edit/")
    desk.fill(f"#id_{item.pk}_title", "好邻居王师傅")
    desk.locator(f"#item-{item.pk} button[type=submit]").click()
    desk.wait_for_load_state()
    desk.fill("#id_foreword", "秋天到了, 感谢每一位热心的邻居。")
    desk.get_by_test_id("foreword-form").locator("button[type=submit]").click()
    desk.wait_for_load_state()
    desk.get_by_test_id("publish").click()
    desk.wait_for_load_state()
    expect(desk.get_by_test_id("signature")).to_be_visible()

    log_in(phone, city.users["tenant"])
    phone.goto("/notices/newsletters/")
    phone.get_by_test_id("latest-issues").get_by_role("link").first.click()
    expect(phone.locator("[data-section=good_deeds] h3")).to_have_text("好邻居王师傅")
    expect(phone.get_by_test_id("signature")).to_contain_text("党员n")
    phone.get_by_test_id("print-link").click()
    phone.wait_for_load_state()
    expect(phone.locator(".masthead h1")).to_have_text("睦邻服务报")
    assert phone.locator("nav").count() == 0
    columns = phone.locator("[data-testid=columns]").evaluate(
        "e => getComputedStyle(e).columnCount"
    )
    assert columns == "2"
