"""Snap-and-report end to end in Chromium (seeds 002/003): a resident reports a problem with a
photo on a phone in three screens → the grid worker accepts it and dispatches it to the
property manager → the property manager resolves it with a photo → the resident confirms it
is solved and rates the handling."""

import io
import os
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from linju.reports.models import Report, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-9"
SCREENSHOTS = os.environ.get("LINJU_SCREENSHOTS")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "stairwell.jpg"
    img = Image.new("RGB", (1200, 900), (181, 134, 84))
    out = io.BytesIO()
    img.save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def log_in(page, user):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=mobile]", user.mobile)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_report_dispatch_resolve_confirm(city, media, photo_file, phone, desk):
    u = city.users

    # 1. The owner reports on a phone, screen by screen (the sections are one form).
    log_in(phone, u["owner"])
    phone.goto("/")
    phone.locator(".tile-report a").click()
    phone.get_by_test_id("new-report").click()
    form = phone.locator("#report-form")
    screen1, screen2, screen3 = (form.locator(f"[data-screen='{n}']") for n in (1, 2, 3))
    expect(screen1).to_be_visible()
    expect(screen2).to_be_hidden()
    screen1.locator("input[name=photos]").set_input_files(photo_file)
    # "Next" without a category: the browser keeps the resident on the first screen.
    screen1.get_by_role("button", name=re.compile("Next|下一步")).click()
    expect(screen2).to_be_hidden()
    screen1.locator("label.cat-tile", has_text="电梯故障").click()
    shot(phone, "1-photos-and-category")
    screen1.get_by_role("button", name=re.compile("Next|下一步")).click()

    # Screen 2: the home unit is chosen already; the elevator asks its two questions.
    expect(screen2).to_be_visible()
    expect(screen1).to_be_hidden()
    place = screen2.locator("select[name=place]")
    assert place.locator("option:checked").inner_text().strip() == "B1 U1"
    questions = screen2.locator("fieldset.attrs[data-category='elevator']")
    expect(questions).to_be_visible()
    expect(screen2.locator("fieldset.attrs[data-category='water-leak']")).to_be_hidden()
    questions.locator("input[name=attr__elevator__elevator]").fill("2号电梯")
    questions.get_by_label("无人被困").check()
    box = screen2.locator("svg.schematic").bounding_box()
    phone.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.9)
    assert screen2.locator("input[name=map_x]").input_value() != ""
    shot(phone, "2-where")
    screen2.get_by_role("button", name=re.compile("Next|下一步")).click()

    # Screen 3: describe and send.
    expect(screen3).to_be_visible()
    screen3.locator("textarea[name=description]").fill("2号电梯门关不上，按钮没反应")
    screen3.locator("input[name=hide_name]").check()
    shot(phone, "3-describe")
    screen3.get_by_test_id("send-report").click()
    expect(phone).to_have_url(re.compile(r"/reports/\d+/$"))
    report = Report.objects.get()
    assert report.category.code == "elevator" and report.photos.count() == 1
    assert report.attributes == {"elevator": "2号电梯", "trapped": "no"}
    assert report.map_x is not None and report.hide_name
    expect(phone.get_by_test_id("status")).to_have_attribute("data-status", "submitted")
    expect(phone.locator("main")).to_contain_text("2号电梯门关不上")
    # The photo is served by the photo view and really loads.
    image = phone.locator("ul.photos img").first
    expect(image).to_be_visible()
    phone.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    shot(phone, "4-submitted")

    # 2. The grid worker accepts and dispatches it to the property manager.
    log_in(desk, u["grid_worker"])
    desk.goto("/reports/desk/")
    row = desk.locator(f"tr[data-report='{report.pk}']")
    expect(row).to_contain_text("B1")
    row.locator("a").first.click()
    expect(desk.get_by_test_id("reporter")).to_contain_text("张owner明")
    desk.locator("button[data-action=accept]").click()
    expect(desk.get_by_test_id("status")).to_have_attribute("data-status", "accepted")
    desk.locator("select[name=dispatch-handler]").select_option(str(u["property_manager"].pk))
    desk.locator("button[data-action=dispatch]").click()
    expect(desk.get_by_test_id("handler")).to_contain_text(u["property_manager"].name)
    shot(desk, "5-dispatched")
    report.refresh_from_db()
    assert report.status == Status.DISPATCHED and report.handler == u["property_manager"]

    # 3. The property manager resolves it with a photo of the fix.
    log_in(desk, u["property_manager"])
    desk.goto("/reports/desk/")
    desk.locator(f"tr[data-report='{report.pk}'] a").first.click()
    desk.locator("textarea[name=resolve-reply]").fill("已更换门机板，电梯恢复正常")
    desk.locator("input[name=resolve-photos]").set_input_files(photo_file)
    desk.locator("button[data-action=resolve]").click()
    expect(desk.get_by_test_id("status")).to_have_attribute("data-status", "resolved")
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and report.photos.count() == 2

    # 4. The resident sees the reply, confirms it is solved and rates it.
    phone.goto(f"/reports/{report.pk}/")
    expect(phone.get_by_test_id("reply")).to_contain_text("已更换门机板")
    timeline = phone.get_by_test_id("timeline")
    expect(timeline.locator("li[data-kind=dispatched]")).to_have_count(1)
    expect(timeline.locator("li[data-kind=resolved] img")).to_have_count(1)
    confirm = phone.get_by_test_id("confirm")
    confirm.locator("input[name=rating][value='5']").check()
    confirm.locator("textarea[name=comment]").first.fill("修得很快")
    shot(phone, "6-confirm")
    phone.get_by_test_id("confirm-solved").click()
    expect(phone.get_by_test_id("status")).to_have_attribute("data-status", "closed")
    expect(phone.get_by_test_id("reply")).to_contain_text("5/5")
    report.refresh_from_db()
    assert report.status == Status.CLOSED and report.rating == 5

    # The public page of the estate shows it, without the name the resident hid.
    phone.goto(f"/reports/estate/{city.places['E1'].pk}/")
    card = phone.locator(f"[data-report='{report.pk}']")
    expect(card).to_contain_text("已更换门机板")
    expect(card).not_to_contain_text("张")
    shot(phone, "7-public")
