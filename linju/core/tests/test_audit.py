"""The audit log: append-only records and the staff page that browses them by scope."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linju.core import audit, queries
from linju.core.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db
BACKEND = "linju.people.backends.MobileBackend"


def login(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def at(day: str, hour: int = 12):
    return timezone.make_aware(
        datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour))
    )


@pytest.fixture
def events(city):
    """One event in C1 (household H101) and one in C2 (H301), by different actors."""
    c1 = audit.record(
        actor=city.users["unit_head"], verb="residency.verify", obj=city.households["H101"]
    )
    c2 = audit.record(
        actor=city.users["unit_head_2"], verb="residency.reject", obj=city.households["H301"]
    )
    return c1, c2


def test_events_are_append_only(events):
    event = AuditEvent.objects.get(pk=events[0].pk)
    event.verb = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).verb == "residency.verify"


def test_record_captures_object_and_scope(city, events):
    c1 = events[0]
    assert c1.object_type == "places.household"
    assert c1.object_id == str(city.households["H101"].pk)
    assert c1.scope_path == city.households["H101"].path
    assert c1.actor == city.users["unit_head"]


def test_community_staff_sees_only_their_community(client, city, events):
    body = login(client, city.users["community_staff"]).get(reverse("core:audit")).content
    body = body.decode()
    assert "residency.verify" in body
    assert "residency.reject" not in body


def test_subdistrict_admin_sees_both_communities(client, city, events):
    body = login(client, city.users["subdistrict_admin"]).get(reverse("core:audit")).content
    assert b"residency.verify" in body and b"residency.reject" in body


@pytest.mark.parametrize("role", ["owner", "unit_head", "grid_worker", "property_manager"])
def test_others_are_refused(client, city, role):
    assert login(client, city.users[role]).get(reverse("core:audit")).status_code == 403


def test_visitor_is_sent_to_login(client):
    response = client.get(reverse("core:audit"))
    assert response.status_code == 302 and reverse("people:login") in response["Location"]


def test_actor_mobile_is_masked(client, city, events):
    body = login(client, city.users["community_staff"]).get(reverse("core:audit")).content
    mobile = city.users["unit_head"].mobile
    assert mobile.encode() not in body
    assert f"{mobile[:3]}****{mobile[-4:]}".encode() in body


def test_filters(city):
    staff = city.users["subdistrict_admin"]
    h101, h201 = city.households["H101"], city.households["H201"]
    head = city.users["unit_head"]
    for when, actor, verb, obj in [
        ("2026-03-01", head, "residency.verify", h101),
        ("2026-03-05", head, "residency.reject", h201),
        ("2026-03-09", city.users["community_staff"], "residency.verify", h201),
    ]:
        AuditEvent.objects.create(
            created_at=at(when),
            actor=actor,
            verb=verb,
            object_type="places.household",
            object_id=str(obj.pk),
            object_repr=str(obj),
            scope_path=obj.path,
        )

    def verbs(**filters):
        return [
            (e.verb, e.created_at.date().isoformat())
            for e in queries.audit_events(staff, **filters)
        ]

    assert verbs(actor_mobile=head.mobile) == [
        ("residency.reject", "2026-03-05"),
        ("residency.verify", "2026-03-01"),
    ]
    assert len(verbs(verb="residency.verify")) == 2
    assert verbs(object_type="places.household", object_id=str(h201.pk)) == [
        ("residency.verify", "2026-03-09"),
        ("residency.reject", "2026-03-05"),
    ]
    # Both ends of the date range are included, as local calendar days.
    range_ = verbs(date_from=datetime.date(2026, 3, 5), date_to=datetime.date(2026, 3, 9))
    assert [d for _, d in range_] == ["2026-03-09", "2026-03-05"]
    assert verbs(date_to=datetime.date(2026, 2, 28)) == []


def test_local_day_boundaries(city):
    """An event at 00:30 Shanghai time on 3 March is 2 March in UTC; it belongs to 3 March."""
    staff = city.users["subdistrict_admin"]
    h101 = city.households["H101"]
    AuditEvent.objects.create(
        created_at=at("2026-03-03", 0) + datetime.timedelta(minutes=30),
        verb="early",
        object_type="places.household",
        object_id=str(h101.pk),
        object_repr=str(h101),
        scope_path=h101.path,
    )
    day = datetime.date(2026, 3, 3)
    assert [e.verb for e in queries.audit_events(staff, date_from=day, date_to=day)] == ["early"]
    before = datetime.date(2026, 3, 2)
    assert list(queries.audit_events(staff, date_from=before, date_to=before)) == []


def test_page_filters_and_bad_input(client, city, events):
    login(client, city.users["subdistrict_admin"])
    url = reverse("core:audit")
    body = client.get(url, {"verb": "residency.reject"}).content.decode()
    assert "residency.reject" in body and "residency.verify" not in body
    response = client.get(url, {"date_from": "2026-03-09", "date_to": "2026-03-01"})
    assert response.status_code == 200
    assert 'data-field="date_to"' in response.content.decode()
    response = client.get(url, {"date_from": "not a date"})
    assert response.status_code == 200
    assert 'data-field="date_from"' in response.content.decode()


def test_audit_page_paginates_with_bounded_queries(client, city):
    staff = city.users["community_staff"]
    login(client, staff)
    h101 = city.households["H101"]
    audit.record(actor=city.users["unit_head"], verb="v0", obj=h101)
    client.get(reverse("core:audit"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("core:audit"))
    actors = [city.users[k] for k in ("unit_head", "grid_worker", "building_head", "owner")]
    for i in range(40):
        audit.record(actor=actors[i % len(actors)], verb=f"v{i + 1}", obj=h101, data={"i": i})
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("core:audit"))
    assert len(many) == len(few)
    assert response.content.decode().count("<tr>") == 21  # header + 20 rows
    last = client.get(reverse("core:audit"), {"page": 3}).content.decode()
    assert last.count("<tr>") == 2


def test_audit_page_counts_at_most_the_cap(client, city, english, monkeypatch):
    """A subdistrict's log is too long to count on every page view: past the cap it says so."""
    from linju.core.views import CappedPaginator

    login(client, city.users["community_staff"])
    for i in range(4):
        audit.record(actor=city.users["unit_head"], verb=f"v{i}", obj=city.households["H101"])
    assert "4 events" in client.get(reverse("core:audit")).content.decode()
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    body = client.get(reverse("core:audit")).content.decode()
    assert "More than 3 events" in body and body.count("<tr>") == 5
