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


ITEM = {"name": "居住证代办", "handling_role": "grid_worker", "time_limit_days": 5}


def test_managers_add_and_change_items(desk):
    staff = api_client(desk.staff)
    community = desk.city.places["C1"].pk
    r = post(staff, f"{S}/items", {**ITEM, "community": community, "materials": "身份证"})
    assert r.status_code == 201, r.content
    made = r.json()
    assert (made["community"], made["materials"], made["active"]) == (community, "身份证", True)
    assert_error(
        post(staff, f"{S}/items", {**ITEM, "community": community}), 422, "invalid", "name"
    )
    estate = desk.city.places["E1"].pk
    assert_error(
        post(staff, f"{S}/items", {**ITEM, "name": "x", "community": estate}),
        422,
        "invalid",
        "community",
    )
    bad = {**ITEM, "name": "y", "community": community}
    assert_error(post(staff, f"{S}/items", {**bad, "time_limit_days": 61}), 422, "invalid")
    assert_error(post(staff, f"{S}/items", {**bad, "handling_role": "owner"}), 422, "invalid")
    assert_error(
        post(staff, f"{S}/items", {**bad, "time_limit_days": "x"}),
        422,
        "invalid",
        "time_limit_days",
    )
    for who in ("community_staff_2", "grid_worker", "owner"):
        r = post(api_client(desk.city.users[who]), f"{S}/items", {**bad, "community": community})
        assert_error(r, 403, "forbidden")
    url = f"{S}/items/{made['id']}"
    r = post(staff, url, {**ITEM, "time_limit_days": 3, "active": False}, method="put")
    assert r.status_code == 200 and (r.json()["time_limit_days"], r.json()["active"]) == (3, False)
    assert r.json()["materials"] == ""  # the whole item: left out is its default
    assert_error(
        post(staff, url, {**ITEM, "name": "老年证代办"}, method="put"), 422, "invalid", "name"
    )
    assert_error(
        post(staff, url, {**ITEM, "time_limit_days": 0}, method="put"),
        422,
        "invalid",
        "time_limit_days",
    )
    resident = api_client(desk.city.users["owner"])
    assert_error(post(resident, f"{S}/items/{desk.item.pk}", ITEM, method="put"), 403, "forbidden")
    # Off the list: the residents no longer see it.
    assert_error(post(resident, url, ITEM, method="put"), 404, "not_found")
    outsider = api_client(desk.city.users["community_staff_2"])
    assert_error(post(outsider, url, ITEM, method="put"), 404, "not_found")


def _slot_body(desk, **kw):
    return {
        "community": desk.city.places["C1"].pk,
        "day": tomorrow().isoformat(),
        "starts": "14:00",
        "ends": "16:00",
        "capacity": 3,
        **kw,
    }


def test_managers_publish_slots_staff_read_them(desk):
    staff = api_client(desk.staff)
    r = post(staff, f"{S}/slots", _slot_body(desk))
    assert r.status_code == 201, r.content
    assert (r.json()["capacity"], r.json()["booked"], r.json()["starts"]) == (3, 0, "14:00:00")
    # Local wall-clock hours: an offset is refused, naming the field.
    assert_error(
        post(staff, f"{S}/slots", _slot_body(desk, starts="14:00+08:00")), 422, "invalid", "starts"
    )
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert_error(post(staff, f"{S}/slots", _slot_body(desk, day=yesterday)), 422, "invalid", "day")
    assert_error(post(staff, f"{S}/slots", _slot_body(desk, ends="13:00")), 422, "invalid", "ends")
    assert_error(
        post(staff, f"{S}/slots", _slot_body(desk, capacity=0)), 422, "invalid", "capacity"
    )
    assert_error(
        post(staff, f"{S}/slots", _slot_body(desk, community=desk.city.places["C2"].pk)),
        403,
        "forbidden",
    )
    assert_error(
        post(staff, f"{S}/slots", _slot_body(desk, community=999999)), 422, "invalid", "community"
    )
    worker = api_client(desk.city.users["grid_worker"])
    assert_error(post(worker, f"{S}/slots", _slot_body(desk)), 403, "forbidden")
    body = staff.get(f"{API}{S}/slots").json()
    assert body["count"] == 2
    assert {s["community"] for s in body["items"]} == {desk.city.places["C1"].pk}
    # Staff of a grid, or of the other community, hold none of C1's slots.
    for who in ("grid_worker", "community_staff_2"):
        assert api_client(desk.city.users[who]).get(f"{API}{S}/slots").json()["count"] == 0
    assert_error(api_client(desk.city.users["owner"]).get(f"{API}{S}/slots"), 403, "forbidden")


