"""The assisted-service (帮办代办) and mobile desk (流动办公桌) pages: a resident requests an item
and books a slot, errors land on the named field, a handler accepts and completes, staff
publish the list, slots and desk schedule; list pages keep their query counts flat."""

import datetime as dt

import pytest
from django.urls import reverse

from linju.core.testing import linked_styles
from linju.services import services
from linju.services.models import DeskSession, RequestStatus, ServiceItem, ServiceRequest

from .conftest import make_item, tomorrow

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_a_resident_requests_and_books_a_slot(client, desk):
    owner = desk.city.users["owner"]
    login(client, owner)
    page = client.get(reverse("services:home"))
    assert page.status_code == 200
    assert "老年证代办" in page.text
    url = reverse("services:item", args=[desk.item.pk])
    page = client.get(url)
    assert "身份证、一寸照片" in page.text
    assert "(2 free)" in page.text
    assert "style=" not in page.text and "<script>" not in page.text
    assert ".service-row" in linked_styles(page.text)
    household = desk.city.households["H101"]
    response = client.post(url, {"household": household.pk, "slot": desk.slot.pk, "note": "上午"})
    request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("services:request", args=[request.pk])
    assert request.slot == desk.slot
    page = client.get(response.url)
    assert "Requested" in page.text and "09:00" in page.text
    assert client.post(response.url, {"action": "cancel"}).status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED


def test_a_full_slot_is_an_error_on_the_form(client, desk):
    for who in ("tenant", "party_liaison"):
        services.request_service(
            user=desk.city.users[who], item_id=desk.item.pk, slot_id=desk.slot.pk
        )
    login(client, desk.city.users["owner"])
    url = reverse("services:item", args=[desk.item.pk])
    household = desk.city.households["H101"]
    response = client.post(url, {"household": household.pk, "slot": desk.slot.pk})
    assert response.status_code == 200
    # The full slot is no longer offered: the form's own validation names the field.
    assert 'data-field="slot"' in response.text
    assert ServiceRequest.objects.count() == 2


def test_a_bad_household_names_the_field(client, desk):
    login(client, desk.city.users["owner"])
    url = reverse("services:item", args=[desk.item.pk])
    response = client.post(url, {"household": 999999})
    assert response.status_code == 200
    assert 'data-field="household"' in response.text
    assert not ServiceRequest.objects.exists()


def test_outsiders_do_not_see_an_item(client, desk):
    url = reverse("services:item", args=[desk.item.pk])
    login(client, desk.city.users["owner_2"])
    assert client.get(url).status_code == 404
    login(client, desk.city.users["community_staff"])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="request-form"' not in page.text
    assert client.post(url, {"household": 1}).status_code == 403


def test_a_handler_accepts_declines_and_completes(client, desk):
    request = services.request_service(
        user=desk.city.users["owner"], item_id=desk.item.pk, slot_id=desk.slot.pk
    )
    url = reverse("services:request", args=[request.pk])
    login(client, desk.city.users["floor_head"])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="accept"' not in page.text
    assert client.post(url, {"action": "accept"}).status_code == 403
    login(client, desk.city.users["grid_worker"])
    response = client.post(url, {"action": "decline", "reason": ""})
    assert response.status_code == 200
    assert 'data-field="reason"' in response.text
    assert client.post(url, {"action": "accept", "note": "已受理"}).status_code == 302
    assert client.post(url, {"action": "note", "note": ""}).status_code == 200
    assert client.post(url, {"action": "done", "note": "已办结"}).status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    page = client.get(url)
    assert "已受理" in page.text and "已办结" in page.text
    assert client.post(url, {"action": "bogus"}).status_code == 404


def test_the_desk_lists_requests_with_a_flat_query_count(
    client, desk, django_assert_max_num_queries
):
    owner = desk.city.users["owner"]
    login(client, desk.city.users["community_staff"])
    services.request_service(user=owner, item_id=desk.item.pk)
    client.get(reverse("services:desk"))
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("services:desk")).status_code == 200
    for i in range(5):
        item = make_item(desk.city, name=f"事项{i}")
        services.request_service(user=owner, item_id=item.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("services:desk") + "?status=requested")
    assert page.text.count('data-testid="request-row"') == 6
    login(client, desk.city.users["owner"])
    assert client.get(reverse("services:desk")).status_code == 403


