"""Assisted services (帮办代办): the catalogue, requests and slots, handling by the item's role,
the resident told at each change, reminders once, overdue requests, the mobile desk
(流动办公桌) shown to the estate's residents."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from linju.core.errors import Conflict, Forbidden, Invalid, NotFound
from linju.core.models import AuditEvent, Notification
from linju.services import queries, services
from linju.services.models import RequestStatus, ServiceSlot

from .conftest import make_item, make_slot, tomorrow

pytestmark = pytest.mark.django_db


def ask(desk, who="owner", **kw):
    return services.request_service(
        user=desk.city.users[who], item_id=desk.item.pk, slot_id=desk.slot.pk, **kw
    )


def test_working_days_skip_the_weekend():
    friday = dt.date(2026, 11, 27)
    assert services._working_days_after(friday, 1) == dt.date(2026, 11, 30)
    assert services._working_days_after(friday, 5) == dt.date(2026, 12, 4)


def test_create_item_checks_fields_and_scope(city):
    with pytest.raises(Invalid) as e:
        make_item(city, handling_role="partner")
    assert "handling_role" in e.value.errors
    with pytest.raises(Invalid) as e:
        make_item(city, time_limit_days=0)
    assert "time_limit_days" in e.value.errors
    with pytest.raises(Invalid) as e:
        make_item(city, name=" ")
    assert "name" in e.value.errors
    make_item(city)
    with pytest.raises(Invalid) as e:
        make_item(city)
    assert "name" in e.value.errors
    with pytest.raises(Forbidden):
        services.create_item(
            user=city.users["community_staff_2"],
            place_id=city.places["C1"].pk,
            name="x",
            handling_role="grid_worker",
            time_limit_days=3,
        )
    with pytest.raises(Invalid) as e:
        services.create_item(
            user=city.users["community_staff"],
            place_id=city.places["E1"].pk,
            name="x",
            handling_role="grid_worker",
            time_limit_days=3,
        )
    assert "place" in e.value.errors


def test_update_item_takes_it_off_the_list(desk):
    owner = desk.city.users["owner"]
    assert list(queries.catalogue(owner)) == [desk.item]
    services.update_item(
        user=desk.staff,
        item=desk.item,
        name="老年证",
        handling_role="community_staff",
        time_limit_days=3,
        active=False,
    )
    assert list(queries.catalogue(owner)) == []
    with pytest.raises(NotFound):
        ask(desk)
    assert AuditEvent.objects.filter(verb="services.item_update").count() == 1


def test_publish_slot_checks_fields(city):
    with pytest.raises(Invalid) as e:
        make_slot(city, day=timezone.localdate() - dt.timedelta(days=1))
    assert "day" in e.value.errors
    with pytest.raises(Invalid) as e:
        make_slot(city, starts=dt.time(11), ends=dt.time(9))
    assert "ends" in e.value.errors
    with pytest.raises(Invalid) as e:
        make_slot(city, capacity=0)
    assert "capacity" in e.value.errors
    with pytest.raises(Forbidden):
        services.publish_slot(
            user=city.users["grid_worker"],
            place_id=city.places["C1"].pk,
            day=tomorrow(),
            starts=dt.time(9),
            ends=dt.time(10),
            capacity=1,
        )


def test_a_resident_requests_for_their_household_and_books(desk):
    request = ask(desk, note="周二上午方便")
    assert request.status == RequestStatus.REQUESTED
    assert request.household == desk.city.households["H101"]
    assert request.path == request.household.path
    assert request.due_on == services._working_days_after(timezone.localdate(), 5)
    desk.slot.refresh_from_db()
    assert desk.slot.booked == 1
    event = AuditEvent.objects.get(verb="services.request_create")
    assert event.actor == desk.city.users["owner"]


def test_only_residents_of_the_community_request(desk):
    with pytest.raises(NotFound):
        ask(desk, who="owner_2")
    with pytest.raises(NotFound):
        ask(desk, who="newcomer")
    with pytest.raises(Forbidden):  # staff see the item, but have no home there
        ask(desk, who="community_staff")
    with pytest.raises(Invalid) as e:
        ask(desk, household_id=desk.city.households["H301"].pk)
    assert "household" in e.value.errors


def test_a_full_slot_refuses_and_saves_nothing(desk):
    ask(desk, who="owner")
    ask(desk, who="tenant")
    with pytest.raises(Conflict) as e:
        ask(desk, who="party_liaison")
    assert e.value.code == "slot_full"
    desk.slot.refresh_from_db()
    assert desk.slot.booked == 2
    assert desk.item.requests.count() == 2
    assert list(queries.open_slots(desk.item)) == []


def test_a_slot_of_another_community_is_refused(desk):
    other = services.publish_slot(
        user=desk.city.users["community_staff_2"],
        place_id=desk.city.places["C2"].pk,
        day=tomorrow(),
        starts=dt.time(9),
        ends=dt.time(10),
        capacity=3,
    )
    with pytest.raises(Invalid) as e:
        services.request_service(
            user=desk.city.users["owner"], item_id=desk.item.pk, slot_id=other.pk
        )
    assert "slot" in e.value.errors


def test_cancel_before_acceptance_frees_the_slot(desk):
    request = ask(desk)
    with pytest.raises(Forbidden):
        services.cancel_request(user=desk.city.users["tenant"], request=request)
    services.cancel_request(user=desk.city.users["owner"], request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert ServiceSlot.objects.get(pk=desk.slot.pk).booked == 0
    with pytest.raises(Conflict):
        services.cancel_request(user=desk.city.users["owner"], request=request)


def test_an_accepted_request_cannot_be_cancelled(desk):
    request = ask(desk)
    services.accept_request(user=desk.city.users["grid_worker"], request=request)
    with pytest.raises(Conflict) as e:
        services.cancel_request(user=desk.city.users["owner"], request=request)
    assert e.value.code == "status"


def test_the_handling_role_in_the_scope_handles(desk):
    request = ask(desk)
    for who in ("floor_head", "building_head", "unit_head", "property_manager", "grid_worker_2"):
        with pytest.raises(Forbidden):
            services.accept_request(user=desk.city.users[who], request=request)
    owner = desk.city.users["owner"]
    services.accept_request(user=desk.city.users["grid_worker"], request=request, note="已受理")
    services.add_note(user=desk.city.users["community_staff"], request=request, text="材料齐全")
    services.complete_request(user=desk.city.users["grid_worker"], request=request, note="已办结")
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    assert [n.text for n in request.notes.all()] == ["已受理", "材料齐全", "已办结"]
    inbox = Notification.objects.filter(recipient=owner, kind="services.request")
    assert inbox.count() == 3
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"services.request_accept", "services.request_note", "services.request_done"} <= verbs
    with pytest.raises(Conflict):
        services.add_note(user=desk.city.users["grid_worker"], request=request, text="x")
    assert ServiceSlot.objects.get(pk=desk.slot.pk).booked == 1  # a done request kept its place


def test_done_needs_acceptance_first(desk):
    request = ask(desk)
    with pytest.raises(Conflict):
        services.complete_request(user=desk.city.users["grid_worker"], request=request)


def test_decline_needs_a_reason_and_frees_the_slot(desk):
    request = ask(desk)
    worker = desk.city.users["grid_worker"]
    with pytest.raises(Invalid) as e:
        services.decline_request(user=worker, request=request, reason=" ")
    assert "reason" in e.value.errors
    services.decline_request(user=worker, request=request, reason="材料不全")
    request.refresh_from_db()
    assert (request.status, request.reason) == (RequestStatus.DECLINED, "材料不全")
    assert ServiceSlot.objects.get(pk=desk.slot.pk).booked == 0
    assert Notification.objects.filter(recipient=desk.city.users["owner"]).count() == 1


def test_a_note_needs_text(desk):
    request = ask(desk)
    with pytest.raises(Invalid) as e:
        services.add_note(user=desk.city.users["grid_worker"], request=request, text="")
    assert "text" in e.value.errors


def test_reminders_are_sent_once(desk):
    request = ask(desk)
    unbooked = services.request_service(user=desk.city.users["tenant"], item_id=desk.item.pk)
    later = make_slot(desk.city, day=timezone.localdate() + dt.timedelta(days=5))
    far = services.request_service(
        user=desk.city.users["party_liaison"], item_id=desk.item.pk, slot_id=later.pk
    )
    tz = timezone.get_current_timezone()
    evening = dt.datetime.combine(timezone.localdate(), dt.time(18), tzinfo=tz)
    with time_machine.travel(evening, tick=False):
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0
        call_command("sweep_services", verbosity=0)
    request.refresh_from_db()
    assert request.reminded_at is not None
    owner_inbox = Notification.objects.filter(recipient=desk.city.users["owner"])
    assert owner_inbox.count() == 1
    assert not Notification.objects.filter(recipient__in=[unbooked.requester, far.requester])
    event = AuditEvent.objects.get(verb="services.request_remind")
    assert event.actor is None


def test_overdue_requests_are_flagged_for_staff(desk):
    request = ask(desk)
    worker = desk.city.users["grid_worker"]
    assert [r.overdue for r in queries.desk_requests(worker)] == [False]
    with time_machine.travel(timezone.now() + dt.timedelta(days=10)):
        rows = list(queries.desk_requests(worker))
        assert [r.overdue for r in rows] == [True]
        assert list(queries.desk_requests(worker, overdue=True)) == [request]
        assert queries.request_for(worker, request.pk).overdue
    services.accept_request(user=worker, request=request)
    services.complete_request(user=worker, request=request)
    with time_machine.travel(timezone.now() + dt.timedelta(days=10)):
        assert [r.overdue for r in queries.desk_requests(worker)] == [False]


def test_staff_lists_are_scoped(desk):
    ask(desk)
    assert queries.desk_requests(desk.city.users["community_staff"]).count() == 1
    assert queries.desk_requests(desk.city.users["unit_head"]).count() == 1
    assert queries.desk_requests(desk.city.users["community_staff_2"]).count() == 0
    assert queries.desk_requests(desk.city.users["owner"]).count() == 0
    assert queries.request_for(desk.city.users["tenant"], desk.item.requests.get().pk) is None


def test_the_mobile_desk_is_shown_to_the_estate(city):
    staff = city.users["community_staff"]
    session = services.schedule_desk(
        user=staff,
        place_id=city.places["E1"].pk,
        day=tomorrow(),
        starts=dt.time(9),
        ends=dt.time(11),
        location="3栋楼下",
        staff="王社工",
    )
    assert AuditEvent.objects.filter(verb="services.desk_schedule").count() == 1
    for who in ("owner", "tenant", "party_liaison", "community_staff", "subdistrict_admin"):
        assert list(queries.desk_schedule(city.users[who])) == [session], who
    # A grid worker's scope is their grid's buildings, not the whole estate.
    for who in ("owner_2", "newcomer", "community_staff_2", "grid_worker"):
        assert list(queries.desk_schedule(city.users[who])) == [], who
    with pytest.raises(Invalid) as e:
        services.schedule_desk(
            user=staff,
            place_id=city.places["C1"].pk,
            day=tomorrow(),
            starts=dt.time(9),
            ends=dt.time(11),
            location="x",
        )
    assert "place" in e.value.errors
    with pytest.raises(Invalid) as e:
        services.schedule_desk(
            user=staff,
            place_id=city.places["E1"].pk,
            day=tomorrow(),
            starts=dt.time(9),
            ends=dt.time(11),
            location="",
        )
    assert "location" in e.value.errors
    with pytest.raises(Forbidden):
        services.schedule_desk(
            user=city.users["grid_worker"],
            place_id=city.places["E1"].pk,
            day=tomorrow(),
            starts=dt.time(9),
            ends=dt.time(11),
            location="x",
        )


def test_privacy_export_and_erase(desk):
    from linju.services import privacy

    ask(desk, note="我的电话")
    owner = desk.city.users["owner"]
    assert privacy.export(owner)[0]["note"] == "我的电话"
    privacy.erase(owner)
    assert privacy.export(owner)[0]["note"] == ""
