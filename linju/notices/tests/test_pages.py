"""The notice board pages: the board (unread first, kinds, query count), a notice and its read
receipt, objections to a public notice, composing with the services' errors on the form's
fields (the privacy guard among them), publishing, pinning and withdrawing, attachments served
to readers only, the A4 sheet, the read coverage and the desk; and who is refused."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from linju.core.errors import Invalid
from linju.core.testing import linked_styles
from linju.notices import services
from linju.notices.models import Attachment, Notice, NoticeStatus, Objection, Receipt

from .conftest import notice

pytestmark = pytest.mark.django_db


def as_(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def png(name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- The board ------------------------------------------------------------------------------


def test_board_puts_unread_first_and_filters_by_kind(client, city, django_assert_max_num_queries):
    old = notice(city, title="旧通知")
    notice(city, title="新通知", kind="good_deed", body="有人帮忙扫了楼道。")
    pinned = notice(city, title="置顶通知", pinned=True)
    owner = city.users["owner"]
    services.mark_read(user=owner, notice=pinned)
    as_(client, owner).get(reverse("notices:board"))
    with django_assert_max_num_queries(12):
        r = client.get(reverse("notices:board"))
    page = text(r)
    # Unread first (newest first among them), then the read one, pinned or not.
    assert page.index("新通知") < page.index("旧通知") < page.index("置顶通知")
    assert page.count('data-testid="unread"') == 2
    assert 'data-testid="pinned"' in page
    assert "2 unread" in page
    assert ".notice-card" in linked_styles(page)
    # The kind tabs.
    page = text(client.get(reverse("notices:board"), {"kind": "good_deed"}))
    assert "新通知" in page and "旧通知" not in page
    page = text(client.get(reverse("notices:board"), {"kind": "nonsense"}))
    assert "新通知" in page and "旧通知" in page
    # Another community's residents see none of it.
    page = text(as_(client, city.users["owner_2"]).get(reverse("notices:board")))
    assert "旧通知" not in page and "No notices here yet." in page
    assert reverse("notices:notice", args=[old.pk]) not in page


def test_board_needs_a_login_and_shows_drafts_to_nobody(client, city):
    notice(city, title="草稿通知", publish=False)
    r = client.get(reverse("notices:board"))
    assert r.status_code == 302 and r.url.startswith(reverse("people:login"))
    page = text(as_(client, city.users["community_staff"]).get(reverse("notices:board")))
    assert "草稿通知" not in page and 'data-testid="desk-link"' in page
    page = text(as_(client, city.users["owner"]).get(reverse("notices:board")))
    assert 'data-testid="desk-link"' not in page


# --- A notice -------------------------------------------------------------------------------


def test_opening_a_notice_records_the_receipt_once(client, city):
    n = notice(city, title="电梯检修", body="第一行\n第二行 <b>粗</b>", important=True)
    as_(client, city.users["tenant"])
    url = reverse("notices:notice", args=[n.pk])
    page = text(client.get(url))
    assert "You have confirmed reading this." in page
    assert "第一行<br>第二行 &lt;b&gt;粗&lt;/b&gt;" in page
    assert reverse("notices:notice_print", args=[n.pk]) in page
    client.get(url)
    assert Receipt.objects.filter(notice=n).count() == 1
    # The board now lists it as read.
    page = text(client.get(reverse("notices:board")))
    assert 'data-testid="unread"' not in page
    # Publishers' controls are not shown to a resident.
    assert 'data-testid="withdraw"' not in page


def test_a_notice_of_another_scope_or_a_draft_is_not_found(client, city):
    n = notice(city, place="B1")
    draft = notice(city, publish=False)
    as_(client, city.users["party_liaison"])  # lives in B2
    assert client.get(reverse("notices:notice", args=[n.pk])).status_code == 404
    assert client.get(reverse("notices:notice", args=[draft.pk])).status_code == 404
    assert client.get(reverse("notices:notice", args=[99999])).status_code == 404
    assert not Receipt.objects.exists()
    as_(client, city.users["tenant"])  # lives in B1
    assert client.get(reverse("notices:notice", args=[n.pk])).status_code == 200


def test_a_result_links_to_its_record_and_is_not_edited_here(client, city):
    result = services.publish_result(
        user=city.users["community_staff"],
        place=city.places["C1"],
        title="表决结果: 加装电梯",
        body="通过。",
        source="test:1",
        source_app="deliberation",
        link="/deliberation/",
    )
    page = text(as_(client, city.users["owner"]).get(reverse("notices:notice", args=[result.pk])))
    assert 'href="/deliberation/"' in page and "See the full record" in page
    as_(client, city.users["community_staff"])
    page = text(client.get(reverse("notices:notice_edit", args=[result.pk])))
    assert "A published result is corrected in its own module." in page


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "//evil.example/x", "ftp://x/y"])
def test_a_link_that_is_not_a_web_address_is_refused_naming_the_field(city, bad):
    with pytest.raises(Invalid) as exc:
        notice(city, link=bad)
    assert "link" in exc.value.errors
    assert not Notice.objects.filter(title="停水通知").exists()  # nothing half-saved


def test_a_web_address_is_linked(client, city):
    n = notice(city, link="https://www.example.gov.cn/notice/1")
    page = text(as_(client, city.users["owner"]).get(reverse("notices:notice", args=[n.pk])))
    assert 'href="https://www.example.gov.cn/notice/1"' in page


# --- Objections to a public notice ------------------------------------------------------------


def test_objection_flow(client, city, disclosure):
    url = reverse("notices:notice", args=[disclosure.pk])
    owner, staff = city.users["owner"], city.users["community_staff"]
    page = text(as_(client, owner).get(url))
    ends = disclosure.disclosure_ends_on.isoformat()
    assert f"Objections open until {ends}." in page
    assert 'data-testid="objection-form"' in page
    r = client.post(url, {"action": "object", "text": "  "})
    assert r.status_code == 200 and "text" in r.context["form"].errors
    assert not Objection.objects.exists()
    r = client.post(url, {"action": "object", "text": "预算偏高, 请公开报价。"})
    assert r.status_code == 302
    objection = Objection.objects.get()
    page = text(client.get(url))
    assert "My objections" in page and "预算偏高" in page and "Not answered yet." in page
    # A neighbour does not see it; the publisher answers it.
    page = text(as_(client, city.users["tenant"]).get(url))
    assert "预算偏高" not in page
    page = text(as_(client, staff).get(url))
    assert "预算偏高" in page and f'data-testid="answer-button-{objection.pk}"' in page
    assert 'data-testid="objection-form"' not in page  # staff without a home there
    r = client.post(url, {"action": "answer", "objection": objection.pk, "answer": ""})
    assert r.status_code == 200 and "answer" in r.context["form"].errors
    r = client.post(
        url, {"action": "answer", "objection": objection.pk, "answer": "已附三家报价。"}
    )
    assert r.status_code == 302
    page = text(as_(client, owner).get(url))
    assert "已附三家报价。" in page
    # A resident may not answer; an objection of another notice is not found here.
    r = client.post(url, {"action": "answer", "objection": objection.pk, "answer": "x"})
    assert r.status_code == 403
    other = notice(city, kind="disclosure", title="另一公示")
    other_url = reverse("notices:notice", args=[other.pk])
    as_(client, staff)
    r = client.post(other_url, {"action": "answer", "objection": objection.pk, "answer": "x"})
    assert r.status_code == 404


def test_objections_close_with_the_disclosure_period(client, city, disclosure):
    Notice.objects.filter(pk=disclosure.pk).update(
        disclosure_ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    url = reverse("notices:notice", args=[disclosure.pk])
    page = text(as_(client, city.users["owner"]).get(url))
    assert "The disclosure period is over." in page
    assert 'data-testid="objection-form"' not in page
    r = client.post(url, {"action": "object", "text": "太晚了"})
    assert r.status_code == 200 and "The disclosure period is over." in text(r)
    assert not Objection.objects.exists()


# --- Compose, edit, publish, pin, withdraw ----------------------------------------------------


def compose(client, city, **data):
    data.setdefault("place", city.places["C1"].pk)
    data.setdefault("kind", "announcement")
    data.setdefault("title", "垃圾分类新规")
    data.setdefault("body", "下周一起实行。")
    return client.post(reverse("notices:notice_new"), data)


def test_compose_offers_the_places_of_my_scope(client, city):
    page = text(as_(client, city.users["building_head"]).get(reverse("notices:notice_new")))
    assert f'value="{city.places["B1"].pk}"' in page
    assert f'value="{city.places["U1"].pk}"' in page
    assert f'value="{city.places["C1"].pk}"' not in page
    assert f'value="{city.places["B2"].pk}"' not in page
    for who in ("owner", "property_manager", "newcomer"):
        assert as_(client, city.users[who]).get(reverse("notices:notice_new")).status_code == 403
    as_(client, city.users["building_head"])
    # A place outside the scope (a tampered form) is refused; an unknown one is named.
    assert compose(client, city, place=city.places["C1"].pk).status_code == 403
    r = compose(client, city, place=999999)
    assert r.status_code == 200 and "place" in r.context["form"].errors
    assert not Notice.objects.exists()


def test_save_a_draft_then_publish_it(client, city):
    as_(client, city.users["community_staff"])
    r = compose(client, city, submit="draft", important="on", pinned="on")
    n = Notice.objects.get()
    assert r.status_code == 302 and r.url == reverse("notices:notice", args=[n.pk])
    assert n.status == NoticeStatus.DRAFT and n.important and n.pinned
    page = text(client.get(r.url))
    assert 'data-testid="publish"' in page and 'data-testid="edit"' in page
    assert not Receipt.objects.exists()  # a draft is not read
    assert client.post(r.url, {"action": "publish"}).status_code == 302
    n.refresh_from_db()
    assert n.status == NoticeStatus.PUBLISHED and n.published_at is not None
    # A resident may not publish, pin or withdraw.
    as_(client, city.users["owner"])
    for data in ({"action": "pin"}, {"action": "withdraw", "reason": "x"}):
        assert client.post(r.url, data).status_code == 403
    n.refresh_from_db()
    assert n.status == NoticeStatus.PUBLISHED


def test_the_services_errors_land_on_the_fields(client, city):
    as_(client, city.users["community_staff"])
    r = compose(client, city, kind="disclosure", submit="publish")
    assert "disclosure_ends_on" in r.context["form"].errors
    r = compose(client, city, title="   ", submit="publish")
    assert "title" in r.context["form"].errors
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    r = compose(client, city, kind="disclosure", disclosure_ends_on=past, submit="publish")
    assert "disclosure_ends_on" in r.context["form"].errors
    assert not Notice.objects.exists()  # nothing half-saved: no draft left behind


def test_the_privacy_guard_error_is_shown_on_the_form(client, city):
    as_(client, city.users["community_staff"])
    owner_name = city.users["owner"].name
    r = compose(
        client, city, kind="uncivil", title="飞线充电", body="有人飞线充电。", submit="publish"
    )
    assert "privacy" in r.context["form"].errors
    body = f"{owner_name} 在楼道飞线充电。"
    r = compose(
        client,
        city,
        kind="uncivil",
        title="飞线充电",
        body=body,
        privacy="nobody",
        submit="publish",
    )
    assert r.status_code == 200
    errors = r.context["form"].errors["body"]
    assert "The text names a resident" in errors[0] and owner_name not in errors[0]
    assert 'data-field="body"' in text(r)
    r = compose(client, city, kind="good_deed", body="x", privacy="consented", submit="publish")
    assert "consent_note" in r.context["form"].errors
    assert not Notice.objects.exists()
    r = compose(
        client,
        city,
        kind="good_deed",
        title="好人好事",
        body=f"{owner_name} 帮邻居修好了门锁。",
        privacy="consented",
        consent_note="本人 2026-11-02 书面同意",
        submit="publish",
    )
    assert r.status_code == 302
    assert Notice.objects.get().status == NoticeStatus.PUBLISHED


def test_edit_a_notice(client, city, announcement):
    url = reverse("notices:notice_edit", args=[announcement.pk])
    assert as_(client, city.users["owner"]).get(url).status_code == 403
    assert as_(client, city.users["community_staff_2"]).get(url).status_code == 404
    as_(client, city.users["community_staff"])
    page = text(client.get(url))
    assert announcement.title in page and 'name="pinned"' not in page
    data = {"kind": "announcement", "title": "停水通知(更正)", "body": "改为周四。"}
    r = client.post(url, {**data, "title": ""})
    assert r.status_code == 200 and "title" in r.context["form"].errors
    assert client.post(url, data).status_code == 302
    announcement.refresh_from_db()
    assert announcement.title == "停水通知(更正)" and announcement.body == "改为周四。"


def test_pin_and_withdraw_hides_it_from_residents(client, city, announcement):
    url = reverse("notices:notice", args=[announcement.pk])
    as_(client, city.users["community_staff"])
    assert client.post(url, {"action": "pin"}).status_code == 302
    announcement.refresh_from_db()
    assert announcement.pinned
    r = client.post(url, {"action": "withdraw", "reason": " "})
    assert r.status_code == 200 and "reason" in r.context["form"].errors
    r = client.post(url, {"action": "withdraw", "reason": "时间有误"})
    assert r.status_code == 302 and r.url == url  # the publisher still sees it
    page = text(client.get(url))
    assert 'data-status="withdrawn"' in page and "时间有误" in page
    announcement.refresh_from_db()
    assert announcement.status == NoticeStatus.WITHDRAWN and not announcement.pinned
    as_(client, city.users["owner"])
    assert client.get(url).status_code == 404
    assert announcement.title not in text(client.get(reverse("notices:board")))
    print_url = reverse("notices:notice_print", args=[announcement.pk])
    assert client.get(print_url).status_code == 404


# --- Attachments ------------------------------------------------------------------------------


def test_attachments_are_served_to_readers_only(client, city, announcement, media):
    url = reverse("notices:notice", args=[announcement.pk])
    as_(client, city.users["community_staff"])
    r = client.post(url, {"action": "attach"})
    assert r.status_code == 200 and "file" in r.context["form"].errors
    r = client.post(url, {"action": "attach", "file": png()})
    assert r.status_code == 302
    image = Attachment.objects.get()
    assert image.is_image
    doc = SimpleUploadedFile("说明.txt", "停水说明".encode(), content_type="text/plain")
    assert client.post(url, {"action": "attach", "file": doc}).status_code == 302
    document = Attachment.objects.exclude(pk=image.pk).get()
    image_url = reverse("notices:notice_attachment", args=[announcement.pk, image.pk])
    doc_url = reverse("notices:notice_attachment", args=[announcement.pk, document.pk])

    page = text(as_(client, city.users["owner"]).get(url))
    assert f'<img src="{image_url}"' in page and f'href="{doc_url}"' in page
    assert image.file.name not in page  # the stored media path is never linked
    r = client.get(image_url)
    # Re-encoded on upload (core.uploads), served inline as an image.
    assert r.status_code == 200 and r["Content-Type"].startswith("image/")
    assert b"".join(r.streaming_content)
    assert client.get(doc_url).status_code == 200
    # Outsiders: another community, a file named under another notice, the anonymous.
    assert as_(client, city.users["owner_2"]).get(image_url).status_code == 404
    other = notice(city, title="另一通知")
    wrong = reverse("notices:notice_attachment", args=[other.pk, image.pk])
    assert as_(client, city.users["owner"]).get(wrong).status_code == 404
    client.logout()
    r = client.get(image_url)
    assert r.status_code == 302 and r.url.startswith(reverse("people:login"))
    # The publisher removes one; a resident may not.
    as_(client, city.users["owner"])
    assert client.post(url, {"action": "detach", "attachment": image.pk}).status_code == 403
    as_(client, city.users["community_staff"])
    assert client.post(url, {"action": "detach", "attachment": image.pk}).status_code == 302
    assert list(Attachment.objects.all()) == [document]


# --- The A4 sheet -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["announcement", "disclosure", "good_deed", "uncivil"])
def test_print_page_for_every_kind(client, city, kind):
    n = notice(city, kind=kind, title=f"打印{kind}", body="正文\n第二段")
    page = text(as_(client, city.users["owner"]).get(reverse("notices:notice_print", args=[n.pk])))
    assert f"打印{kind}" in page and "正文<br>第二段" in page
    assert city.places["C1"].name in page
    assert "notices/print.css" in page and "data-print" in page
    assert 'class="top-nav"' not in page and "linju/linju.css" not in page
    if kind == "disclosure":
        ends = n.disclosure_ends_on.isoformat()
        assert f"Objections may be raised until {ends}" in page
    else:
        assert 'data-testid="disclosure"' not in page
    assert not Receipt.objects.exists()  # printing is not reading


def test_print_page_of_a_result_and_refusals(client, city):
    result = services.publish_result(
        user=city.users["community_staff"],
        place=city.places["E1"],
        title="红旗单元评比结果",
        body="第一名: 1单元",
        source="test:print",
        source_app="ratings",
    )
    url = reverse("notices:notice_print", args=[result.pk])
    assert "红旗单元评比结果" in text(as_(client, city.users["tenant"]).get(url))
    assert as_(client, city.users["owner_2"]).get(url).status_code == 404
    assert as_(client, city.users["newcomer"]).get(url).status_code == 404


def test_the_print_stylesheet_is_a4():
    from django.contrib.staticfiles import finders

    with open(finders.find("notices/print.css"), encoding="utf-8") as handle:
        css = handle.read()
    assert "@page { size: A4" in css and ".no-print { display: none" in css


# --- Coverage and the desk --------------------------------------------------------------------


def test_coverage_per_building(client, city):
    n = notice(city, important=True, title="消防演练")
    services.mark_read(user=city.users["owner"], notice=n)  # H101 in B1
    services.mark_read(user=city.users["community_staff"], notice=n)  # staff: no household
    url = reverse("notices:notice_coverage", args=[n.pk])
    r = as_(client, city.users["community_staff"]).get(url)
    assert r.status_code == 200
    rows = {row["building"].code: row for row in r.context["rows"]}
    b1, b2 = city.places["B1"], city.places["B2"]
    assert (rows[b1.code]["households"], rows[b1.code]["read"], rows[b1.code]["percent"]) == (
        2,
        1,
        50,
    )
    assert (rows[b2.code]["read"], rows[b2.code]["percent"]) == (0, 0)
    page = text(r)
    assert page.index(b2.name) < page.index(b1.name)  # the least covered first
    assert "In all: 1 of 3 households have read it (33%)." in page
    # Publishers only; a notice without receipts kept has no coverage page.
    assert as_(client, city.users["owner"]).get(url).status_code == 403
    assert as_(client, city.users["community_staff_2"]).get(url).status_code == 404
    plain = notice(city)
    as_(client, city.users["community_staff"])
    assert client.get(reverse("notices:notice_coverage", args=[plain.pk])).status_code == 404


def test_desk_lists_my_scope_with_counts(client, city, disclosure, django_assert_max_num_queries):
    notice(city, title="草稿", publish=False)
    notice(city, title="二号社区通知", who="community_staff_2", place="C2")
    services.raise_objection(user=city.users["owner"], notice_id=disclosure.pk, text="有异议")
    services.mark_read(user=city.users["owner"], notice=disclosure)
    as_(client, city.users["community_staff"]).get(reverse("notices:desk"))
    with django_assert_max_num_queries(16):
        r = client.get(reverse("notices:desk"))
    page = text(r)
    assert "草稿" in page and disclosure.title in page and "二号社区通知" not in page
    assert f'data-testid="readers-{disclosure.pk}">1<' in page
    assert f'data-testid="objections-{disclosure.pk}">1<' in page
    page = text(client.get(reverse("notices:desk"), {"status": "draft"}))
    assert "草稿" in page and disclosure.title not in page
    page = text(client.get(reverse("notices:desk"), {"kind": "disclosure", "status": "x"}))
    assert disclosure.title in page
    for who in ("owner", "property_manager", "newcomer"):
        assert as_(client, city.users[who]).get(reverse("notices:desk")).status_code == 403
    # A building head's desk holds their building's notices, not the community's.
    notice(city, title="一号楼通知", who="building_head", place="B1")
    page = text(as_(client, city.users["building_head"]).get(reverse("notices:desk")))
    assert "一号楼通知" in page and disclosure.title not in page


def test_home_tile_links_the_board(client, city):
    page = text(as_(client, city.users["owner"]).get("/"))
    assert f'href="{reverse("notices:board")}"' in page
