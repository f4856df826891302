"""The notice board end to end in Chromium (seed 002: 公示, 通知到户): community staff compose and
publish an important notice with a photo attached; a resident finds it first on the board of
their phone, marked unread, opens it (the read receipt) and opens its A4 sheet, which holds the
notice and nothing of the site's navigation; the staff's coverage page then shows one household
of the building as having read it."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from linju.notices import services
from linju.notices.models import Notice, NoticeStatus, Receipt

from .test_household_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-Word-9"
TITLE = "本周六消防演练"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "drill.png"
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (200, 40, 40)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_publish_read_print_and_coverage(city, desk, phone, media, photo_file):
    # The browsers (and so the live server) come before `media`: a live server started after
    # MEDIA_ROOT changed answers no request in this suite.
    staff, owner = city.users["community_staff"], city.users["owner"]
    # An older pinned notice the owner has read already: the new one must still come first.
    old = services.create_notice(
        user=staff,
        place_id=city.places["C1"].pk,
        kind="announcement",
        title="旧的置顶通知",
        body="已读",
        pinned=True,
        publish=True,
    )
    services.mark_read(user=owner, notice=old)
    # The pages keep to the Content-Security-Policy (no inline script or style).
    violations = []
    for page in (desk, phone):
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )

    # 1. Staff compose and publish an important notice, then attach a photo.
    log_in(desk, staff.mobile, PASSWORD)
    desk.goto("/notices/desk/")
    desk.get_by_test_id("new-notice").click()
    desk.select_option("select[name=place]", str(city.places["C1"].pk))
    desk.locator("input[name=kind][value=announcement]").check()
    expect(desk.locator(".field-privacy")).to_be_hidden()
    desk.fill("input[name=title]", TITLE)
    desk.fill("textarea[name=body]", "上午九点, 全体居民在中心广场集合。\n请带好湿毛巾。")
    desk.locator("input[name=important]").check()
    with desk.expect_navigation():
        desk.get_by_test_id("publish-now").click()
    notice = Notice.objects.get(title=TITLE)
    assert notice.status == NoticeStatus.PUBLISHED and notice.important
    desk.get_by_test_id("file-input").set_input_files(photo_file)
    with desk.expect_navigation():
        desk.get_by_test_id("attach").click()
    image = notice.attachments.get()
    assert image.is_image

    # 2. The resident sees it first on the board, unread, and opens it.
    log_in(phone, owner.mobile, PASSWORD)
    phone.goto("/notices/")
    first = phone.get_by_test_id("board").locator("li").first
    expect(first).to_have_attribute("data-testid", f"notice-{notice.pk}")
    expect(first.get_by_test_id("unread")).to_be_visible()
    expect(phone.get_by_test_id(f"notice-{old.pk}").get_by_test_id("unread")).to_have_count(0)
    with phone.expect_navigation():
        first.get_by_role("link").click()
    expect(phone.get_by_test_id("title")).to_have_text(TITLE)
    expect(phone.get_by_test_id("read-confirmed")).to_be_visible()
    photo = phone.get_by_test_id(f"image-{image.pk}")
    expect(photo).to_be_visible()
    assert phone.evaluate("el => el.naturalWidth", photo.element_handle()) > 0
    assert Receipt.objects.filter(notice=notice, user=owner).count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 362

    # 3. The A4 sheet: the notice, no site navigation; the print button is not printed.
    with phone.expect_navigation():
        phone.get_by_test_id("print-link").click()
    expect(phone.get_by_test_id("sheet").get_by_test_id("title")).to_have_text(TITLE)
    expect(phone.get_by_test_id("body")).to_contain_text("请带好湿毛巾。")
    assert phone.locator("header, nav, footer, .top-nav").count() == 0
    expect(phone.get_by_test_id("print")).to_be_visible()
    phone.emulate_media(media="print")
    expect(phone.get_by_test_id("print")).to_be_hidden()
    expect(phone.get_by_test_id("title")).to_be_visible()

    # 4. Staff see one household of B1 as having read it.
    desk.goto(f"/notices/{notice.pk}/")
    with desk.expect_navigation():
        desk.get_by_test_id("coverage-link").click()
    b1 = city.places["B1"]
    expect(desk.get_by_test_id(f"read-{b1.pk}")).to_have_text("1")
    # The staff's own opening is a receipt too, but of nobody's household.
    expect(desk.get_by_test_id("total")).to_have_attribute("data-read", "1")
    expect(desk.get_by_test_id("total")).to_have_attribute("data-households", "3")
    assert not violations
