"""manage.py sweep_activities: those with a place at an activity starting within 24 hours are
reminded once (not those waiting, not for a cancelled activity, not days ahead); service left
waiting more than three days is brought to the team's other leaders once, to the community
staff where no other leader could confirm it; run again, nothing more is sent."""

import io
from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.utils import timezone

from linju.activities import services_activities as acts
from linju.activities import services_teams as teams
from linju.activities.models import Activity, MemberRole, ServiceRecord
from linju.core.models import Notification


def sweep(verbosity=1) -> str:
    out = io.StringIO()
    call_command("sweep_activities", verbosity=verbosity, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def inbox(user, kind) -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()


def activity(hood, *, hours, capacity=0, title="防诈骗讲座"):
    start = timezone.now() + timedelta(hours=hours)
    return acts.create_activity(
        user=hood.staff,
        place_id=hood.city.places["B1"].pk,
        title=title,
        kind="training",
        venue="B1 会议室",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=capacity,
    )


def test_those_with_a_place_are_reminded_once_the_day_before(hood):
    city = hood.city
    owner, tenant, head = city.users["owner"], city.users["tenant"], city.users["building_head"]
    soon = activity(hood, hours=3, capacity=2)
    later = activity(hood, hours=50, title="亲子手工")
    called_off = activity(hood, hours=5, title="楼组茶话会")
    for person in (owner, tenant, head):  # the building head waits
        acts.sign_up(user=person, activity_id=soon.pk)
    acts.sign_up(user=owner, activity_id=later.pk)
    acts.sign_up(user=tenant, activity_id=called_off.pk)
    acts.cancel_activity(user=hood.staff, activity_id=called_off.pk, reason="场地维修")
    before = {u: inbox(u, "activities.activity") for u in (owner, tenant, head)}

    assert "reminded 2 people of 2 activities" in sweep()  # the party tomorrow has nobody yet
    after = {u: inbox(u, "activities.activity") for u in (owner, tenant, head)}
    assert {u: after[u] - before[u] for u in after} == {owner: 1, tenant: 1, head: 0}
    reminder = Notification.objects.filter(recipient=owner).order_by("-pk").first()
    assert reminder.url == f"/activities/{soon.pk}/" and reminder.body == "B1 会议室"
    soon.refresh_from_db()
    assert soon.reminded_at is not None
    assert Activity.objects.get(pk=later.pk).reminded_at is None
    assert Activity.objects.get(pk=called_off.pk).reminded_at is None

    # Again: nothing. The next day, the later one's turn comes, once.
    assert "reminded 0 people of 0 activities" in sweep()
    with time_machine.travel(timezone.now() + timedelta(hours=30)):
        assert "reminded 1 people of 1 activities" in sweep()
        assert "reminded 0 people of 0 activities" in sweep()
    assert inbox(owner, "activities.activity") == after[owner] + 1
    assert inbox(tenant, "activities.activity") == after[tenant]


def test_service_waiting_three_days_is_brought_to_those_who_confirm_it_once(hood):
    city, staff, leader, member = hood.city, hood.staff, hood.leader, hood.member
    today = timezone.localdate()
    record = teams.submit_service(
        user=member, team_id=hood.patrol.pk, served_on=today, minutes=90, what="夜间巡逻"
    )
    own = teams.submit_service(
        user=leader, team_id=hood.patrol.pk, served_on=today, minutes=60, what="消防通道巡查"
    )
    fresh = {u: inbox(u, "activities.team") for u in (leader, member, staff)}
    assert "0 leaders of 0 service records" in sweep()  # not three days yet

    with time_machine.travel(timezone.now() + timedelta(days=3, hours=1)):
        assert "2 leaders of 2 service records" in sweep()
        assert "0 leaders of 0 service records" in sweep()
    # The leader is reminded of the member's record, not of their own; no other leader could
    # confirm the leader's, so the community staff are; the member is told nothing.
    got = {u: inbox(u, "activities.team") - fresh[u] for u in fresh}
    assert got == {leader: 1, member: 0, staff: 1}
    assert Notification.objects.filter(recipient=leader).order_by("-pk").first().url == (
        f"/activities/teams/{hood.patrol.pk}/"
    )
    staff_url = Notification.objects.filter(recipient=staff).order_by("-pk").first().url
    assert staff_url == "/activities/desk/services/"
    assert not Notification.objects.filter(recipient=city.users["community_staff_2"]).exists()
    assert ServiceRecord.objects.filter(reminded_at__isnull=False).count() == 2
    own.refresh_from_db()
    first = own.reminded_at

    # A second leader now could confirm the first's; a record decided is never reminded.
    teams.add_team_member(
        user=staff,
        team_id=hood.patrol.pk,
        person_id=city.users["party_liaison"].pk,
        role=MemberRole.LEADER,
    )
    teams.decide_service(user=leader, record_id=record.pk, confirm=True)
    later = teams.submit_service(
        user=member, team_id=hood.patrol.pk, served_on=today, minutes=30, what="巡逻"
    )
    told = inbox(city.users["party_liaison"], "activities.team")  # of the record, at once
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert "2 leaders of 1 service records" in sweep()
    later.refresh_from_db()
    own.refresh_from_db()
    assert later.reminded_at is not None and own.reminded_at == first
    assert inbox(city.users["party_liaison"], "activities.team") == told + 1


def test_quiet_sweep_prints_nothing(hood):
    assert sweep(verbosity=0) == ""
