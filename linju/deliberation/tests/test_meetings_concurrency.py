"""Concurrent writers on one meeting, with real threads and connections on PostgreSQL (SQLite
has a single writer: IMMEDIATE transactions queue there by construction). Every service locks
the meeting row first, so a double scan at the door, two hosts inviting at once or a double
click on "send the notice" apply once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from conftest import build_city
from linju.core.models import AuditEvent
from linju.core.testing import race
from linju.deliberation import services_meetings as services
from linju.deliberation.models import Invitee, MeetingKind, MeetingStatus, Publication


@pytest.fixture
def pg_city(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers are PostgreSQL's (CI runs it there)")
    city = build_city()
    MeetingKind.objects.update(notice_days=0)
    return city


def meeting_of(city, *keys, kind="yishihui", place="B1"):
    meeting = services.create_meeting(
        user=city.users["community_staff"],
        kind=kind,
        place_id=city.places[place].pk,
        title="议事会",
        venue="活动室",
        starts_at=timezone.now() + timedelta(hours=1),
    )
    if keys:
        services.invite(
            user=city.users["community_staff"],
            meeting=meeting,
            user_ids=[city.users[k].pk for k in keys],
        )
    return meeting


def test_a_double_scan_walks_in_once(pg_city):
    meeting = meeting_of(pg_city, "owner")
    services.send_notice(user=pg_city.users["community_staff"], meeting=meeting)
    tenant = pg_city.users["tenant"]

    def scan():
        return services.check_in(user=tenant, meeting=meeting, token=meeting.checkin_token)

    results = race(scan, scan, scan)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.already for r in results) == [False, True, True]
    assert Invitee.objects.filter(meeting=meeting, user=tenant).count() == 1
    assert AuditEvent.objects.filter(verb="deliberation.meeting.check_in").count() == 1


def test_two_hosts_invite_the_scope_at_once(pg_city):
    meeting = meeting_of(pg_city, place="E1")

    def by(key):
        return lambda: services.invite(user=pg_city.users[key], meeting=meeting, scope=True)

    results = race(by("community_staff"), by("owners_committee"))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.added for r in results) == [0, 3]
    assert Invitee.objects.filter(meeting=meeting).count() == 3


def test_a_double_click_sends_one_notice(pg_city):
    meeting = meeting_of(pg_city, "owner", "tenant")
    host = pg_city.users["community_staff"]
    results = race(*[lambda: services.send_notice(user=host, meeting=meeting)] * 2)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and errors[0].code == "wrong_status"
    assert Publication.objects.filter(meeting=meeting).count() == 1
    assert meeting.__class__.objects.get(pk=meeting.pk).status == MeetingStatus.NOTICED
