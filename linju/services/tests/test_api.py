"""/api/v1/services: a resident reads the list and free slots, requests with a slot (409
`slot_full` when none is left), follows and cancels; the grid worker accepts, notes and
completes; 422 naming the field; 404 for what the caller does not see, 403 for those who see
it but may not; the staff list with overdue flags; the mobile desk; flat query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from linju.core.tests.test_api import API, api_client, assert_error, post
from linju.services import services
from linju.services.models import ServiceRequest

from .conftest import make_item, tomorrow

pytestmark = pytest.mark.django_db
S = "/services"


def test_anonymous_gets_401(client, db):
    assert client.get(f"{API}{S}/items").status_code == 401


def test_a_resident_requests_and_cancels(desk):
    owner = api_client(desk.city.users["owner"])
    items = owner.get(f"{API}{S}/items").json()
    assert [i["name"] for i in items["items"]] == ["老年证代办"]
    slots = owner.get(f"{API}{S}/items/{desk.item.pk}/slots").json()["items"]
    assert [s["id"] for s in slots] == [desk.slot.pk]
    r = post(owner, f"{S}/items/{desk.item.pk}/requests", {"slot": desk.slot.pk, "note": "上午"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["slot"]["booked"] == 1 and body["status"] == "requested"
    assert owner.get(f"{API}{S}/requests/mine").json()["count"] == 1
    r = post(owner, f"{S}/requests/{body['id']}/cancel", {})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert_error(post(owner, f"{S}/requests/{body['id']}/cancel", {}), 409, "status")


def test_bad_input_names_the_field(desk):
    owner = api_client(desk.city.users["owner"])
    url = f"{S}/items/{desk.item.pk}/requests"
    assert_error(post(owner, url, {"household": 999999}), 422, "invalid", "household")
    assert_error(post(owner, url, {"slot": 999999}), 422, "invalid", "slot")
    assert_error(post(owner, url, {"note": "x" * 2001}), 422, "invalid", "note")
    assert_error(post(owner, url, {"slot": "x"}), 422, "invalid", "slot")
    assert not ServiceRequest.objects.exists()


def test_a_full_slot_is_409(desk):
    for who in ("tenant", "party_liaison"):
        r = post(
            api_client(desk.city.users[who]),
            f"{S}/items/{desk.item.pk}/requests",
            {"slot": desk.slot.pk},
        )
        assert r.status_code == 201
    r = post(
        api_client(desk.city.users["owner"]),
        f"{S}/items/{desk.item.pk}/requests",
        {"slot": desk.slot.pk},
    )
    assert_error(r, 409, "slot_full")


def test_who_sees_and_who_handles(desk):
    request = services.request_service(user=desk.city.users["owner"], item_id=desk.item.pk)
    url = f"{S}/requests/{request.pk}"
    assert api_client(desk.city.users["owner_2"]).get(API + url).status_code == 404
    assert api_client(desk.city.users["community_staff_2"]).get(API + url).status_code == 404
    assert api_client(desk.city.users["tenant"]).get(API + url).status_code == 404
    floor = api_client(desk.city.users["floor_head"])
    assert floor.get(API + url).status_code == 200
    assert_error(post(floor, f"{url}/accept", {}), 403, "forbidden")
    assert_error(
        post(api_client(desk.city.users["owner_2"]), f"{url}/accept", {}), 404, "not_found"
    )
    staff_c2 = api_client(desk.city.users["community_staff_2"])
    assert_error(post(staff_c2, f"{S}/items/{desk.item.pk}/requests", {}), 404, "not_found")
    staff = api_client(desk.city.users["community_staff"])
    assert_error(post(staff, f"{S}/items/{desk.item.pk}/requests", {}), 403, "forbidden")
    worker = api_client(desk.city.users["grid_worker"])
    assert_error(post(worker, f"{url}/done", {}), 409, "status")
    assert post(worker, f"{url}/accept", {"note": "已受理"}).json()["status"] == "accepted"
    assert_error(post(worker, f"{url}/notes", {"text": ""}), 422, "invalid", "text")
    assert post(worker, f"{url}/notes", {"text": "请带户口本"}).status_code == 201
    assert_error(post(worker, f"{url}/decline", {"reason": " "}), 422, "invalid", "reason")
    body = post(worker, f"{url}/done", {"note": "已办结"}).json()
    assert body["status"] == "done"
    assert [n["text"] for n in body["notes"]] == ["已受理", "请带户口本", "已办结"]


def test_the_staff_list_flags_the_overdue(desk, django_assert_max_num_queries):
    owner = desk.city.users["owner"]
    services.request_service(user=owner, item_id=desk.item.pk)
    staff = api_client(desk.city.users["community_staff"])
    assert_error(api_client(owner).get(f"{API}{S}/requests"), 403, "forbidden")
    staff.get(f"{API}{S}/requests")
    with django_assert_max_num_queries(10) as few:
        body = staff.get(f"{API}{S}/requests").json()
    assert [r["overdue"] for r in body["items"]] == [False]
    for i in range(4):
        services.request_service(user=owner, item_id=make_item(desk.city, name=f"事项{i}").pk)
    # Past their time limit (moved back in time: the staff session would idle out on a trip).
    ServiceRequest.objects.update(due_on=timezone.localdate() - dt.timedelta(days=1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = staff.get(f"{API}{S}/requests?overdue=true").json()
    assert body["count"] == 5 and all(r["overdue"] for r in body["items"])
    assert_error(staff.get(f"{API}{S}/requests?status=bogus"), 422, "invalid", "status")


def test_the_mobile_desk(city):
    services.schedule_desk(
        user=city.users["community_staff"],
        place_id=city.places["E1"].pk,
        day=tomorrow(),
        starts=dt.time(9),
        ends=dt.time(11),
        location="3栋楼下",
    )
    body = api_client(city.users["tenant"]).get(f"{API}{S}/mobile-desk").json()
    assert [s["location"] for s in body["items"]] == ["3栋楼下"]
    assert api_client(city.users["owner_2"]).get(f"{API}{S}/mobile-desk").json()["count"] == 0