def test_removing_a_slot_keeps_the_requests_and_tells_the_requesters(desk):
    from linju.core.models import Notification

    owner = desk.city.users["owner"]
    held = services.request_service(user=owner, item_id=desk.item.pk, slot_id=desk.slot.pk)
    gone = services.request_service(
        user=desk.city.users["tenant"], item_id=desk.item.pk, slot_id=desk.slot.pk
    )
    services.cancel_request(user=desk.city.users["tenant"], request=gone)
    url = f"{S}/slots/{desk.slot.pk}/remove"
    # Slots are the community's: the grid's staff and the residents hold none.
    assert_error(post(api_client(desk.city.users["grid_worker"]), url, {}), 404, "not_found")
    assert_error(post(api_client(owner), url, {}), 404, "not_found")
    assert_error(post(api_client(desk.city.users["community_staff_2"]), url, {}), 404, "not_found")
    r = post(api_client(desk.staff), url, {})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["released"] == [held.pk] and body["booked"] == 0 and body["removed_at"]
    held.refresh_from_db()
    assert held.slot is None and held.status == "requested"
    gone.refresh_from_db()
    assert gone.slot_id == desk.slot.pk  # a closed request keeps the record
    told = Notification.objects.get(recipient=owner, kind="services.request")
    assert f"{tomorrow().isoformat()} 09:00" in told.title  # in the default language
    assert not Notification.objects.filter(recipient=desk.city.users["tenant"]).exists()
    assert_error(post(api_client(desk.staff), url, {}), 404, "not_found")
    # Gone from every list, and it cannot be booked by its id.
    assert api_client(desk.staff).get(f"{API}{S}/slots").json()["count"] == 0
    assert api_client(owner).get(f"{API}{S}/items/{desk.item.pk}/slots").json()["count"] == 0
    r = post(api_client(owner), f"{S}/items/{desk.item.pk}/requests", {"slot": desk.slot.pk})
    assert_error(r, 422, "invalid", "slot")


def test_managers_schedule_and_cancel_sittings(city):
    staff = api_client(city.users["community_staff"])
    body = {
        "estate": city.places["E1"].pk,
        "day": tomorrow().isoformat(),
        "starts": "09:00",
        "ends": "11:00",
        "location": "3栋楼下",
        "staff": "王社工",
    }
    r = post(staff, f"{S}/mobile-desk", body)
    assert r.status_code == 201, r.content
    made = r.json()
    assert (made["estate_name"], made["staff"]) == ("E1", "王社工")
    assert_error(post(staff, f"{S}/mobile-desk", {**body, "location": " "}), 422, "invalid")
    assert_error(
        post(staff, f"{S}/mobile-desk", {**body, "estate": city.places["C1"].pk}),
        422,
        "invalid",
        "estate",
    )
    assert_error(post(staff, f"{S}/mobile-desk", {**body, "ends": "08:00"}), 422, "invalid", "ends")
    assert_error(
        post(staff, f"{S}/mobile-desk", {**body, "estate": city.places["E2"].pk}),
        403,
        "forbidden",
    )
    worker = api_client(city.users["grid_worker"])
    assert_error(post(worker, f"{S}/mobile-desk", body), 403, "forbidden")
    url = f"{S}/mobile-desk/{made['id']}/cancel"
    tenant = api_client(city.users["tenant"])
    assert tenant.get(f"{API}{S}/mobile-desk").json()["count"] == 1
    assert_error(post(tenant, url, {}), 403, "forbidden")
    manager = api_client(city.users["property_manager"])  # the estate's staff: sees, may not
    assert_error(post(manager, url, {}), 403, "forbidden")
    assert_error(post(api_client(city.users["owner_2"]), url, {}), 404, "not_found")
    assert_error(post(api_client(city.users["community_staff_2"]), url, {}), 404, "not_found")
    r = post(staff, url, {})
    assert r.status_code == 200 and r.json()["cancelled_at"]
    assert tenant.get(f"{API}{S}/mobile-desk").json()["count"] == 0
    assert staff.get(f"{API}{S}/mobile-desk").json()["count"] == 0
    assert_error(post(staff, url, {}), 404, "not_found")
