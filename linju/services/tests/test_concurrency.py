"""A slot is never overbooked, even under concurrent requests (PostgreSQL, real threads and
connections; SQLite has one writer, so its IMMEDIATE transactions queue by construction): twelve
residents booking a slot of five at once leave exactly five requests and `booked == 5`; a
resident's cancel raced by the handler's accept ends one way only, the slot's count with it."""

import pytest
from django.db import connection

from linju.core.errors import Conflict
from linju.core.testing import race
from linju.people.models import Relation, Residency, ResidencyStatus, User
from linju.places.models import Household
from linju.services import services
from linju.services.models import RequestStatus, ServiceRequest, ServiceSlot

from .conftest import make_item, make_slot


@pytest.fixture
def pg(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers are PostgreSQL's (CI runs it there)")


def residents(city, n):
    unit = city.places["U1"]
    people = []
    for i in range(n):
        household = Household.objects.create(unit=unit, room=f"9{i:02d}", floor=9, area=80)
        user = User.objects.create_user(f"1370000{i:04d}", "pass-Word-9", name=f"居民{i}")
        Residency.objects.create(
            user=user,
            household=household,
            relation=Relation.OWNER,
            status=ResidencyStatus.VERIFIED,
            source="roster",
        )
        people.append(user.pk)
    return people


def test_twelve_bookings_of_a_slot_of_five_book_five(pg, city):
    item = make_item(city)
    slot = make_slot(city, capacity=5)
    people = residents(city, 12)

    def book(pk):
        return lambda: services.request_service(
            user=User.objects.get(pk=pk), item_id=item.pk, slot_id=slot.pk
        )

    results = race(*[book(pk) for pk in people])
    made = [r for r in results if isinstance(r, ServiceRequest)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(made) == 5, results
    assert len(refused) == 7 and {r.code for r in refused} == {"slot_full"}
    assert ServiceSlot.objects.get(pk=slot.pk).booked == 5
    assert ServiceRequest.objects.filter(slot=slot).count() == 5


def test_cancel_raced_by_accept_ends_one_way(pg, city):
    item = make_item(city)
    slot = make_slot(city, capacity=3)
    owner, worker = city.users["owner"].pk, city.users["grid_worker"].pk
    for _round in range(3):
        request = services.request_service(
            user=User.objects.get(pk=owner), item_id=item.pk, slot_id=slot.pk
        )
        results = race(
            lambda r=request: services.cancel_request(user=User.objects.get(pk=owner), request=r),
            lambda r=request: services.accept_request(user=User.objects.get(pk=worker), request=r),
        )
        ok = [r for r in results if isinstance(r, ServiceRequest)]
        assert len(ok) == 1 and isinstance(next(r for r in results if r not in ok), Conflict)
        request.refresh_from_db()
        assert request.status in (RequestStatus.CANCELLED, RequestStatus.ACCEPTED)
    open_ = ServiceRequest.objects.filter(slot=slot, status=RequestStatus.ACCEPTED).count()
    assert ServiceSlot.objects.get(pk=slot.pk).booked == open_
