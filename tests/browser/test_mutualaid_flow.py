"""The wish wall end to end in Chromium (seed 002: 心愿墙): a resident posts a need on a phone,
a neighbour claims it on theirs, and the poster marks it fulfilled with a thank-you note that
both then see on the wish."""

import pytest
from playwright.sync_api import expect

from linju.mutualaid.models import Post, PostStatus

from .test_household_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-9"


@pytest.fixture
def neighbour_phone(chromium, live_server):
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_post_claim_and_thank_on_phones(city, phone, neighbour_phone):
    owner, tenant = city.users["owner"], city.users["tenant"]

    # 1. The owner posts a need on the phone.
    log_in(phone, owner.mobile, PASSWORD)
    phone.goto("/mutualaid/")
    phone.get_by_test_id("new-post").click()
    phone.locator("input[name=kind][value=need]").check()
    phone.fill("input[name=title]", "帮忙取一下快递")
    phone.fill("textarea[name=body]", "下午三点前, 菜鸟驿站")
    with phone.expect_navigation():
        phone.get_by_test_id("submit-post").click()
    post = Post.objects.get(title="帮忙取一下快递")
    assert post.poster == owner and post.place == city.places["U1"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 362

    # 2. A neighbour sees it on the wall (the poster's name masked) and claims it.
    log_in(neighbour_phone, tenant.mobile, PASSWORD)
    neighbour_phone.goto("/mutualaid/")
    card = neighbour_phone.get_by_test_id(f"post-{post.pk}")
    expect(card).to_contain_text("帮忙取一下快递")
    expect(card).not_to_contain_text(owner.name)
    card.get_by_role("link").click()
    with neighbour_phone.expect_navigation():
        neighbour_phone.get_by_test_id("claim").click()
    expect(neighbour_phone.get_by_test_id("status")).to_have_attribute("data-status", "claimed")
    post.refresh_from_db()
    assert post.status == PostStatus.CLAIMED and post.claimant == tenant

    # 3. The poster marks it fulfilled with thanks; the claimant's name is shown to them.
    phone.goto(f"/mutualaid/{post.pk}/")
    expect(phone.get_by_test_id("claimant")).to_contain_text(tenant.name)
    phone.get_by_test_id("thanks-input").fill("谢谢邻居帮忙!")
    with phone.expect_navigation():
        phone.get_by_test_id("fulfil").click()
    expect(phone.get_by_test_id("thanks")).to_contain_text("谢谢邻居帮忙!")
    post.refresh_from_db()
    assert post.status == PostStatus.FULFILLED and post.thanks == "谢谢邻居帮忙!"

    # 4. The neighbour sees the thanks on the wish.
    neighbour_phone.reload()
    expect(neighbour_phone.get_by_test_id("thanks")).to_contain_text("谢谢邻居帮忙!")
