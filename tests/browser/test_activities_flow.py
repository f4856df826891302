"""Activities end to end in Chromium (seeds 000, 002, 004: 月月有活动, 公益积分, 爱心超市): a
resident finds their building's activity on a phone and signs up, checks in on the landing page
of the venue's QR code once it has started, the community staff confirm attendance on the
desk's running sheet, the attendance points show on the resident's points page, they are
spent in the love supermarket and the item is handed out at the points desk with the pickup
code. Then the wait list: full, the second resident waits; the first gives the place back on
their page and the second is signed up."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from linju.activities import services_activities as acts
from linju.activities.models import SignUp, SignUpStatus
from linju.activities.tests.conftest import started
from linju.points import services as points_services
from linju.points import services_store as store
from linju.points.models import Account, PointsKind, Redemption, RedemptionStatus

from .test_household_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-9"
ATTENDANCE_POINTS = 5


def _activity_of_b1(city, *, title, capacity):
    start = timezone.now() + timedelta(days=1)
    return acts.create_activity(
        user=city.users["community_staff"],
        place_id=city.places["B1"].pk,
        title=title,
        kind="festival",
        venue="B1 楼下",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
    )


def test_sign_up_check_in_confirm_redeem_and_collect(city, phone, desk):
    staff, resident = city.users["community_staff"], city.users["tenant"]
    community = city.places["C1"]
    points_services.set_rule(
        user=staff, place_id=community.pk, kind=PointsKind.ACTIVITY, points=ATTENDANCE_POINTS
    )
    bag = store.create_item(
        user=staff, place_id=community.pk, name="环保购物袋", cost=ATTENDANCE_POINTS, stock=3
    )
    party = _activity_of_b1(city, title="楼组包饺子", capacity=5)

    # 1. The resident finds the activity of their building and signs up.
    log_in(phone, resident.mobile, PASSWORD)
    phone.goto("/activities/")
    row = phone.get_by_test_id(f"activity-{party.pk}")
    expect(row).to_contain_text("楼组包饺子")
    row.get_by_role("link").click()
    expect(phone).to_have_url(re.compile(rf"/activities/{party.pk}/$"))
    with phone.expect_navigation():
        phone.get_by_test_id("sign-up").click()
    expect(phone.get_by_test_id("me").get_by_test_id("my-status")).to_have_attribute(
        "data-status", SignUpStatus.SIGNED
    )
    expect(phone.get_by_test_id("sign-up")).to_have_count(0)
    expect(phone.get_by_test_id("cancel")).to_be_visible()
    mine = SignUp.objects.get(activity=party, user=resident)
    assert mine.status == SignUpStatus.SIGNED and mine.checked_in_at is None

    # 2. The activity has started: the resident scans the QR code at the venue and checks in.
    started(party)
    phone.goto(f"/activities/check-in/{party.check_in_code}/")
    expect(phone.get_by_test_id("activity")).to_contain_text("楼组包饺子")
    with phone.expect_navigation():
        phone.get_by_test_id("check-in").click()
    expect(phone.get_by_test_id("checked-in")).to_be_visible()
    expect(phone.get_by_test_id("check-in")).to_have_count(0)
    mine.refresh_from_db()
    assert mine.checked_in_at is not None and mine.confirmed_at is None

    # 3. The community staff confirm attendance on the running sheet.
    log_in(desk, staff.mobile, PASSWORD)
    desk.goto(f"/activities/desk/activities/{party.pk}/")
    sheet_row = desk.locator(f"tr[data-sign-up='{mine.pk}']")
    expect(sheet_row.get_by_test_id("confirmed")).to_have_text("—")
    sheet_row.locator("input[name=sign_up_ids]").check()
    with desk.expect_navigation():
        desk.get_by_test_id("confirm").click()
    expect(sheet_row.get_by_test_id("confirmed")).to_contain_text("✓")
    expect(sheet_row.get_by_test_id("confirmed")).to_contain_text(str(ATTENDANCE_POINTS))
    expect(sheet_row.locator("input[name=sign_up_ids]")).to_have_count(0)
    expect(desk.get_by_test_id("confirm")).to_have_count(0)
    mine.refresh_from_db()
    assert mine.confirmed_at is not None and mine.points == ATTENDANCE_POINTS

    # 4. The resident's activity page says confirmed, and the points are on the points page.
    phone.goto(f"/activities/{party.pk}/")
    expect(phone.get_by_test_id("me").get_by_test_id("my-status")).to_have_attribute(
        "data-status", "confirmed"
    )
    phone.goto("/points/")
    expect(phone.get_by_test_id("my-points")).to_have_text(str(ATTENDANCE_POINTS))
    entry = phone.get_by_test_id("points-entry").first
    expect(entry).to_have_attribute("data-kind", PointsKind.ACTIVITY)
    expect(entry).to_contain_text("楼组包饺子")
    expect(entry).to_contain_text(f"+{ATTENDANCE_POINTS}")

    # 5. Spent in the love supermarket: a pickup code.
    phone.get_by_test_id("shop-link").click()
    phone.get_by_test_id(f"item-{bag.pk}").get_by_role("link").click()
    expect(phone.get_by_test_id("item-cost")).to_have_text(str(ATTENDANCE_POINTS))
    form = phone.get_by_test_id("redeem-form")
    form.locator("input[name=quantity]").fill("1")
    with phone.expect_navigation():
        phone.get_by_test_id("redeem").click()
    redemption = Redemption.objects.get(user=resident)
    expect(phone.get_by_test_id("pickup-code")).to_have_text(redemption.code)
    expect(phone.get_by_test_id("status")).to_have_attribute("data-status", "reserved")
    assert Account.objects.get(user=resident).points == 0

    # 6. Handed out at the points desk with the code; the resident's page says collected.
    desk.goto("/points/desk/")
    hand_out = desk.get_by_test_id("hand-out-form")
    hand_out.locator("input[name=code]").fill(redemption.code)
    with desk.expect_navigation():
        hand_out.locator("button[type=submit]").click()
    expect(desk.locator(".messages")).to_contain_text("环保购物袋 × 1")
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.COLLECTED
    phone.reload()
    expect(phone.get_by_test_id("status")).to_have_attribute("data-status", "collected")
    expect(phone.get_by_test_id("pickup-code")).to_have_count(0)
    phone.goto("/points/")
    expect(phone.get_by_test_id("my-points")).to_have_text("0")
    assert Account.objects.get(user=resident).points == 0


def test_the_wait_list_moves_up_when_a_place_is_given_back(city, chromium, live_server, phone):
    first, second = city.users["owner"], city.users["tenant"]
    talk = _activity_of_b1(city, title="垃圾分类讲座", capacity=1)
    acts.sign_up(user=first, activity_id=talk.pk)

    # The second resident finds it full and joins the wait list: number 1.
    log_in(phone, second.mobile, PASSWORD)
    phone.goto(f"/activities/{talk.pk}/")
    with phone.expect_navigation():
        phone.get_by_test_id("sign-up").click()
    status = phone.get_by_test_id("me").get_by_test_id("my-status")
    expect(status).to_have_attribute("data-status", SignUpStatus.WAITING)
    expect(status).to_contain_text("1")
    assert SignUp.objects.get(activity=talk, user=second).status == SignUpStatus.WAITING

    # The first gives the place back on their own phone (confirming the browser's dialog).
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="zh-CN"
    )
    try:
        other = context.new_page()
        other.set_default_timeout(10_000)
        other.on("dialog", lambda dialog: dialog.accept())
        log_in(other, first.mobile, PASSWORD)
        other.goto(f"/activities/{talk.pk}/")
        expect(other.get_by_test_id("me").get_by_test_id("my-status")).to_have_attribute(
            "data-status", SignUpStatus.SIGNED
        )
        with other.expect_navigation():
            other.get_by_test_id("cancel").click()
        expect(other.get_by_test_id("me").get_by_test_id("my-status")).to_have_count(0)
        # They may sign up again (at the end of the queue): the button is back.
        expect(other.get_by_test_id("sign-up")).to_be_visible()
    finally:
        context.close()

    # The second is signed up now.
    phone.reload()
    expect(phone.get_by_test_id("me").get_by_test_id("my-status")).to_have_attribute(
        "data-status", SignUpStatus.SIGNED
    )
    assert SignUp.objects.get(activity=talk, user=second).status == SignUpStatus.SIGNED
    assert SignUp.objects.get(activity=talk, user=first).status == SignUpStatus.CANCELLED
    talk.refresh_from_db()
    assert talk.signed == 1
