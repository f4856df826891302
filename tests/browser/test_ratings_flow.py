"""The civilised-unit contest end to end in Chromium (seed 001, 红"栋"力): the residents'
representative scores on a 360 px phone, one target per screen — a hygiene deduction with its
evidence photo, save and next; staff close scoring and publish at the desk; the ranking shows
the red flags (流动红旗)."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from linju.ratings.models import RoundStatus, Sheet
from linju.ratings.services_rounds import open_round, start_scoring
from linju.ratings.tests.conftest import contested, score  # noqa: F401  (the fixture)

from .test_household_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-9"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def test_a_month_scored_on_a_phone_and_published(contested, phone, desk):  # noqa: F811
    manager = contested.manager
    judge = contested.city.users["owner"]  # sits for the residents
    round_ = open_round(user=manager, contest=contested.contest, period="2026-10")
    start_scoring(user=manager, round_=round_)
    targets = list(round_.targets.order_by("position"))

    # 1. The panellist opens their rounds on the phone and scores the first target.
    log_in(phone, judge.mobile, PASSWORD)
    phone.goto("/ratings/")
    expect(phone.get_by_test_id(f"progress-{round_.pk}")).to_have_text("0 / 12")
    phone.get_by_test_id(f"score-{round_.pk}").click()
    expect(phone.get_by_test_id("score-target")).to_have_text(targets[0].label)
    expect(phone.get_by_test_id("score-progress")).to_have_text("0 / 12")
    form = phone.get_by_test_id("sheet-form")
    # Without the photo the deduction is refused next to the item, and nothing is saved.
    form.locator("input[name=hygiene__points]").fill("18")
    phone.get_by_test_id("save-next").click()
    expect(phone.locator("p.error[data-field=hygiene__photo]")).to_be_visible()
    assert not Sheet.objects.filter(round=round_).exists()
    form.locator("input[name=hygiene__points]").fill("18")
    form.locator("input[name=hygiene__note]").fill("楼道堆放纸箱")
    form.locator("input[name=hygiene__photo]").set_input_files(
        files=[{"name": "hygiene.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    phone.get_by_test_id("save-next").click()

    # 2. Saved: the next target is on the screen, the progress moved on.
    expect(phone.get_by_test_id("score-target")).to_have_text(targets[1].label)
    expect(phone.get_by_test_id("score-progress")).to_have_text("1 / 12")
    sheet = Sheet.objects.get(round=round_, panellist=judge)
    assert sheet.target_id == targets[0].pk and str(sheet.total) == "98.0"
    assert sheet.entries.get(item__code="hygiene").photo
    phone.get_by_test_id("save-next").click()
    expect(phone.get_by_test_id("score-progress")).to_have_text("2 / 12")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 362

    # The rest of the panel scores off screen: full marks for the first three, a point off
    # civility for the others.
    for i, target in enumerate(targets):
        for other in contested.panel:
            if other != judge:
                score(round_, other, target, **({} if i < 3 else {"civility": 19}))

    # 3. Staff close scoring and publish at the desk.
    log_in(desk, manager.mobile, PASSWORD)
    desk.goto(f"/ratings/rounds/{round_.pk}/")
    with desk.expect_navigation():
        desk.locator("button[data-action=close]").click()
    expect(desk.locator("[data-status]").first).to_have_attribute("data-status", "review")
    with desk.expect_navigation():
        desk.locator("button[data-action=publish]").click()
    expect(desk.locator("[data-status]").first).to_have_attribute("data-status", "published")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLISHED

    # 4. The ranking shows the three red flags: two units at 100, and the unit that lost half
    # a point on the mean (99.5) ahead of those at 99.
    phone.goto(f"/ratings/rounds/{round_.pk}/")
    ranking = phone.get_by_test_id("ranking")
    expect(ranking.get_by_test_id("flag")).to_have_count(3)
    first_row = ranking.locator(f"tr[data-target='{targets[0].pk}']")
    expect(first_row).to_contain_text("99.50")
    expect(first_row.get_by_test_id("flag")).to_have_count(1)
    expect(
        ranking.locator(f"tr[data-target='{targets[3].pk}']").get_by_test_id("flag")
    ).to_have_count(0)
    phone.goto("/ratings/")
    expect(phone.get_by_test_id("flag-holders")).to_contain_text("🚩")
