"""/api/v1/reports: snap-and-report (随手拍) as JSON, for each role inside and outside its scope:
categories, submitting (JSON and multipart with real photos), similar reports and "me too", the
staff queue, the report with its timeline, photos and actions, joint cases, the public estate
page and the figures."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from PIL import Image

from linju.core import tokens
from linju.core.api_support import CappedLimitOffset
from linju.core.tests.test_api import API, api_client, assert_error, count_queries, post
from linju.reports import services
from linju.reports.models import Category, Photo, Report, Status

from .conftest import jpeg_bytes, upload

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def as_(city, key, **kwargs) -> Client:
    return api_client(city.users[key], **kwargs)


def submit_json(city, key="owner", place="B1", **fields):
    fields.setdefault("category", "clutter")
    fields.setdefault("description", "楼道里堆满了纸箱")
    fields["place"] = city.places[place].pk if place in city.places else place
    return post(as_(city, key), "/reports", fields)


def act(city, key, report, action, data=None):
    return post(as_(city, key), f"/reports/{getattr(report, 'pk', report)}/{action}", data or {})


def status_of(report) -> str:
    return Report.objects.get(pk=report.pk).status


# --- Authentication, CSRF, OpenAPI ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/reports",
        "/reports/mine",
        "/reports/categories",
        "/reports/categories/clutter",
        "/reports/similar?category=clutter&place=1",
        "/reports/figures",
        "/reports/overdue",
        "/reports/1",
        "/reports/1/timeline",
        "/reports/1/photos/1",
        "/reports/1/handlers",
        "/reports/1/messages",
    ],
)
def test_anonymous_gets_401(client, db, path):
    assert_error(client.get(API + path), 401, "unauthenticated")


@pytest.mark.parametrize("path", ["", "/1/accept", "/bulk-dispatch", "/categories", "/1/notes"])
def test_anonymous_writes_get_401(client, db, path):
    assert_error(post(client, "/reports" + path, {}), 401, "unauthenticated")


def test_session_posts_need_the_csrf_token(city, media):
    no_csrf = as_(city, "owner", csrf=False)
    payload = {"category": "clutter", "place": city.places["B1"].pk, "description": "纸箱"}
    assert_error(post(no_csrf, "/reports", payload), 403, "csrf_failed")
    multipart = no_csrf.post(f"{API}/reports", {**payload, "photos": [upload()]})
    assert_error(multipart, 403, "csrf_failed")
    assert not Report.objects.exists()

    report = services.submit_report(
        user=city.users["owner"],
        category_code="clutter",
        place_id=city.places["B1"].pk,
        description="纸箱",
    )
    staff_no_csrf = as_(city, "grid_worker", csrf=False)
    assert_error(post(staff_no_csrf, f"/reports/{report.pk}/accept", {}), 403, "csrf_failed")
    assert status_of(report) == Status.SUBMITTED
    # A bearer token carries no cookie, so no CSRF token is needed.
    _, key = tokens.create_token(user=city.users["grid_worker"], name="script")
    by_token = api_client(token=key, csrf=False)
    assert post(by_token, f"/reports/{report.pk}/accept", {}).status_code == 200
    assert status_of(report) == Status.ACCEPTED


def test_openapi_documents_every_route(client, db):
    schema = client.get(API + "/openapi.json").json()
    paths = schema["paths"]
    expected = {
        "/api/v1/reports": {"get", "post"},
        "/api/v1/reports/categories": {"get", "post"},
        "/api/v1/reports/categories/{code}": {"get", "patch"},
        "/api/v1/reports/categories/{code}/attributes": {"post"},
        "/api/v1/reports/categories/{code}/attributes/{attr_code}": {"patch", "delete"},
        "/api/v1/reports/similar": {"get"},
        "/api/v1/reports/mine": {"get"},
        "/api/v1/reports/public": {"get"},
        "/api/v1/reports/figures": {"get"},
        "/api/v1/reports/overdue": {"get"},
        "/api/v1/reports/bulk-dispatch": {"post"},
        "/api/v1/reports/{report_id}": {"get"},
        "/api/v1/reports/{report_id}/timeline": {"get"},
        "/api/v1/reports/{report_id}/photos/{photo_id}": {"get"},
        "/api/v1/reports/{report_id}/handlers": {"get"},
        "/api/v1/reports/{report_id}/messages": {"get", "post"},
        "/api/v1/reports/{report_id}/notes": {"post"},
    }
    for action in [
        "support",
        "accept",
        "reject",
        "dispatch",
        "start",
        "resolve",
        "confirm",
        "reopen",
        "rate",
        "escalate",
        "merge",
        "joint",
    ]:
        expected[f"/api/v1/reports/{{report_id}}/{action}"] = {"post"}
    for path, methods in expected.items():
        assert path in paths, path
        assert set(paths[path]) >= methods, path
        for method in methods:
            op = paths[path][method]
            assert op["summary"] and op["description"], (path, method)
            assert op["tags"] == ["reports"]
            codes = set(op["responses"])
            assert codes & {"200", "201"} and "422" in codes and "403" in codes, (path, codes)
    body = paths["/api/v1/reports"]["post"]["requestBody"]["content"]
    assert set(body) == {"multipart/form-data", "application/json"}
    assert "photos" in body["multipart/form-data"]["schema"]["properties"]
    photo = paths["/api/v1/reports/{report_id}/photos/{photo_id}"]["get"]["responses"]["200"]
    assert "image/jpeg" in photo["content"]
    # Public list is the one route without authentication.
    assert not paths["/api/v1/reports/public"]["get"].get("security")
    assert paths["/api/v1/reports/mine"]["get"]["security"]
    page = paths["/api/v1/reports"]["get"]["responses"]["200"]["content"]["application/json"]
    ref = page["schema"]["$ref"].rsplit("/", 1)[-1]
    props = set(schema["components"]["schemas"][ref]["properties"])
    assert props == {"items", "count", "capped", "next"}


# --- Categories ---------------------------------------------------------------------------------


def test_categories_list_and_one(city):
    owner = as_(city, "owner")
    page = owner.get(API + "/reports/categories?limit=100").json()
    codes = [c["code"] for c in page["items"]]
    assert "elevator" in codes and "dispute" in codes and page["count"] == len(codes)
    elevator = owner.get(API + "/reports/categories/elevator").json()
    assert [a["code"] for a in elevator["attributes"]] == ["elevator", "trapped"]
    trapped = elevator["attributes"][1]
    assert trapped["required"] and {v["key"] for v in trapped["values"]} == {"yes", "no"}
    assert elevator["handler_role"] == "property_manager" and elevator["urgent"]
    assert owner.get(API + "/reports/categories/dispute").json()["is_public"] is False
    assert_error(owner.get(API + "/reports/categories/no-such"), 404, "not_found")


def test_categories_query_count_is_bounded(city):
    few, body = count_queries(as_(city, "owner"), "/reports/categories?limit=100")
    assert body["count"] == 12
    Category.objects.bulk_create(Category(code=f"extra-{i}", name=f"extra {i}") for i in range(20))
    many, body = count_queries(as_(city, "owner"), "/reports/categories?limit=100")
    assert body["count"] == 32 and many == few


def test_category_management_by_the_subdistrict_only(city):
    admin = as_(city, "subdistrict_admin")
    staff = as_(city, "community_staff")
    payload = {"code": "pets", "name": "宠物扰民", "level": 2, "handler_role": "community_staff"}
    assert_error(post(staff, "/reports/categories", payload), 403, "forbidden")
    created = post(admin, "/reports/categories", payload)
    assert created.status_code == 201, created.content
    assert created.json()["level"] == 2 and created.json()["attributes"] == []
    assert_error(post(admin, "/reports/categories", payload), 422, "invalid", field="code")
    bad = {**payload, "code": "x2", "accept_hours": 0}
    assert_error(post(admin, "/reports/categories", bad), 422, "invalid", field="accept_hours")
    bad_role = {**payload, "code": "x3", "handler_role": "mayor"}
    assert_error(post(admin, "/reports/categories", bad_role), 422, "invalid", "handler_role")

    changed = post(admin, "/reports/categories/pets", {"resolve_hours": 48}, method="patch")
    assert changed.status_code == 200 and changed.json()["resolve_hours"] == 48
    assert changed.json()["name"] == "宠物扰民"  # untouched
    assert_error(
        post(staff, "/reports/categories/pets", {"name": "x"}, method="patch"), 403, "forbidden"
    )
    post(admin, "/reports/categories/pets", {"active": False}, method="patch")
    # Closed: gone for residents, still there for its managers.
    assert_error(as_(city, "owner").get(API + "/reports/categories/pets"), 404, "not_found")
    listed = admin.get(API + "/reports/categories?all=true&limit=100").json()
    assert "pets" in [c["code"] for c in listed["items"]]
    owner_list = as_(city, "owner").get(API + "/reports/categories?all=true&limit=100").json()
    assert "pets" not in [c["code"] for c in owner_list["items"]]


def test_category_questions(city):
    admin = as_(city, "subdistrict_admin")
    url = "/reports/categories/noise/attributes"
    no_values = {"code": "when", "datatype": "singlevaluelist", "description": "什么时候？"}
    assert_error(post(admin, url, no_values), 422, "invalid", field="values")
    assert_error(post(admin, url, {**no_values, "datatype": "colour"}), 422, "invalid", "datatype")
    values = [{"key": "night", "name": "夜间"}, {"key": "day", "name": "白天"}]
    created = post(admin, url, {**no_values, "values": values, "required": True})
    assert created.status_code == 201, created.content
    assert created.json()["values"] == values
    assert_error(post(as_(city, "community_staff"), url, no_values), 403, "forbidden")
    changed = post(admin, url + "/when", {"required": False}, method="patch")
    assert changed.status_code == 200 and changed.json()["required"] is False
    assert_error(post(admin, url + "/nope", {"required": False}, method="patch"), 404, "not_found")
    assert_error(as_(city, "community_staff").delete(f"{API}{url}/when"), 403, "forbidden")
    deleted = admin.delete(f"{API}{url}/when")
    assert deleted.status_code == 200 and deleted.json()["attributes"] == []


# --- Submitting -----------------------------------------------------------------------------------


def test_submit_json(city, media):
    response = submit_json(city, title="纸箱", hide_name=True, map_x=0.3, map_y=0.6)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["view"] == "full" and body["status"] == "submitted" and body["level"] == 1
    assert body["place"] == {"id": city.places["B1"].pk, "name": "B1", "label": "E1 B1"}
    assert body["reporter"]["mobile"] == city.users["owner"].mobile  # my own, in full
    assert body["reporter_name"] == ""  # hidden from the public
    assert body["allowed"] == {
        "decide": False,
        "work": False,
        "coordinate": False,
        "reporter": True,
    }
    assert body["created_at"].endswith("+08:00")
    report = Report.objects.get(pk=body["id"])
    assert report.source == "api" and report.map_x == 0.3 and report.hide_name
    unit = submit_json(
        city, place="U1", category="elevator", attributes={"elevator": "2号", "trapped": "no"}
    )
    assert unit.status_code == 201, unit.content
    assert unit.json()["place"]["label"] == "E1 B1 U1"
    assert unit.json()["attributes"] == {"elevator": "2号", "trapped": "no"}


def test_submit_errors_name_the_field(city, media):
    assert_error(submit_json(city, category="nope"), 422, "invalid", field="category")
    assert_error(post(as_(city, "owner"), "/reports", {"place": 1}), 422, "invalid", "category")
    assert_error(submit_json(city, place=999999), 422, "invalid", field="place")
    assert_error(submit_json(city, place="U9"), 422, "invalid", field="place")
    assert_error(submit_json(city, description="  "), 422, "invalid", field="description")
    assert_error(submit_json(city, description="x" * 2001), 422, "invalid", "description")
    assert_error(submit_json(city, map_x=0.5), 422, "invalid", field="map_x")
    elevator = {"category": "elevator"}
    missing = submit_json(city, **elevator, attributes={"elevator": "2号"})
    assert_error(missing, 422, "invalid", field="attributes.trapped")
    wrong = submit_json(city, **elevator, attributes={"elevator": "2号", "trapped": "maybe"})
    assert_error(wrong, 422, "invalid", field="attributes.trapped")
    unknown = submit_json(city, attributes={"colour": "red"})
    assert_error(unknown, 422, "invalid", field="attributes.colour")
    assert_error(submit_json(city, attributes=["x"]), 422, "invalid", field="attributes")
    assert_error(post(as_(city, "owner"), "/reports", "{oops"), 422, "invalid_json", "body")
    assert_error(post(as_(city, "owner"), "/reports", "[1]"), 422, "invalid", "category")
    assert not Report.objects.exists()


def test_residents_report_only_in_their_estate(city, media):
    assert_error(submit_json(city, key="owner", place="B3"), 403, "forbidden")
    assert_error(submit_json(city, key="newcomer", place="B1"), 403, "forbidden")
    assert submit_json(city, key="owner_2", place="B3").status_code == 201
    # Staff report anywhere they may view.
    assert submit_json(city, key="community_staff", place="B2").status_code == 201


def test_multipart_submit_with_real_photos(city, media):
    owner = as_(city, "owner")
    fields = {
        "category": "elevator",
        "place": str(city.places["U1"].pk),
        "description": "电梯停在三楼",
        "hide_name": "true",
        "attributes": '{"elevator": "2号", "trapped": "yes"}',
    }
    response = owner.post(f"{API}/reports", {**fields, "photos": [upload(), upload("b.png")]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["attributes"] == {"elevator": "2号", "trapped": "yes"} and body["hide_name"]
    assert len(body["photos"]) == 2
    first = body["photos"][0]
    assert max(first["width"], first["height"]) == 1600  # resized on the server

    image = owner.get(first["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(image.streaming_content))) as img:
        assert img.format == "JPEG" and not img.getexif()  # no GPS, no camera
    # Staff in scope see it; a resident of another estate or staff elsewhere do not.
    assert as_(city, "grid_worker").get(first["url"]).status_code == 200
    assert_error(as_(city, "owner_2").get(first["url"]), 404, "not_found")
    assert_error(as_(city, "community_staff_2").get(first["url"]), 404, "not_found")
    other = Photo.objects.get(pk=first["id"]).report_id + 1000
    assert_error(owner.get(f"{API}/reports/{other}/photos/{first['id']}"), 404, "not_found")


def test_multipart_photo_errors_name_the_photo(city, media):
    owner = as_(city, "owner")
    fields = {"category": "clutter", "place": city.places["B1"].pk, "description": "纸箱"}
    not_a_photo = io.BytesIO(b"%PDF-1.4 not an image")
    not_a_photo.name = "scan.pdf"
    bad = owner.post(f"{API}/reports", {**fields, "photos": [upload(), not_a_photo]})
    assert_error(bad, 422, "invalid", field="photos.1")
    ten = owner.post(f"{API}/reports", {**fields, "photos": [upload() for _ in range(10)]})
    assert_error(ten, 422, "invalid", field="photos")
    bad_answers = owner.post(f"{API}/reports", {**fields, "attributes": "{not json"})
    assert_error(bad_answers, 422, "invalid", field="attributes")
    assert_error(owner.post(f"{API}/reports", {"place": "B1"}), 422, "invalid", field="place")
    assert not Report.objects.exists() and not Photo.objects.exists()


# --- Similar reports and "me too" --------------------------------------------------------------


def test_similar_reports_and_me_too(city, submit):
    shown = submit(place="U1", hide_name=False)
    hidden = submit(place="B1", hide_name=True, description="又堆了")
    submit(place="B2")  # another building
    private = submit(category="dispute", place="B1", description="楼上噪音")
    tenant = as_(city, "tenant")
    url = f"/reports/similar?category=clutter&place={city.places['U1'].pk}"
    cards = tenant.get(API + url).json()
    assert [c["id"] for c in cards] == [hidden.pk, shown.pk]
    assert cards[1]["reporter_name"] == "张*****明" and cards[0]["reporter_name"] == ""
    assert "reporter" not in cards[0] and not cards[0]["supported_by_me"]
    # A private category's reports are not offered to neighbours…
    dispute_url = f"/reports/similar?category=dispute&place={city.places['B1'].pk}"
    assert tenant.get(API + dispute_url).json() == []
    # …but their reporter sees their own.
    mine = as_(city, "owner").get(API + dispute_url).json()
    assert [c["id"] for c in mine] == [private.pk] and mine[0]["reported_by_me"]
    assert_error(
        tenant.get(API + "/reports/similar?category=x&place=1"), 422, "invalid", "category"
    )
    bad_place = f"/reports/similar?category=clutter&place={city.places['C1'].pk}"
    assert_error(tenant.get(API + bad_place), 422, "invalid", field="place")

    backed = act(city, "tenant", shown, "support")
    assert backed.status_code == 200, backed.content
    assert backed.json()["view"] == "public" and backed.json()["supported_by_me"]
    assert backed.json()["supporter_count"] == 1
    assert_error(act(city, "tenant", shown, "support"), 409, "already_supported")
    assert_error(act(city, "owner", shown, "support"), 409, "own_report")
    assert_error(act(city, "tenant", private, "support"), 404, "not_found")
    assert tenant.get(API + url).json()[1]["supported_by_me"]
    # The report I back is among mine, marked as not filed by me.
    rows = tenant.get(API + "/reports/mine").json()["items"]
    assert [(r["id"], r["reported_by_me"]) for r in rows] == [(shown.pk, False)]


# --- One report: who sees what ----------------------------------------------------------------


def test_report_view_by_role(city, submit):
    report = submit(place="U1", hide_name=True, attributes={})
    url = f"{API}/reports/{report.pk}"
    owner = city.users["owner"]

    def view(key):
        response = as_(city, key).get(url)
        assert response.status_code == 200, (key, response.content)
        return response.json()

    grid = view("grid_worker")
    assert grid["view"] == "full" and grid["allowed"]["decide"]
    assert grid["reporter"] == {"id": owner.pk, "name": owner.name, "mobile": owner.mobile}
    # The property company sees the report but, outside the handling roles, masked details.
    pm = view("property_manager")
    assert pm["view"] == "full" and not pm["allowed"]["decide"]
    assert pm["reporter"]["mobile"] == owner.mobile[:3] + "****" + owner.mobile[-4:]
    assert pm["reporter"]["name"] == "张*****明"
    # Other estates' residents and other communities' staff get the public card only.
    for key in ("owner_2", "community_staff_2", "tenant"):
        card = view(key)
        assert card["view"] == "public", key
        assert card["reporter"] is None and card["reporter_name"] == ""
        assert card["photos"] == [] and card["handler"] is None
        assert card["allowed"] == {
            "decide": False,
            "work": False,
            "coordinate": False,
            "reporter": False,
        }
    assert_error(as_(city, "owner").get(f"{API}/reports/999999"), 404, "not_found")


def test_private_reports_are_404_outside_their_reach(city, submit):
    report = submit(category="dispute", place="B1")
    url = f"{API}/reports/{report.pk}"
    for key in ("owner_2", "community_staff_2", "tenant", "grid_worker_2", "newcomer"):
        assert_error(as_(city, key).get(url), 404, "not_found")
        assert_error(as_(city, key).get(url + "/timeline"), 404, "not_found")
        assert_error(act(city, key, report, "accept"), 404, "not_found")
    assert as_(city, "community_staff").get(url).json()["view"] == "full"
    assert as_(city, "owner").get(url).json()["view"] == "full"


def test_the_handler_sees_the_reporter_to_call_them_back(city, submit):
    """A partner organisation handles the report but holds no staff scope over it; the report
    was dispatched to it, so it sees whom to call (hiding the name is from the public)."""
    report = submit(hide_name=True)
    dispatched = act(
        city,
        "grid_worker",
        report,
        "dispatch",
        {"handler_id": city.users["partner"].pk, "note": "请协助"},
    )
    assert dispatched.status_code == 200, dispatched.content
    assert dispatched.json()["handler"]["role"] == "partner"
    owner = city.users["owner"]
    seen = as_(city, "partner").get(f"{API}/reports/{report.pk}").json()
    assert seen["view"] == "full"
    assert seen["reporter"] == {"id": owner.pk, "name": owner.name, "mobile": owner.mobile}
    assert seen["allowed"]["work"] and not seen["allowed"]["decide"]
    # Another partner, not the handler, sees only the public card, without the reporter.
    other = as_(city, "partner_2").get(f"{API}/reports/{report.pk}").json()
    assert other["view"] == "public" and other.get("reporter") is None
    # The owners' committee views the estate's reports but is no handler: masked.
    seen = as_(city, "owners_committee").get(f"{API}/reports/{report.pk}").json()
    assert seen["reporter"]["name"] == "张*****明"


# --- The workflow through the API --------------------------------------------------------------


def test_full_cycle(city, submit):
    u = city.users
    report = submit(photos=[upload()])
    assert_error(act(city, "owner", report, "accept"), 403, "forbidden")
    assert_error(act(city, "property_manager", report, "accept"), 403, "forbidden")
    assert_error(act(city, "community_staff_2", report, "accept"), 403, "forbidden")
    accepted = act(city, "grid_worker", report, "accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["resolve_due_at"]
    assert_error(act(city, "grid_worker", report, "accept"), 409, "wrong_status")

    handlers = as_(city, "grid_worker").get(f"{API}/reports/{report.pk}/handlers").json()
    roles = {h["role"] for h in handlers}
    assert {"grid_worker", "property_manager", "partner", "community_staff"} <= roles
    assert u["unit_head"].pk not in {h["id"] for h in handlers}  # U1 is not the report's place
    assert_error(
        as_(city, "property_manager").get(f"{API}/reports/{report.pk}/handlers"), 403, "forbidden"
    )
    assert_error(as_(city, "owner").get(f"{API}/reports/{report.pk}/handlers"), 403, "forbidden")
    bad = act(city, "grid_worker", report, "dispatch", {"handler_id": u["owner_2"].pk})
    assert_error(bad, 422, "invalid", field="handler_id")
    assert_error(act(city, "grid_worker", report, "dispatch", {}), 422, "invalid", "handler_id")
    dispatched = act(
        city,
        "grid_worker",
        report,
        "dispatch",
        {"handler_id": u["property_manager"].pk, "note": "请物业处理"},
    )
    assert dispatched.json()["handler"] == {
        "id": u["property_manager"].pk,
        "name": u["property_manager"].name,
        "role": "property_manager",
    }
    assert act(city, "property_manager", report, "start").json()["status"] == "in_progress"
    assert_error(act(city, "property_manager", report, "resolve", {}), 422, "invalid", "reply")
    assert_error(
        act(city, "property_manager", report, "resolve", {"reply": " "}), 422, "invalid", "reply"
    )
    # The handler answers with a photo of the fix (multipart).
    resolved = as_(city, "property_manager").post(
        f"{API}/reports/{report.pk}/resolve", {"reply": "已清理", "photos": [upload()]}
    )
    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["status"] == "resolved" and resolved.json()["reply"] == "已清理"
    assert len(resolved.json()["photos"]) == 2

    assert_error(act(city, "tenant", report, "confirm"), 403, "forbidden")
    assert_error(act(city, "owner", report, "confirm", {"rating": 6}), 422, "invalid", "rating")
    confirmed = act(city, "owner", report, "confirm", {"rating": 5, "comment": "很快"})
    assert confirmed.json()["status"] == "closed" and confirmed.json()["rating"] == 5
    assert_error(act(city, "owner", report, "rate", {"rating": 4}), 409, "already_rated")
    assert_error(act(city, "owner", report, "reopen", {"comment": "x"}), 409, "wrong_status")

    steps = as_(city, "owner").get(f"{API}/reports/{report.pk}/timeline").json()["items"]
    assert [s["kind"] for s in steps] == [
        "submitted",
        "accepted",
        "dispatched",
        "started",
        "resolved",
        "confirmed",
        "rated",
    ]
    assert len(steps[0]["photos"]) == 1 and len(steps[4]["photos"]) == 1
    assert steps[2]["actor"]["name"] == u["grid_worker"].name


def test_reject_reopen_rate_escalate_merge(city, submit):
    rejected = submit()
    assert_error(act(city, "grid_worker", rejected, "reject", {}), 422, "invalid", "reason")
    assert_error(
        act(city, "grid_worker", rejected, "reject", {"reason": "  "}), 422, "invalid", "reason"
    )
    answer = act(city, "grid_worker", rejected, "reject", {"reason": "不属于公共区域"})
    assert answer.json()["status"] == "rejected" and answer.json()["reply"] == "不属于公共区域"

    report = submit()
    act(city, "grid_worker", report, "accept")
    post(as_(city, "grid_worker"), f"/reports/{report.pk}/resolve", {"reply": "已清理"})
    assert_error(act(city, "owner", report, "reopen", {}), 422, "invalid", "comment")
    reopened = act(city, "owner", report, "reopen", {"comment": "还有两箱"})
    assert reopened.json()["status"] == "reopened"
    assert_error(act(city, "owner", report, "rate", {"rating": 3}), 409, "wrong_status")
    act(city, "grid_worker", report, "resolve", {"reply": "都清了"})
    act(city, "owner", report, "confirm")
    assert_error(act(city, "owner", report, "rate", {}), 422, "invalid", "rating")
    assert act(city, "owner", report, "rate", {"rating": 4}).json()["rating"] == 4

    whistle = submit()
    assert_error(act(city, "grid_worker", whistle, "escalate", {}), 422, "invalid", "reason")
    assert_error(act(city, "owner", whistle, "escalate", {"reason": "x"}), 403, "forbidden")
    up = act(city, "grid_worker", whistle, "escalate", {"reason": "需要社区协调"})
    assert up.json()["level"] == 2 and up.json()["escalations"] == 1
    # Now the community's level: the grid worker sees it but no longer decides.
    assert (
        not as_(city, "grid_worker").get(f"{API}/reports/{whistle.pk}").json()["allowed"]["decide"]
    )
    assert_error(act(city, "grid_worker", whistle, "accept"), 403, "forbidden")

    dup, original = submit(), submit()
    assert_error(act(city, "grid_worker", dup, "merge", {"into": 999999}), 422, "invalid", "into")
    assert_error(act(city, "grid_worker", dup, "merge", {"into": rejected.pk}), 409, "target_final")
    merged = act(city, "grid_worker", dup, "merge", {"into": original.pk})
    assert merged.json()["status"] == "merged" and merged.json()["merged_into"] == original.pk


def test_joint_case_thread_and_notes(city, submit):
    report = submit()
    url = f"/reports/{report.pk}/messages"
    not_joint = post(as_(city, "property_manager"), url, {"body": "我们来处理"})
    assert_error(not_joint, 409, "not_joint")
    assert_error(act(city, "property_manager", report, "joint"), 403, "forbidden")
    opened = act(city, "grid_worker", report, "joint", {"note": "请三方协调"})
    assert opened.status_code == 200 and opened.json()["joint"]
    assert_error(act(city, "grid_worker", report, "joint"), 409, "already_joint")
    posted = post(as_(city, "property_manager"), url, {"body": "我们来处理"})
    assert posted.status_code == 201, posted.content
    assert posted.json()["role"] == "property_manager"
    assert_error(post(as_(city, "property_manager"), url, {"body": " "}), 422, "invalid", "body")
    thread = as_(city, "owners_committee").get(API + url).json()
    assert [m["body"] for m in thread["items"]] == ["请三方协调", "我们来处理"]
    # The reporter follows the timeline, not the parties' thread.
    assert_error(as_(city, "owner").get(API + url), 403, "forbidden")
    assert_error(post(as_(city, "owner"), url, {"body": "x"}), 403, "forbidden")
    assert_error(as_(city, "community_staff_2").get(API + url), 403, "forbidden")

    notes = f"/reports/{report.pk}/notes"
    assert_error(post(as_(city, "owner"), notes, {"text": "x"}), 403, "forbidden")
    assert_error(post(as_(city, "grid_worker"), notes, {"text": ""}), 422, "invalid", "text")
    internal = post(as_(city, "grid_worker"), notes, {"text": "明早去看"})
    assert internal.status_code == 201 and internal.json()["public"] is False
    shown = post(as_(city, "grid_worker"), notes, {"text": "已联系物业", "public": True})
    assert shown.json()["kind"] == "note" and shown.json()["public"]

    def texts(key):
        items = as_(city, key).get(f"{API}/reports/{report.pk}/timeline").json()["items"]
        return [s["text"] for s in items if s["kind"] == "note"]

    assert texts("grid_worker") == ["明早去看", "已联系物业"]
    assert texts("owner") == ["已联系物业"]
    assert texts("owner_2") == ["已联系物业"]  # the public card's timeline


# --- The staff queue ---------------------------------------------------------------------------


def test_queue_is_scoped_and_filtered(city, submit):
    b1 = submit(place="U1", title="纸箱")
    b2 = submit(place="B2", category="hygiene", description="垃圾没收")
    b3 = submit(user_key="owner_2", place="B3")
    elevator = submit(category="elevator", attributes={"elevator": "1", "trapped": "no"})

    def ids(key, query=""):
        response = as_(city, key).get(f"{API}/reports{query}")
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["items"]}

    assert ids("grid_worker") == {b1.pk, elevator.pk}  # the grid's building only
    assert ids("community_staff") == {b1.pk, b2.pk, elevator.pk}
    assert ids("community_staff_2") == {b3.pk}
    assert ids("subdistrict_admin") == {b1.pk, b2.pk, b3.pk, elevator.pk}
    assert ids("property_manager") == {b1.pk, b2.pk, elevator.pk}
    assert ids("partner") == set()  # nothing dispatched to it yet
    assert_error(as_(city, "owner").get(API + "/reports"), 403, "forbidden")
    assert_error(as_(city, "newcomer").get(API + "/reports"), 403, "forbidden")

    staff = "community_staff"
    assert ids(staff, "?category=hygiene") == {b2.pk}
    assert ids(staff, f"?place={city.places['B2'].pk}") == {b2.pk}
    assert ids(staff, f"?q=%23{b2.pk}") == {b2.pk}
    assert ids(staff, "?q=垃圾") == {b2.pk}
    act(city, "grid_worker", b1, "reject", {"reason": "重复"})
    assert ids(staff) == {b2.pk, elevator.pk}
    assert ids(staff, "?status=final") == {b1.pk}
    assert ids(staff, "?status=rejected") == {b1.pk}
    assert ids(staff, "?status=all") == {b1.pk, b2.pk, elevator.pk}
    act(city, "grid_worker", elevator, "escalate", {"reason": "需要社区"})
    assert ids(staff, "?level=2") == {elevator.pk}
    act(city, "community_staff", elevator, "dispatch", {"handler_id": city.users["partner"].pk})
    assert ids("partner") == {elevator.pk}
    assert ids("partner", "?mine=true") == {elevator.pk}
    assert ids(staff, "?mine=true") == set()
    row = as_(city, "partner").get(API + "/reports").json()["items"][0]
    assert row["handler"]["role"] == "partner" and row["place"]["label"] == "E1 B1"

    bad = as_(city, staff).get(f"{API}/reports?place={city.places['B3'].pk}")
    assert_error(bad, 422, "invalid", field="place")
    assert_error(as_(city, staff).get(API + "/reports?status=lost"), 422, "invalid", "status")
    assert_error(as_(city, staff).get(API + "/reports?level=9"), 422, "invalid", "level")
    assert_error(as_(city, staff).get(API + "/reports?limit=101"), 422, "invalid", "limit")


def test_queue_overdue_filter(city, submit):
    with time_machine.travel(T0, tick=False):
        late = submit(category="flying-wire")  # 2 hours to accept
        submit()  # 24 hours
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        staff = as_(city, "grid_worker")
        rows = staff.get(API + "/reports?overdue=true").json()["items"]
        assert [(r["id"], r["overdue"]) for r in rows] == [(late.pk, True)]
        listed = staff.get(API + "/reports/overdue").json()["items"]
        assert [r["id"] for r in listed] == [late.pk]
        assert_error(as_(city, "owner").get(API + "/reports/overdue"), 403, "forbidden")
        assert as_(city, "grid_worker_2").get(API + "/reports/overdue").json()["items"] == []


def test_lists_query_counts_do_not_grow(city, submit):
    owner = as_(city, "owner")
    submit(place="U1", photos=[upload()])
    act(
        city,
        "grid_worker",
        Report.objects.get(),
        "dispatch",
        {"handler_id": city.users["property_manager"].pk},
    )
    staff = as_(city, "community_staff")
    urls = {
        staff: ["/reports?status=all", "/reports/overdue"],
        owner: ["/reports/mine", f"/reports/public?estate={city.places['E1'].pk}"],
    }
    before = {(c, u): count_queries(c, u)[0] for c, us in urls.items() for u in us}
    for i in range(15):
        r = submit(place=["B1", "U1", "B2"][i % 3], photos=[upload(size=(40, 30))])
        if i % 2:
            services.dispatch_report(
                user=city.users["community_staff"],
                report=r,
                handler_id=city.users["property_manager"].pk,
            )
    for (client, url), few in before.items():
        many, body = count_queries(client, url)
        assert many == few, url
    report = Report.objects.first()
    few, _ = count_queries(staff, f"/reports/{report.pk}/timeline")
    for i in range(10):
        services.add_note(user=city.users["community_staff"], report=report, text=f"n{i}")
    many, body = count_queries(staff, f"/reports/{report.pk}/timeline")
    assert many == few and body["count"] == 11


def test_count_is_capped_and_next_still_pages(city, submit, monkeypatch):
    monkeypatch.setattr(CappedLimitOffset, "cap", 3)
    for _ in range(5):
        submit()
    staff = as_(city, "grid_worker")
    first = staff.get(API + "/reports?limit=2").json()
    assert (first["count"], first["capped"], len(first["items"])) == (3, True, 2)
    second = staff.get(first["next"]).json()
    assert len(second["items"]) == 2 and second["next"]
    last = staff.get(second["next"]).json()
    assert len(last["items"]) == 1 and last["next"] is None
    # The last page knows the exact total.
    assert (last["count"], last["capped"]) == (5, False)
    seen = [r["id"] for page in (first, second, last) for r in page["items"]]
    assert len(set(seen)) == 5
    past = staff.get(API + "/reports?offset=50").json()
    assert past["items"] == [] and past["capped"] and past["count"] == 3


def test_mine_lists_only_my_reports(city, submit):
    mine = submit()
    submit(user_key="tenant")
    rows = as_(city, "owner").get(API + "/reports/mine").json()
    assert [r["id"] for r in rows["items"]] == [mine.pk] and rows["count"] == 1
    assert rows["items"][0]["reported_by_me"] and rows["items"][0]["handler"] is None
    assert as_(city, "newcomer").get(API + "/reports/mine").json()["items"] == []


# --- Bulk dispatch -------------------------------------------------------------------------------


def test_bulk_dispatch_is_all_or_nothing(city, submit):
    pm = city.users["property_manager"].pk
    a, b = submit(), submit(place="U1")
    other = submit(user_key="owner_2", place="B3")
    staff = as_(city, "grid_worker")
    body = {"report_ids": [a.pk, b.pk, other.pk], "handler_id": pm}
    assert_error(post(staff, "/reports/bulk-dispatch", body), 403, "forbidden")
    missing = {"report_ids": [a.pk, 999999], "handler_id": pm}
    assert_error(post(staff, "/reports/bulk-dispatch", missing), 422, "invalid", "report_ids")
    empty = {"report_ids": [], "handler_id": pm}
    assert_error(post(staff, "/reports/bulk-dispatch", empty), 422, "invalid", "report_ids")
    wrong = {"report_ids": [a.pk, b.pk], "handler_id": city.users["owner"].pk}
    error = assert_error(post(staff, "/reports/bulk-dispatch", wrong), 422, "invalid", "handler_id")
    assert error["message"].startswith(f"#{a.pk}: handler_id: ")
    services.reject_report(user=city.users["grid_worker"], report=b, reason="重复")
    c = submit()
    conflict = {"report_ids": [a.pk, b.pk, c.pk], "handler_id": pm}
    assert_error(post(staff, "/reports/bulk-dispatch", conflict), 409, "wrong_status")
    assert {status_of(r) for r in (a, c)} == {Status.SUBMITTED}

    done = post(
        staff,
        "/reports/bulk-dispatch",
        {"report_ids": [c.pk, a.pk], "handler_id": pm, "note": "一起处理"},
    )
    assert done.status_code == 200, done.content
    assert [(r["id"], r["status"]) for r in done.json()] == [
        (a.pk, "dispatched"),
        (c.pk, "dispatched"),
    ]
    assert {Report.objects.get(pk=r.pk).handler_id for r in (a, c)} == {pm}


# --- Public page ----------------------------------------------------------------------------------


def test_public_estate_page_is_anonymous_and_anonymised(city, submit):
    named = submit(hide_name=False, attributes={}, address="3栋门口")
    hidden = submit(hide_name=True)
    submit(category="dispute")
    dup = submit(user_key="tenant", place="U1")
    services.merge_report(user=city.users["grid_worker"], report=dup, into_id=named.pk)
    submit(user_key="owner_2", place="B3")
    services.reject_report(user=city.users["grid_worker"], report=hidden, reason="已处理")

    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.get(f"{API}/reports/public?estate={city.places['E1'].pk}")
    assert response.status_code == 200, response.content
    page = response.json()
    assert [r["id"] for r in page["items"]] == [hidden.pk, named.pk] and page["count"] == 2
    assert page["items"][0]["reporter_name"] == "" and page["items"][0]["reply"] == "已处理"
    assert page["items"][1]["reporter_name"] == "张*****明"
    for item in page["items"]:
        assert not {"reporter", "address", "attributes", "handler", "photos"} & set(item)
    assert page["items"][1]["supporter_count"] == 1  # the merged duplicate's reporter follows
    bad = anonymous.get(f"{API}/reports/public?estate={city.places['B1'].pk}")
    assert_error(bad, 422, "invalid", field="estate")
    assert_error(anonymous.get(f"{API}/reports/public"), 422, "invalid", field="estate")


# --- Figures -------------------------------------------------------------------------------------


def test_figures_by_role_and_scope(city, submit):
    with time_machine.travel(T0, tick=False):
        fast, slow = submit(), submit(category="hygiene")
        submit(user_key="owner_2", place="B3")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        services.accept_report(user=city.users["grid_worker"], report=fast)
    with time_machine.travel(T0 + timedelta(hours=30), tick=False):
        services.accept_report(user=city.users["grid_worker"], report=slow)
        staff = as_(city, "community_staff")
        body = staff.get(API + "/reports/figures").json()
        assert body["by"] == "category" and body["total"]["reports"] == 2
        rows = {r["key"]: r for r in body["rows"]}
        assert set(rows) == {"clutter", "hygiene"}
        assert rows["clutter"]["accepted_in_time"] == 1 and rows["hygiene"]["accepted_in_time"] == 0
        assert body["total"]["response_rate"] == 0.5
        by_month = staff.get(API + "/reports/figures?by=month").json()
        assert [r["key"] for r in by_month["rows"]] == ["2026-05"]
        by_place = staff.get(f"{API}/reports/figures?by=place&place={city.places['E1'].pk}")
        assert [r["label"] for r in by_place.json()["rows"]] == ["B1"]
        filtered = staff.get(API + "/reports/figures?category=hygiene&since=2026-05-01").json()
        assert filtered["total"]["reports"] == 1
        assert staff.get(API + "/reports/figures?until=2026-04-30").json()["total"]["reports"] == 0
        admin = as_(city, "subdistrict_admin").get(API + "/reports/figures").json()
        assert admin["total"]["reports"] == 3
        outside = staff.get(f"{API}/reports/figures?place={city.places['E2'].pk}")
        assert_error(outside, 422, "invalid", field="place")
        assert_error(staff.get(API + "/reports/figures?by=year"), 422, "invalid", "by")
        backwards = staff.get(API + "/reports/figures?since=2026-05-02&until=2026-05-01")
        assert_error(backwards, 422, "invalid", "until")
        assert_error(staff.get(API + "/reports/figures?since=May"), 422, "invalid", "since")
        for key in ("owner", "property_manager", "partner"):
            assert_error(as_(city, key).get(API + "/reports/figures"), 403, "forbidden")


def test_jpeg_helper_makes_a_phone_photo():
    """The fixture the multipart tests rely on really carries GPS EXIF."""
    with Image.open(io.BytesIO(jpeg_bytes())) as img:
        assert 0x8825 in img.getexif()


# --- Odd input ------------------------------------------------------------------------------------

HUGE = "9" * 25


@pytest.mark.parametrize(
    "url, field",
    [
        (f"/reports/similar?category=clutter&place={HUGE}", "place"),
        (f"/reports?place={HUGE}", "place"),
        (f"/reports/figures?place={HUGE}", "place"),
        (f"/reports/public?estate={HUGE}", "estate"),
        (f"/reports?q=%23{HUGE}", "q"),
        ("/reports?q=%C2%B2", "q"),  # a digit to str.isdigit(), not to int()
        ("/reports?category=a%00b", "category"),
        ("/reports?q=a%00b", "q"),
        ("/reports/categories/a%00b", "code"),
    ],
)
def test_odd_queries_are_422_not_500(city, url, field):
    assert_error(as_(city, "community_staff").get(API + url), 422, "invalid", field=field)


def test_odd_bodies_are_422_not_500(city, submit):
    report = submit()
    staff = as_(city, "community_staff")
    for url, body, field in [
        ("/reports/bulk-dispatch", {"report_ids": [int(HUGE)], "handler_id": 1}, "report_ids.0"),
        (f"/reports/{report.pk}/dispatch", {"handler_id": int(HUGE)}, "handler_id"),
        (f"/reports/{report.pk}/merge", {"into": int(HUGE)}, "into"),
        ("/reports", {"category": "clutter", "place": int(HUGE), "description": "x"}, "place"),
        ("/reports/categories", {"code": "a\u0000", "name": "x"}, "code"),
    ]:
        assert_error(post(staff, url, body), 422, "invalid", field=field)
    nul_answer = {
        "category": "parking",
        "place": city.places["B1"].pk,
        "description": "x",
        "attributes": {"plate": "沪A\u0000"},
    }
    assert_error(post(staff, "/reports", nul_answer), 422, "invalid", field="attributes")
    for url in [
        f"/reports/{HUGE}",
        f"/reports/{HUGE}/timeline",
        f"/reports/{report.pk}/photos/{HUGE}",
        "/reports/abc",
    ]:
        assert_error(staff.get(API + url), 404, "not_found")


def test_extend_gives_more_time(city, submit):
    report = submit()
    before = Report.objects.get(pk=report.pk).due_at
    bad = act(city, "grid_worker", report, "extend", {"hours": 0, "reason": "等配件"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "hours"
    refused = act(city, "owner", report, "extend", {"hours": 24, "reason": "快点"})
    assert refused.status_code == 403
    done = act(city, "grid_worker", report, "extend", {"hours": 24, "reason": "等配件"})
    assert done.status_code == 200, done.content
    assert Report.objects.get(pk=report.pk).due_at == before + timedelta(hours=24)
