"""Community C1 of the test city with a volunteer team and an activity of building B1; helpers
that move an activity's times (the services refuse a start in the past, tests need one)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from linju.activities import services_activities as acts
from linju.activities import services_teams as teams
from linju.activities.models import Activity, MemberRole, TeamKind


@dataclass
class Hood:
    city: object
    staff: object  # community staff of C1
    leader: object  # the owner of H101 leads the patrol
    member: object  # the tenant of H102
    patrol: object
    party: object  # an activity of building B1, 2 places, tomorrow


@pytest.fixture
def hood(city):
    staff = city.users["community_staff"]
    leader, member = city.users["owner"], city.users["tenant"]
    patrol = teams.create_team(
        user=staff,
        place_id=city.places["C1"].pk,
        name="平安巡逻队",
        kind=TeamKind.SAFETY,
        leader_id=leader.pk,
    )
    teams.add_team_member(user=staff, team_id=patrol.pk, person_id=member.pk)
    start = timezone.now() + timedelta(days=1)
    party = acts.create_activity(
        user=staff,
        place_id=city.places["B1"].pk,
        title="楼组包饺子",
        kind="festival",
        venue="B1 楼下",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=2,
    )
    return Hood(city=city, staff=staff, leader=leader, member=member, patrol=patrol, party=party)


def started(activity, *, minutes_ago=10, hours=2):
    """Move the activity so that it started `minutes_ago` minutes ago."""
    start = timezone.now() - timedelta(minutes=minutes_ago)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + timedelta(hours=hours)
    )
    activity.refresh_from_db()
    return activity


__all__ = ["Hood", "MemberRole", "started"]
