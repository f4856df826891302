"""/api/v1/notices: the board (unread first, filters, is_read, query count), opening a notice
records the receipt, the publishers' writes (422 naming the field, 409 with its code, 403 and
404), attachments served only to readers, objections and their answers, coverage."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linju.notices import services
from linju.notices.models import Attachment, Notice, NoticeStatus, Receipt

from .conftest import notice

pytestmark = pytest.mark.django_db
API = "/api/v1/notices"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def as_(client, user):
    client.force_login(user)
    return client


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_board_unread_first_with_is_read_and_filters(client, city):
    owner = city.users["owner"]
    old = notice(city, title="旧通知")
    disclosure = notice(city, kind="disclosure", title="公示")
    services.mark_read(user=owner, notice=disclosure)
    new = notice(city, title="新通知")
    r = as_(client, owner).get(API)
    assert r.status_code == 200, r.content
    body = r.json()
    assert [n["id"] for n in body["items"]] == [new.pk, old.pk, disclosure.pk]
    assert [n["is_read"] for n in body["items"]] == [False, False, True]
    assert body["count"] == 3 and body["items"][2]["objections_open"] is True
    r = client.get(API, {"kind": "disclosure"})
    assert [n["id"] for n in r.json()["items"]] == [disclosure.pk]
    r = client.get(API, {"unread": "true"})
    assert [n["id"] for n in r.json()["items"]] == [new.pk, old.pk]
    r = client.get(API, {"kind": "gossip"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"
    assert as_(client, city.users["owner_2"]).get(API).json()["items"] == []


def test_board_query_count_does_not_grow(client, city, django_assert_max_num_queries):
    staff = city.users["community_staff"]
    for n in range(8):
        made = notice(city, title=f"通知{n}")
        services.add_attachment(
            user=staff, notice_id=made.pk, upload=SimpleUploadedFile(f"{n}.pdf", PDF)
        )
    as_(client, city.users["owner"])
    client.get(API)  # warm the session and the permission caches
    with django_assert_max_num_queries(8):
        r = client.get(API)
    assert len(r.json()["items"]) == 8 and all(
        len(n["attachments"]) == 1 for n in r.json()["items"]
    )
    as_(client, staff)
    client.get(f"{API}/manage")
    with django_assert_max_num_queries(8):
        r = client.get(f"{API}/manage")
    assert len(r.json()["items"]) == 8


def test_opening_a_notice_records_the_receipt_once(client, city, announcement):
    owner = city.users["owner"]
    r = as_(client, owner).get(f"{API}/{announcement.pk}")
    assert r.status_code == 200 and r.json()["is_read"] is True
    assert r.json()["place"]["name"] == "C1" and r.json()["kind_label"] == "Announcement"
    client.get(f"{API}/{announcement.pk}")
    assert Receipt.objects.filter(notice=announcement, user=owner).count() == 1
    r = post(as_(client, city.users["tenant"]), f"{API}/{announcement.pk}/read")
    assert r.json() == {"id": announcement.pk, "is_read": True, "new": True}
    r = post(client, f"{API}/{announcement.pk}/read")
    assert r.json()["new"] is False
    assert as_(client, city.users["owner_2"]).get(f"{API}/{announcement.pk}").status_code == 404
    assert post(client, f"{API}/{announcement.pk}/read").status_code == 404
    assert client.get(f"{API}/999999").status_code == 404


def test_write_publish_pin_withdraw(client, city):
    u = city.users
    as_(client, u["community_staff"])
    ends = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    r = post(
        client,
        API,
        {
            "place": city.places["E1"].pk,
            "kind": "disclosure",
            "title": "公示: 停车位分配",
            "body": "名单见附件。",
            "disclosure_ends_on": ends,
        },
    )
    assert r.status_code == 201, r.content
    made = r.json()
    assert made["status"] == "draft" and made["disclosure_ends_on"] == ends
    pk = made["id"]
    # A draft is its publishers' only.
    assert as_(client, u["owner"]).get(f"{API}/{pk}").status_code == 404
    assert post(client, f"{API}/{pk}/publish").status_code == 404
    r = post(as_(client, u["property_manager"]), f"{API}/{pk}/publish")
    assert r.status_code == 404  # a draft is not shown to readers who do not publish
    as_(client, u["community_staff"])
    r = client.patch(f"{API}/{pk}", {"title": "公示: 停车位分配 (修订)"}, "application/json")
    assert r.status_code == 200 and r.json()["title"] == "公示: 停车位分配 (修订)"
    assert r.json()["body"] == "名单见附件。" and r.json()["disclosure_ends_on"] == ends
    r = post(client, f"{API}/{pk}/publish")
    assert r.status_code == 200 and r.json()["status"] == "published"
    r = post(client, f"{API}/{pk}/publish")
    assert r.status_code == 409 and r.json()["code"] == "not_draft"
    r = post(client, f"{API}/{pk}/pin", {"pinned": True})
    assert r.status_code == 200 and r.json()["pinned"] is True
    # Readers see it, and may not change it.
    r = post(as_(client, u["owner"]), f"{API}/{pk}/pin", {"pinned": False})
    assert r.status_code == 403
    r = client.patch(f"{API}/{pk}", {"title": "x"}, "application/json")
    assert r.status_code == 403
    assert Notice.objects.get(pk=pk).title == "公示: 停车位分配 (修订)"
    as_(client, u["community_staff"])
    r = post(client, f"{API}/{pk}/withdraw", {"reason": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = post(client, f"{API}/{pk}/withdraw", {"reason": "名单有误"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert r.json()["withdraw_reason"] == "名单有误" and r.json()["pinned"] is False
    r = post(client, f"{API}/{pk}/withdraw", {"reason": "再撤"})
    assert r.status_code == 409 and r.json()["code"] == "withdrawn"
    assert as_(client, u["owner"]).get(f"{API}/{pk}").status_code == 404


def test_publish_at_once_and_the_privacy_guard(client, city):
    as_(client, city.users["community_staff"])
    base = {"place": city.places["C1"].pk, "kind": "uncivil", "title": "高空抛物", "publish": True}
    r = post(
        client,
        API,
        {**base, "body": f"{city.users['owner'].name}家高空抛物。", "privacy": "nobody"},
    )
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert error["field"] == "body" and "张*****明" in error["message"]
    assert not Notice.objects.exists()
    r = post(client, API, {**base, "body": "有人高空抛物, 请勿模仿。"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "privacy"
    r = post(client, API, {**base, "body": "有人高空抛物, 请勿模仿。", "privacy": "nobody"})
    assert r.status_code == 201 and r.json()["status"] == "published"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"kind": "result"}, "kind"),
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"body": "   "}, "body"),
        ({"place": 999999}, "place"),
        ({"place": 0}, "place"),
        ({"kind": "disclosure"}, "disclosure_ends_on"),
        ({"kind": "disclosure", "disclosure_ends_on": "2026-02-30"}, "disclosure_ends_on"),
        (
            {"kind": "disclosure", "disclosure_ends_on": "2000-01-01", "publish": True},
            "disclosure_ends_on",
        ),
        ({"kind": "good_deed", "privacy": "consented", "publish": True}, "consent_note"),
        ({"privacy": "maybe"}, "privacy"),
    ],
)
def test_bad_input_422_names_the_field(client, city, body, field):
    good = {"place": city.places["C1"].pk, "kind": "announcement", "title": "t", "body": "b"}
    r = post(as_(client, city.users["community_staff"]), API, {**good, **body})
    assert r.status_code == 422, r.content
    assert field in [e["field"] for e in r.json()["errors"]]


def test_create_outside_the_scope_is_403(client, city):
    body = {"place": city.places["C2"].pk, "kind": "announcement", "title": "t", "body": "b"}
    assert post(as_(client, city.users["community_staff"]), API, body).status_code == 403
    assert post(as_(client, city.users["owner"]), API, body).status_code == 403
    client.logout()
    assert post(client, API, body).status_code == 401
    assert not Notice.objects.exists()


def test_a_result_is_not_corrected_by_hand(client, city):
    result = services.publish_result(
        user=city.users["community_staff"],
        place=city.places["C1"],
        title="表决结果",
        body="通过",
        source="test:1",
        source_app="deliberation",
    )
    r = as_(client, city.users["community_staff"]).patch(
        f"{API}/{result.pk}", {"title": "改"}, "application/json"
    )
    assert r.status_code == 409 and r.json()["code"] == "result"
    r = as_(client, city.users["owner"]).get(API, {"kind": "result"})
    assert r.json()["items"][0]["source_app"] == "deliberation"


def test_attachments_for_readers_only(client, city, announcement):
    u = city.users
    url = f"{API}/{announcement.pk}/attachments"
    r = as_(client, u["community_staff"]).post(url, {"file": SimpleUploadedFile("预算.pdf", PDF)})
    assert r.status_code == 201, r.content
    att = r.json()
    assert att["name"] == "预算.pdf" and att["is_image"] is False
    assert att["url"] == f"{API}/attachments/{att['id']}"
    r = client.post(url, {})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
    r = client.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00binary")})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
    r = as_(client, u["owner"]).get(att["url"])
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert "attachment" in r["Content-Disposition"]
    assert client.get(f"{API}/{announcement.pk}").json()["attachments"][0]["id"] == att["id"]
    assert client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 403
    assert client.delete(att["url"]).status_code == 403
    assert as_(client, u["owner_2"]).get(att["url"]).status_code == 404
    assert client.delete(att["url"]).status_code == 404
    r = as_(client, u["community_staff"]).delete(att["url"])
    assert r.status_code == 204
    assert not Attachment.objects.exists()
    assert client.get(att["url"]).status_code == 404


def test_objections_and_answers(client, city, disclosure):
    u = city.users
    url = f"{API}/{disclosure.pk}/objections"
    r = post(as_(client, u["owner"]), url, {"text": "预算偏高"})
    assert r.status_code == 201, r.content
    objection = r.json()
    assert objection["mine"] and objection["author"] == u["owner"].name
    r = post(client, url, {"text": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "text"
    assert post(as_(client, u["building_head"]), url, {"text": "x"}).status_code == 403
    assert post(as_(client, u["owner_2"]), url, {"text": "x"}).status_code == 404
    # The objector sees theirs; another resident sees none; the publisher sees all, named.
    assert [o["id"] for o in as_(client, u["owner"]).get(url).json()] == [objection["id"]]
    assert as_(client, u["tenant"]).get(url).json() == []
    mine = as_(client, u["community_staff"]).get(url).json()
    assert mine[0]["author"] == u["owner"].name and mine[0]["mine"] is False
    answer = f"{API}/objections/{objection['id']}/answer"
    assert post(as_(client, u["tenant"]), answer, {"answer": "x"}).status_code == 403
    assert post(as_(client, u["community_staff_2"]), answer, {"answer": "x"}).status_code == 404
    r = post(as_(client, u["community_staff"]), answer, {"answer": "已核实。"})
    assert r.status_code == 200 and r.json()["answer"] == "已核实。"
    assert r.json()["answered_at"]
    assert as_(client, u["owner"]).get(url).json()[0]["answer"] == "已核实。"
    r = post(client, f"{API}/objections/999999/answer", {"answer": "x"})
    assert r.status_code == 404
    Notice.objects.filter(pk=disclosure.pk).update(
        disclosure_ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    r = post(as_(client, u["tenant"]), url, {"text": "晚了"})
    assert r.status_code == 409 and r.json()["code"] == "closed"


def test_coverage_for_publishers(client, city):
    u = city.users
    important = notice(city, important=True, title="消防演练")
    for key in ("owner", "tenant"):
        services.mark_read(user=u[key], notice=important)
    url = f"{API}/{important.pk}/coverage"
    r = as_(client, u["community_staff"]).get(url)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["total"] == {"households": 3, "read": 2, "percent": 67}
    assert [
        (b["building"], b["households"], b["read"], b["percent"]) for b in body["buildings"]
    ] == [
        ("B2", 1, 0, 0),
        ("B1", 2, 2, 100),
    ]
    assert as_(client, u["owner"]).get(url).status_code == 403
    assert as_(client, u["owner_2"]).get(url).status_code == 404


def test_manage_lists_drafts_with_counts(client, city, disclosure):
    u = city.users
    draft = notice(city, publish=False, title="草稿")
    services.raise_objection(user=u["owner"], notice_id=disclosure.pk, text="x")
    services.mark_read(user=u["owner"], notice=disclosure)
    r = as_(client, u["community_staff"]).get(f"{API}/manage")
    rows = {n["id"]: n for n in r.json()["items"]}
    assert rows[draft.pk]["status"] == NoticeStatus.DRAFT
    assert rows[disclosure.pk]["open_objections"] == 1 and rows[disclosure.pk]["readers"] == 1
    r = client.get(f"{API}/manage", {"status": "draft"})
    assert [n["id"] for n in r.json()["items"]] == [draft.pk]
    assert as_(client, u["owner"]).get(f"{API}/manage").json()["items"] == []
    assert as_(client, u["community_staff_2"]).get(f"{API}/manage").json()["items"] == []
