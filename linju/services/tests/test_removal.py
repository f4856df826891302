"""Removing a slot and cancelling a sitting of the mobile desk (流动办公桌): the open requests
on a removed slot keep going without their appointment and their requesters are told; a past
one cannot be removed; a cancelled sitting leaves the residents' schedule; the staff pages'
buttons, for managers only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from linju.core.errors import Conflict, Forbidden, NotFound
from linju.core.models import AuditEvent, Notification
from linju.services import services
from linju.services.models import DeskSession, RequestStatus, ServiceSlot

from .conftest import tomorrow

pytestmark = pytest.mark.django_db


def _sitting(city, day=None):
    return services.schedule_desk(
        user=city.users["community_staff"],
        place_id=city.places["E1"].pk,
        day=day or tomorrow(),
        starts=dt.time(9),
        ends=dt.time(11),
        location="3栋楼下",
    )


def test_remove_slot_releases_the_open_requests_only(desk):
    owner, worker = desk.city.users["owner"], desk.city.users["grid_worker"]
    accepted = services.request_service(user=owner, item_id=desk.item.pk, slot_id=desk.slot.pk)
    services.accept_request(user=worker, request=accepted)
    other = services.request_service(
        user=desk.city.users["tenant"], item_id=desk.item.pk, slot_id=desk.slot.pk
    )
    services.decline_request(user=worker, request=other, reason="材料不全")
    with pytest.raises(Forbidden):
        services.remove_slot(user=worker, slot_id=desk.slot.pk)
    removed = services.remove_slot(user=desk.staff, slot_id=desk.slot.pk)
    assert removed.released == [accepted.pk]
    accepted.refresh_from_db()
    assert accepted.slot_id is None and accepted.status == RequestStatus.ACCEPTED
    slot = ServiceSlot.objects.get(pk=desk.slot.pk)
    assert slot.booked == 0 and slot.removed_at is not None
    event = AuditEvent.objects.get(verb="services.slot_remove")
    assert event.data["released"] == [accepted.pk] and event.actor == desk.staff
    assert Notification.objects.filter(recipient=owner, title__contains="cancel").count() == 1
    with pytest.raises(NotFound):
        services.remove_slot(user=desk.staff, slot_id=desk.slot.pk)
    with pytest.raises(NotFound):
        services.remove_slot(user=desk.staff, slot_id="x")
    # Nothing is left to remind: the sweep sends none.
    assert services.send_reminders() == 0


def test_a_past_slot_or_sitting_stays(desk):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ServiceSlot.objects.filter(pk=desk.slot.pk).update(day=yesterday)
    with pytest.raises(Conflict) as exc:
        services.remove_slot(user=desk.staff, slot_id=desk.slot.pk)
    assert exc.value.code == "past"
    sitting = _sitting(desk.city)
    DeskSession.objects.filter(pk=sitting.pk).update(day=yesterday)
    with pytest.raises(Conflict):
        services.cancel_desk(user=desk.staff, session_id=sitting.pk)
    assert not AuditEvent.objects.filter(verb__in=["services.slot_remove", "services.desk_cancel"])


def test_cancel_desk(city):
    sitting = _sitting(city)
    with pytest.raises(Forbidden):
        services.cancel_desk(user=city.users["community_staff_2"], session_id=sitting.pk)
    services.cancel_desk(user=city.users["community_staff"], session_id=sitting.pk)
    sitting.refresh_from_db()
    assert sitting.cancelled_at is not None
    assert AuditEvent.objects.get(verb="services.desk_cancel").data["location"] == "3栋楼下"
    with pytest.raises(NotFound):
        services.cancel_desk(user=city.users["community_staff"], session_id=sitting.pk)


def test_the_slot_page_button(client, desk):
    services.request_service(
        user=desk.city.users["owner"], item_id=desk.item.pk, slot_id=desk.slot.pk
    )
    url = reverse("services:desk_slot_remove", args=[desk.slot.pk])
    client.force_login(desk.city.users["subdistrict_admin"])
    page = client.get(reverse("services:desk_slots"))
    assert f'data-testid="remove-slot-{desk.slot.pk}"' in page.text
    assert "keep their requests" in page.text
    assert client.get(url).status_code == 405
    client.force_login(desk.city.users["community_staff_2"])
    assert client.post(url).status_code == 404
    client.force_login(desk.city.users["owner"])
    assert client.post(url).status_code == 403  # not desk staff
    client.force_login(desk.staff)
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("services:desk_slots")
    assert "the 1 resident who had booked it is told" in response.text
    assert f"remove-slot-{desk.slot.pk}" not in response.text
    assert ServiceSlot.objects.get(pk=desk.slot.pk).removed_at is not None
    assert client.post(url).status_code == 404


def test_the_sitting_page_button(client, city):
    sitting = _sitting(city)
    url = reverse("services:desk_sitting_cancel", args=[sitting.pk])
    client.force_login(city.users["owner"])
    page = client.get(reverse("services:mobile_desk"))
    assert "3栋楼下" in page.text and "cancel-sitting" not in page.text
    assert client.post(url).status_code == 403
    client.force_login(city.users["property_manager"])
    page = client.get(reverse("services:desk_mobile"))
    assert "3栋楼下" in page.text and "cancel-sitting" not in page.text
    assert client.post(url).status_code == 403
    client.force_login(city.users["community_staff"])
    page = client.get(reverse("services:desk_mobile"))
    assert f'data-testid="cancel-sitting-{sitting.pk}"' in page.text
    response = client.post(url, follow=True)
    assert "residents no longer see it" in response.text
    assert "3栋楼下" not in response.text
    client.force_login(city.users["owner"])
    assert "3栋楼下" not in client.get(reverse("services:mobile_desk")).text