@pytest.mark.parametrize("name", ["services:home", "services:requests", "services:mobile_desk"])
def test_resident_lists_have_a_flat_query_count(client, desk, name, django_assert_max_num_queries):
    owner = desk.city.users["owner"]
    login(client, owner)
    services.request_service(user=owner, item_id=desk.item.pk)
    services.schedule_desk(
        user=desk.staff,
        place_id=desk.city.places["E1"].pk,
        day=tomorrow(),
        starts=dt.time(9),
        ends=dt.time(10),
        location="楼下",
    )
    client.get(reverse(name))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse(name))
    for i in range(4):
        item = make_item(desk.city, name=f"事项{i}")
        services.request_service(user=owner, item_id=item.pk)
        services.schedule_desk(
            user=desk.staff,
            place_id=desk.city.places["E1"].pk,
            day=tomorrow(),
            starts=dt.time(9),
            ends=dt.time(10),
            location=f"{i}栋",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(name)).status_code == 200


def test_staff_publish_the_list_slots_and_desk(client, city):
    login(client, city.users["community_staff"])
    response = client.post(
        reverse("services:desk_items"),
        {
            "place": city.places["C1"].pk,
            "name": "残疾证代办",
            "handling_role": "community_staff",
            "time_limit_days": 7,
        },
    )
    assert response.status_code == 302
    assert ServiceItem.objects.filter(name="残疾证代办").exists()
    response = client.post(
        reverse("services:desk_items"),
        {
            "place": city.places["C1"].pk,
            "name": "残疾证代办",
            "handling_role": "grid_worker",
            "time_limit_days": 7,
        },
    )
    assert 'data-field="name"' in response.text
    day = tomorrow().isoformat()
    response = client.post(
        reverse("services:desk_slots"),
        {
            "place": city.places["C1"].pk,
            "day": day,
            "starts": "10:00",
            "ends": "09:00",
            "capacity": 3,
        },
    )
    assert 'data-field="ends"' in response.text
    response = client.post(
        reverse("services:desk_slots"),
        {
            "place": city.places["C1"].pk,
            "day": day,
            "starts": "09:00",
            "ends": "10:00",
            "capacity": 3,
        },
    )
    assert response.status_code == 302
    assert "0 of 3 booked" in client.get(reverse("services:desk_slots")).text
    response = client.post(
        reverse("services:desk_mobile"),
        {
            "place": city.places["E1"].pk,
            "day": day,
            "starts": "09:00",
            "ends": "11:00",
            "location": "3栋楼下",
            "staff": "王社工",
        },
    )
    assert response.status_code == 302
    assert DeskSession.objects.get().location == "3栋楼下"
    login(client, city.users["owner"])
    assert "3栋楼下" in client.get(reverse("services:mobile_desk")).text
    login(client, city.users["grid_worker"])
    page = client.get(reverse("services:desk_items"))
    assert page.status_code == 200 and 'data-testid="item-form"' not in page.text
    assert client.post(reverse("services:desk_items"), {"name": "x"}).status_code == 403


def test_managers_change_an_item_others_of_the_scope_read_it(client, desk):
    url = reverse("services:desk_item", args=[desk.item.pk])
    login(client, desk.city.users["community_staff"])
    response = client.post(
        url, {"name": "老年证", "handling_role": "community_staff", "time_limit_days": 0}
    )
    assert 'data-field="time_limit_days"' in response.text
    response = client.post(
        url, {"name": "老年证", "handling_role": "community_staff", "time_limit_days": 3}
    )
    assert response.status_code == 302
    desk.item.refresh_from_db()
    assert (desk.item.name, desk.item.active) == ("老年证", False)
    login(client, desk.city.users["subdistrict_admin"])
    assert client.get(url).status_code == 200
    login(client, desk.city.users["community_staff_2"])
    assert client.get(url).status_code == 404
