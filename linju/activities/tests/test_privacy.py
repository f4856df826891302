"""PIPL: what activities holds about a person in their data download (sign-ups, memberships,
team service, talents, invitations, photos), and what deleting the account does — talents,
invitations and memberships go, places at activities to come are given back (the wait list
moves up), past attendance and service records stay with the anonymised account as the
ledgers do."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from linju.activities import privacy
from linju.activities import services_activities as acts
from linju.activities import services_talents as talents
from linju.activities import services_teams as teams
from linju.activities.models import (
    GroupMember,
    Invitation,
    ServiceRecord,
    ServiceStatus,
    SignUp,
    SignUpStatus,
    Talent,
    TeamMember,
)
from linju.core import privacy as core_privacy
from linju.people.services import delete_account
from linju.points.models import Account, HoursEntry, PointsEntry

from .conftest import started


@pytest.fixture
def history(hood):
    """The tenant (a member of the patrol) served once (confirmed) and once more (waiting),
    came to a past 包饺子 and was confirmed, sings in the choir, offers repairs and was invited,
    and holds a place at tomorrow's party, where the building head waits."""
    city, staff, member = hood.city, hood.staff, hood.member
    served = teams.submit_service(
        user=member,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=120,
        what="夜间巡逻",
    )
    teams.decide_service(user=hood.leader, record_id=served.pk, confirm=True)
    teams.submit_service(
        user=member, team_id=hood.patrol.pk, served_on=timezone.localdate(), minutes=60, what="巡查"
    )
    start = timezone.now() + timedelta(hours=5)
    past = acts.create_activity(
        user=staff,
        place_id=city.places["B1"].pk,
        title="中秋灯谜会",
        kind="festival",
        venue="B1 楼下",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    came = acts.sign_up(user=member, activity_id=past.pk)
    started(past)
    acts.check_in(user=member, code=past.check_in_code)
    acts.confirm_attendance(user=staff, activity_id=past.pk, sign_up_ids=[came.pk])
    choir = teams.create_group(user=staff, place_id=city.places["C1"].pk, name="合唱团")
    teams.join_group(user=member, group_id=choir.pk)
    talent = talents.set_talent(
        user=member, skill="repairs", note="会修水管", visibility="neighbours"
    )
    talents.invite(user=staff, talent_id=talent.pk, project="楼道照明改造", message="请帮忙看看")
    acts.sign_up(user=city.users["owner"], activity_id=hood.party.pk)
    coming = acts.sign_up(user=member, activity_id=hood.party.pk)
    waiting = acts.sign_up(user=city.users["building_head"], activity_id=hood.party.pk)
    assert waiting.status == SignUpStatus.WAITING
    return hood, past, came, coming, waiting


def test_the_download_lists_what_the_person_did_and_offered(history):
    hood, *_rest = history
    data = core_privacy.export(hood.member)["activities"]
    json.dumps(data)  # the download is JSON
    assert data["records_kept"]
    assert [(s["activity"], s["points"]) for s in data["sign_ups"]] == [
        ("中秋灯谜会", 1),
        ("楼组包饺子", 0),
    ]
    assert data["sign_ups"][0]["checked_in_at"] and data["sign_ups"][0]["confirmed_at"]
    assert [t["team"] for t in data["teams"]] == ["平安巡逻队"]
    assert [g["group"] for g in data["interest_groups"]] == ["合唱团"]
    assert [(r["service"], r["minutes"], r["points"]) for r in data["team_service"]] == [
        ("夜间巡逻", 120, 2),
        ("巡查", 60, 0),
    ]
    assert [t["note"] for t in data["talents"]] == ["会修水管"]
    assert [(i["project"], i["message"]) for i in data["invitations"]] == [
        ("楼道照明改造", "请帮忙看看")
    ]
    # Another person's download holds none of it.
    other = privacy.export(hood.city.users["owner_2"])
    assert other["sign_ups"] == other["teams"] == other["talents"] == other["invitations"] == []
    # The leader's holds their team, not the member's service.
    leader = privacy.export(hood.leader)
    assert [t["team"] for t in leader["teams"]] == ["平安巡逻队"]
    assert leader["team_service"] == []


def test_deleting_the_account_gives_places_back_and_keeps_what_happened(history):
    hood, _past, came, coming, waiting = history
    member = hood.member
    entries = list(PointsEntry.objects.order_by("pk").values())
    hours = list(HoursEntry.objects.order_by("pk").values())
    member.set_password("pw-member-1")
    member.save()
    delete_account(user=member, password="pw-member-1")
    # The place at tomorrow's party is given back: the building head moves up.
    coming.refresh_from_db()
    waiting.refresh_from_db()
    assert coming.status == SignUpStatus.CANCELLED
    assert waiting.status == SignUpStatus.SIGNED
    hood.party.refresh_from_db()
    assert hood.party.signed == 2
    # What only said something about the person is gone.
    assert not Talent.objects.filter(user=member).exists()
    assert not Invitation.objects.exists()
    assert not TeamMember.objects.filter(user=member).exists()
    assert not GroupMember.objects.filter(user=member).exists()
    # What happened stays, with the anonymised account, and so do the ledgers.
    came.refresh_from_db()
    assert came.confirmed_at is not None and came.user_id == member.pk
    assert ServiceRecord.objects.filter(user=member).count() == 2
    assert ServiceRecord.objects.filter(user=member, status=ServiceStatus.CONFIRMED).count() == 1
    assert list(PointsEntry.objects.order_by("pk").values()) == entries
    assert list(HoursEntry.objects.order_by("pk").values()) == hours
    account = Account.objects.get(user=member)
    assert (account.points, account.minutes) == (3, 120)
    member.refresh_from_db()
    assert member.name == "" and not member.is_active
    # Nothing left to cancel: erasing again changes nothing.
    privacy.erase(member)
    assert SignUp.objects.filter(user=member).count() == 2


def test_erasing_someone_with_nothing_changes_nothing(hood):
    privacy.erase(hood.city.users["newcomer"])
    assert privacy.export(hood.city.users["newcomer"])["sign_ups"] == []
