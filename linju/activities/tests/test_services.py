"""The core paths of teams and activities through the real services and ledgers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linju.activities import queries
from linju.activities import services_activities as acts
from linju.activities import services_teams as teams
from linju.activities.models import ServiceStatus, SignUpStatus
from linju.core.errors import Conflict, Forbidden, Invalid, NotFound
from linju.points.models import Account, HoursEntry, PointsEntry

from .conftest import started


def balance(user):
    account = Account.objects.filter(user=user).first()
    return (account.points, account.minutes) if account else (0, 0)


def test_a_leader_confirms_a_members_service_once(hood):
    record = teams.submit_service(
        user=hood.member,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=150,
        what="夜间巡逻",
    )
    assert record.status == ServiceStatus.SUBMITTED
    assert balance(hood.member) == (0, 0)
    record = teams.decide_service(user=hood.leader, record_id=record.pk, confirm=True)
    # Default rule: 1 point an hour, at most 2 hours counted per service.
    assert (record.status, record.points) == (ServiceStatus.CONFIRMED, 2)
    assert balance(hood.member) == (2, 150)
    assert HoursEntry.objects.get(key=f"team-service:{record.pk}").minutes == 150
    with pytest.raises(Conflict):
        teams.decide_service(user=hood.leader, record_id=record.pk, confirm=True)
    assert PointsEntry.objects.filter(user=hood.member).count() == 1


def test_a_leader_does_not_confirm_their_own_service(hood):
    record = teams.submit_service(
        user=hood.leader,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=60,
        what="巡逻",
    )
    with pytest.raises(Conflict) as err:
        teams.decide_service(user=hood.leader, record_id=record.pk, confirm=True)
    assert err.value.code == "own_service"
    teams.decide_service(user=hood.staff, record_id=record.pk, confirm=True)
    assert balance(hood.leader) == (1, 60)


def test_a_member_cannot_confirm(hood):
    record = teams.submit_service(
        user=hood.member,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=60,
        what="巡逻",
    )
    with pytest.raises(Forbidden):
        teams.decide_service(user=hood.member, record_id=record.pk, confirm=True)
    assert balance(hood.member) == (0, 0)


def test_sign_ups_beyond_capacity_wait_and_move_up_in_order(hood):
    city = hood.city
    people = [city.users["owner"], city.users["tenant"], city.users["building_head"]]
    # The building head lives nowhere but holds a staff role over B1: they may take part.
    got = [acts.sign_up(user=p, activity_id=hood.party.pk).status for p in people]
    assert got == [SignUpStatus.SIGNED, SignUpStatus.SIGNED, SignUpStatus.WAITING]
    acts.cancel_sign_up(user=people[0], activity_id=hood.party.pk)
    hood.party.refresh_from_db()
    assert hood.party.signed == 2
    assert hood.party.sign_ups.get(user=people[2]).status == SignUpStatus.SIGNED


def test_residents_of_another_building_group_may_not_sign_up(hood):
    with pytest.raises(Forbidden):
        acts.sign_up(user=hood.city.users["owner_2"], activity_id=hood.party.pk)


def test_check_in_then_confirmation_credits_attendance_points_once(hood):
    mine = acts.sign_up(user=hood.member, activity_id=hood.party.pk)
    with pytest.raises(Conflict):
        acts.check_in(user=hood.member, code=hood.party.check_in_code)  # a day early
    started(hood.party)
    acts.check_in(user=hood.member, code=hood.party.check_in_code)
    for _ in range(2):
        acts.confirm_attendance(user=hood.staff, activity_id=hood.party.pk, sign_up_ids=[mine.pk])
    assert balance(hood.member) == (1, 0)  # default: 1 point per activity, no service hours
    mine.refresh_from_db()
    assert mine.points == 1 and mine.confirmed_by == hood.staff


def test_volunteer_service_activity_credits_hours_and_service_points(hood):
    start = timezone.now() + timedelta(hours=3)
    cleanup = acts.create_activity(
        user=hood.staff,
        place_id=hood.city.places["E1"].pk,
        title="小区大扫除",
        kind="volunteer",
        venue="中心花园",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
    )
    assert cleanup.service_minutes == 180
    started(cleanup, hours=3)
    mine = acts.check_in(user=hood.member, code=cleanup.check_in_code)  # a walk-in
    acts.confirm_attendance(user=hood.staff, activity_id=cleanup.pk, sign_up_ids=[mine.pk])
    assert balance(hood.member) == (2, 180)  # 3 hours, 2 counted at 1 point an hour


def test_monthly_figures_count_activities_per_building_and_person_times(hood):
    started(hood.party)
    acts.check_in(user=hood.member, code=hood.party.check_in_code)
    now = timezone.localtime()
    figures = queries.monthly_figures(place=hood.city.places["C1"], year=now.year, month=now.month)
    by_name = {r["place"].name: r for r in figures["buildings"]}
    assert by_name["B1"]["activities"] == 1 and by_name["B1"]["person_times"] == 1
    assert by_name["B2"]["activities"] == 0
    assert figures["buildings_with_activity"] == 1


def test_the_desk_checks_in_only_people_of_the_place(hood):
    started(hood.party)
    with pytest.raises(Invalid) as err:
        acts.check_in_person(
            user=hood.staff, activity_id=hood.party.pk, person_id=hood.city.users["owner_2"].pk
        )
    assert set(err.value.errors) == {"person"}
    assert not hood.party.sign_ups.exists()


def test_a_building_teams_leader_does_not_hold_the_whole_communitys_activity(hood):
    staff, city = hood.staff, hood.city
    b1_team = teams.create_team(
        user=staff,
        place_id=city.places["B1"].pk,
        name="B1 清洁队",
        kind="environment",
        leader_id=hood.leader.pk,
    )
    start = timezone.now() + timedelta(days=2)
    with pytest.raises(Invalid) as err:
        acts.create_activity(
            user=hood.leader,
            place_id=city.places["C1"].pk,
            title="全社区大扫除",
            kind="volunteer",
            venue="社区",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            team_id=b1_team.pk,
        )
    assert set(err.value.errors) == {"team"}


def test_an_organiser_who_loses_the_role_no_longer_runs_the_activity(hood):
    from linju.core import access
    from linju.people.models import RoleGrant

    head = hood.city.users["building_head"]
    start = timezone.now() + timedelta(days=1)
    talk = acts.create_activity(
        user=head,
        place_id=hood.city.places["B1"].pk,
        title="防诈骗讲座",
        kind="training",
        venue="活动室",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    RoleGrant.objects.filter(user=head).update(revoked_at=timezone.now())
    access.forget(head)
    started(talk)
    with pytest.raises(Forbidden):
        acts.check_in_person(user=head, activity_id=talk.pk, person_id=hood.member.pk)
    assert queries.activity_for(head, talk.pk) is None


def test_a_moved_activity_forgets_early_check_ins(hood):
    party = hood.party
    acts.sign_up(user=hood.member, activity_id=party.pk)
    start = timezone.now() + timedelta(minutes=30)  # check-in opens an hour early
    party.__class__.objects.filter(pk=party.pk).update(
        starts_at=start, ends_at=start + timedelta(hours=1)
    )
    mine = acts.check_in(user=hood.member, code=party.check_in_code)
    assert mine.checked_in_at is not None
    later = timezone.now() + timedelta(days=7)
    acts.update_activity(
        user=hood.staff,
        activity_id=party.pk,
        title=party.title,
        kind=party.kind,
        venue=party.venue,
        starts_at=later,
        ends_at=later + timedelta(hours=2),
        capacity=2,
    )
    mine.refresh_from_db()
    assert mine.checked_in_at is None and mine.status == SignUpStatus.SIGNED


def test_a_talent_who_moved_out_is_no_longer_offered(hood):
    from linju.activities import services_talents as talents
    from linju.people.models import Residency

    talent = talents.set_talent(user=hood.member, skill="repairs", visibility="neighbours")
    assert list(queries.talent_search(hood.staff)) == [talent]
    assert list(queries.neighbours_talents(hood.leader)) == [talent]
    Residency.objects.filter(user=hood.member).update(status="ended")
    assert not queries.talent_search(hood.staff).exists()
    assert not queries.neighbours_talents(hood.leader).exists()
    with pytest.raises(NotFound):
        talents.invite(user=hood.staff, talent_id=talent.pk, message="请来", project="读书角")


def test_staff_do_not_see_their_own_service_in_their_queue(hood):
    teams.add_team_member(user=hood.staff, team_id=hood.patrol.pk, person_id=hood.staff.pk)
    own = teams.submit_service(
        user=hood.staff,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=30,
        what="巡逻",
    )
    assert own not in queries.services_to_confirm(hood.staff)
    assert own in queries.services_to_confirm(hood.leader)


def test_erasing_an_account_turns_down_its_waiting_service(hood):
    from linju.activities import privacy

    record = teams.submit_service(
        user=hood.member,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=30,
        what="巡逻",
    )
    privacy.erase(hood.member)
    record.refresh_from_db()
    assert record.status == ServiceStatus.REJECTED
    with pytest.raises(Conflict):
        teams.decide_service(user=hood.leader, record_id=record.pk, confirm=True)


def test_a_superuser_sees_every_activity_team_and_record(hood, django_user_model):
    root = django_user_model.objects.create_superuser("13700000000", "pass-Word-9")
    record = teams.submit_service(
        user=hood.member,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=30,
        what="巡逻",
    )
    assert queries.activity_for(root, hood.party.pk) == hood.party
    assert queries.team_for(root, hood.patrol.pk) == hood.patrol
    assert record in queries.service_records_for(root)
    assert hood.party in queries.runnable_activities(root)


def test_the_desk_panel_is_for_staff_of_an_activities_scope(hood):
    assert queries.desk_counts(hood.city.users["partner"]) is None
    assert queries.desk_counts(hood.leader) is None  # a resident leader decides on the team page
    counts = queries.desk_counts(hood.staff)
    assert counts == {"activities_services_waiting": 0, "activities_this_week": 1}
