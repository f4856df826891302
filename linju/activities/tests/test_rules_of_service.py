"""The business rules of activities, teams and the talent pool in detail, through the real
services and ledgers: the check-in window and its edges (time_machine), walk-ins and the wait
list at the door, changes of capacity, cancellation and who is told, the service minutes of a
volunteer activity, when and whom an organiser may confirm, photos, the talent pool's homes,
invitations and answers, and the community's earning caps on what attendance earns."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from linju.activities import queries
from linju.activities import services_activities as acts
from linju.activities import services_talents as talents
from linju.activities import services_teams as teams
from linju.activities.models import (
    ActivityPhoto,
    ActivityStatus,
    InvitationStatus,
    SignUp,
    SignUpStatus,
    Talent,
)
from linju.core.errors import Conflict, Forbidden, Invalid, NotFound
from linju.core.models import Notification
from linju.people.models import Relation, Residency, ResidencyStatus
from linju.points import services as points_services
from linju.points.models import Account, HoursEntry, PointsEntry
from linju.reports.tests.conftest import upload

from .conftest import started


def new_activity(hood, *, place="B1", by=None, start_in=timedelta(days=1), hours=2, **more):
    """An activity through the service (by community staff unless `by`), `start_in` from now."""
    start = timezone.now() + start_in
    more.setdefault("kind", "festival")
    return acts.create_activity(
        user=by or hood.staff,
        place_id=hood.city.places[place].pk,
        title=more.pop("title", "邻里活动"),
        venue="活动室",
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        **more,
    )


def statuses(activity):
    return dict(activity.sign_ups.values_list("user_id", "status"))


def balance(user):
    account = Account.objects.filter(user=user).first()
    return (account.points, account.minutes) if account else (0, 0)


def inbox(user, activity=None):
    rows = Notification.objects.filter(recipient=user, kind="activities.activity")
    if activity is not None:
        rows = rows.filter(url=f"/activities/{activity.pk}/")
    return list(rows.values_list("title", flat=True))


# --- Check-in -----------------------------------------------------------------------------


def test_check_in_opens_an_hour_before_the_start_and_closes_at_the_end(hood):
    party = hood.party
    code = party.check_in_code
    acts.sign_up(user=hood.member, activity_id=party.pk)
    second = timedelta(seconds=1)
    for at, code_refused in [
        (party.starts_at - timedelta(hours=1) - second, "too_early"),
        (party.ends_at + second, "over"),
    ]:
        with time_machine.travel(at, tick=False), pytest.raises(Conflict) as err:
            acts.check_in(user=hood.member, code=code)
        assert err.value.code == code_refused
        with time_machine.travel(at, tick=False), pytest.raises(Conflict) as err:
            acts.check_in_person(user=hood.staff, activity_id=party.pk, person_id=hood.member.pk)
        assert err.value.code == code_refused
    assert not SignUp.objects.filter(activity=party, checked_in_at__isnull=False).exists()
    with time_machine.travel(party.starts_at - timedelta(hours=1), tick=False):
        mine = acts.check_in(user=hood.member, code=code)  # the first moment it opens
    assert mine.checked_in_at == party.starts_at - timedelta(hours=1)
    assert mine.checked_in_by == hood.member
    with time_machine.travel(party.ends_at, tick=False):  # the last moment
        desk = acts.check_in_person(user=hood.staff, activity_id=party.pk, person_id=hood.leader.pk)
    assert desk.checked_in_by == hood.staff and desk.status == SignUpStatus.SIGNED
    with time_machine.travel(party.ends_at, tick=False):  # scanning again changes nothing
        again = acts.check_in(user=hood.member, code=code)
    assert (again.pk, again.checked_in_at) == (mine.pk, mine.checked_in_at)


def test_a_walk_in_takes_a_free_place_and_is_refused_when_full(hood):
    party = started(hood.party)
    party.capacity = 1
    party.save(update_fields=["capacity"])
    walk_in = acts.check_in(user=hood.member, code=party.check_in_code)
    assert (walk_in.status, walk_in.checked_in_at is not None) == (SignUpStatus.SIGNED, True)
    party.refresh_from_db()
    assert party.signed == 1
    with pytest.raises(Conflict) as err:
        acts.check_in(user=hood.leader, code=party.check_in_code)
    assert err.value.code == "full"
    with pytest.raises(Conflict) as err:
        acts.check_in_person(user=hood.staff, activity_id=party.pk, person_id=hood.leader.pk)
    assert err.value.code == "full"
    party.refresh_from_db()
    assert party.signed == 1 and statuses(party) == {hood.member.pk: SignUpStatus.SIGNED}


def test_someone_on_the_wait_list_gets_the_place_that_frees_and_checks_in_on_it(hood):
    party = hood.party  # 2 places
    liaison = hood.city.users["building_head"]  # staff of B1 may take part
    for person in (hood.leader, hood.member, liaison):
        acts.sign_up(user=person, activity_id=party.pk)
    assert statuses(party)[liaison.pk] == SignUpStatus.WAITING
    with time_machine.travel(party.starts_at - timedelta(minutes=30), tick=False):
        with pytest.raises(Conflict) as err:  # full: waiting is not a place
            acts.check_in(user=liaison, code=party.check_in_code)
        assert err.value.code == "full"
        acts.check_in(user=hood.member, code=party.check_in_code)
        acts.cancel_sign_up(user=hood.leader, activity_id=party.pk)  # before the start: allowed
        assert statuses(party)[liaison.pk] == SignUpStatus.SIGNED
        mine = acts.check_in(user=liaison, code=party.check_in_code)
    party.refresh_from_db()
    assert mine.status == SignUpStatus.SIGNED and mine.checked_in_at is not None
    assert party.signed == 2


def test_a_wait_listed_person_arriving_while_a_place_is_free_takes_it(hood):
    """The wait list moves up whenever a place frees, so a free place with someone waiting only
    happens when the activity's counter and rows disagree; the door still gives the place to
    the person in front of it rather than refusing them."""
    party = started(hood.party)
    acts_signup = SignUp.objects.create(
        activity=party, user=hood.member, status=SignUpStatus.WAITING
    )
    mine = acts.check_in(user=hood.member, code=party.check_in_code)
    party.refresh_from_db()
    assert mine.pk == acts_signup.pk and mine.status == SignUpStatus.SIGNED
    assert party.signed == 1


def test_someone_who_cancelled_can_walk_in_again_while_places_are_free(hood):
    party = hood.party
    acts.sign_up(user=hood.member, activity_id=party.pk)
    acts.cancel_sign_up(user=hood.member, activity_id=party.pk)
    started(party)
    mine = acts.check_in(user=hood.member, code=party.check_in_code)
    party.refresh_from_db()
    assert mine.status == SignUpStatus.SIGNED and party.signed == 1


def test_only_people_of_the_place_check_in_and_only_with_a_known_code(hood):
    party = started(hood.party)
    with pytest.raises(Forbidden):
        acts.check_in(user=hood.city.users["owner_2"], code=party.check_in_code)
    with pytest.raises(Invalid) as err:
        acts.check_in(user=hood.member, code=party.check_in_code[:-1])
    assert set(err.value.errors) == {"code"}
    assert not party.sign_ups.exists()


# --- Signing up, cancelling, the wait list --------------------------------------------------


def test_signing_up_and_cancelling_close_at_the_start(hood):
    party = hood.party
    acts.sign_up(user=hood.member, activity_id=party.pk)
    started(party, minutes_ago=0)
    with pytest.raises(Conflict) as err:
        acts.cancel_sign_up(user=hood.member, activity_id=party.pk)
    assert err.value.code == "started"
    with pytest.raises(Conflict) as err:
        acts.sign_up(user=hood.leader, activity_id=party.pk)
    assert err.value.code == "started"
    party.refresh_from_db()
    assert party.signed == 1 and statuses(party) == {hood.member.pk: SignUpStatus.SIGNED}


def test_signing_up_twice_changes_nothing_and_again_after_cancelling_queues_at_the_end(hood):
    party = hood.party  # 2 places
    liaison = hood.city.users["grid_worker"]
    first = acts.sign_up(user=hood.leader, activity_id=party.pk)
    assert acts.sign_up(user=hood.leader, activity_id=party.pk).pk == first.pk
    acts.sign_up(user=hood.member, activity_id=party.pk)
    acts.sign_up(user=liaison, activity_id=party.pk)  # waits
    acts.cancel_sign_up(user=hood.leader, activity_id=party.pk)  # the grid worker moves up
    again = acts.sign_up(user=hood.leader, activity_id=party.pk)
    assert again.pk == first.pk and again.status == SignUpStatus.WAITING
    with pytest.raises(NotFound):
        acts.cancel_sign_up(user=hood.city.users["owner_2"], activity_id=party.pk)
    party.refresh_from_db()
    assert party.signed == 2
    assert statuses(party) == {
        hood.leader.pk: SignUpStatus.WAITING,
        hood.member.pk: SignUpStatus.SIGNED,
        liaison.pk: SignUpStatus.SIGNED,
    }
    assert inbox(liaison, party)  # told a place freed up


def test_capacity_may_not_drop_below_those_signed_and_a_larger_one_moves_the_wait_list_up(hood):
    party = new_activity(hood, place="E1", capacity=1)
    people = [hood.city.users[k] for k in ("owner", "tenant", "party_liaison", "property_manager")]
    for person in people:
        acts.sign_up(user=person, activity_id=party.pk)

    def change(capacity):
        return acts.update_activity(
            user=hood.staff,
            activity_id=party.pk,
            title=party.title,
            kind=party.kind,
            venue=party.venue,
            starts_at=party.starts_at,
            ends_at=party.ends_at,
            capacity=capacity,
        )

    change(2)
    assert [statuses(party)[p.pk] for p in people] == ["signed", "signed", "waiting", "waiting"]
    with pytest.raises(Invalid) as err:
        change(1)
    assert set(err.value.errors) == {"capacity"}
    party.refresh_from_db()
    assert (party.capacity, party.signed) == (2, 2)
    change(3)  # the first waiting moves up, the next still waits
    assert [statuses(party)[p.pk] for p in people] == ["signed", "signed", "signed", "waiting"]
    change(0)  # no limit: everyone
    party.refresh_from_db()
    assert party.signed == 4 and set(statuses(party).values()) == {"signed"}
    assert inbox(people[2], party) and inbox(people[3], party)
    assert not inbox(people[0], party)  # never moved, not told (the time did not change)


def test_a_new_time_or_place_is_told_to_everyone_signed_up_or_waiting(hood):
    party = hood.party
    for person in (hood.leader, hood.member, hood.city.users["grid_worker"]):
        acts.sign_up(user=person, activity_id=party.pk)
    acts.cancel_sign_up(user=hood.leader, activity_id=party.pk)
    acts.update_activity(
        user=hood.staff,
        activity_id=party.pk,
        title=party.title,
        kind=party.kind,
        venue="社区活动中心",
        starts_at=party.starts_at,
        ends_at=party.ends_at,
        capacity=2,
    )
    told = set(
        Notification.objects.filter(
            title__contains=party.title, body__contains="社区活动中心"
        ).values_list("recipient_id", flat=True)
    )
    assert told == {hood.member.pk, hood.city.users["grid_worker"].pk}


def test_an_activity_is_not_changed_once_started(hood):
    party = started(hood.party)
    with pytest.raises(Conflict) as err:
        acts.update_activity(
            user=hood.staff,
            activity_id=party.pk,
            title="改",
            kind=party.kind,
            venue=party.venue,
            starts_at=party.starts_at + timedelta(days=1),
            ends_at=party.ends_at + timedelta(days=1),
        )
    assert err.value.code == "started"


def test_an_activity_is_not_moved_into_the_past(hood):
    party = hood.party
    with pytest.raises(Invalid) as err:
        acts.update_activity(
            user=hood.staff,
            activity_id=party.pk,
            title=party.title,
            kind=party.kind,
            venue=party.venue,
            starts_at=timezone.now() - timedelta(hours=1),
            ends_at=timezone.now() + timedelta(hours=1),
            capacity=party.capacity,
        )
    assert set(err.value.errors) == {"starts_at"}


def test_cancelling_an_activity_tells_everyone_signed_up_or_waiting_and_closes_it(hood):
    party = hood.party
    grid = hood.city.users["grid_worker"]
    head = hood.city.users["building_head"]
    for person in (hood.leader, hood.member, grid, head):
        acts.sign_up(user=person, activity_id=party.pk)
    acts.cancel_sign_up(user=head, activity_id=party.pk)
    with pytest.raises(Invalid) as err:
        acts.cancel_activity(user=hood.staff, activity_id=party.pk, reason="  ")
    assert set(err.value.errors) == {"reason"}
    acts.cancel_activity(user=hood.staff, activity_id=party.pk, reason="暴雨预警")
    party.refresh_from_db()
    assert party.status == ActivityStatus.CANCELLED
    told = set(
        Notification.objects.filter(body="暴雨预警", url=f"/activities/{party.pk}/").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {hood.leader.pk, hood.member.pk, grid.pk}  # not who had cancelled
    for call in (
        lambda: acts.sign_up(user=head, activity_id=party.pk),
        lambda: acts.cancel_activity(user=hood.staff, activity_id=party.pk, reason="again"),
    ):
        with pytest.raises(Conflict) as err:
            call()
        assert err.value.code == "cancelled"
    started(party)
    with pytest.raises(Conflict) as err:
        acts.check_in(user=hood.member, code=party.check_in_code)
    assert err.value.code == "cancelled"


def test_an_activity_that_is_over_is_not_cancelled(hood):
    party = started(hood.party, minutes_ago=180, hours=2)
    with pytest.raises(Conflict) as err:
        acts.cancel_activity(user=hood.staff, activity_id=party.pk, reason="补录")
    assert err.value.code == "over"


# --- Volunteer service minutes ----------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, hours, given, expected",
    [
        ("volunteer", 3, None, 180),
        ("volunteer", 3, "", 180),
        ("volunteer", 12, None, 720),
        ("volunteer", 13, None, 720),  # capped at 12 hours
        ("volunteer", 3, 90, 90),
        ("volunteer", 3, "45", 45),
        ("volunteer", 3, 0, 0),  # 0: attendance points, nothing on the service record
        ("festival", 3, 120, 0),  # only volunteer service goes on the service record
    ],
)
def test_a_volunteer_activity_credits_its_length_capped_at_twelve_hours(
    hood, kind, hours, given, expected
):
    activity = new_activity(
        hood, place="E1", kind=kind, hours=hours, service_minutes=given, title="义务清扫"
    )
    assert activity.service_minutes == expected


def test_a_volunteer_activity_of_zero_minutes_earns_attendance_not_service(hood):
    activity = new_activity(hood, place="E1", kind="volunteer", service_minutes=0)
    started(activity)
    mine = acts.check_in(user=hood.member, code=activity.check_in_code)
    acts.confirm_attendance(user=hood.staff, activity_id=activity.pk, sign_up_ids=[mine.pk])
    assert balance(hood.member) == (1, 0)
    assert not HoursEntry.objects.filter(user=hood.member).exists()


# --- Confirmation ---------------------------------------------------------------------------


def test_attendance_is_not_confirmed_before_the_start(hood):
    party = hood.party
    acts.sign_up(user=hood.member, activity_id=party.pk)
    with time_machine.travel(party.starts_at - timedelta(minutes=30), tick=False):
        mine = acts.check_in(user=hood.member, code=party.check_in_code)
        with pytest.raises(Conflict) as err:
            acts.confirm_attendance(user=hood.staff, activity_id=party.pk, sign_up_ids=[mine.pk])
    assert err.value.code == "not_started"
    with time_machine.travel(party.starts_at, tick=False):  # from the start on
        acts.confirm_attendance(user=hood.staff, activity_id=party.pk, sign_up_ids=[mine.pk])
    assert balance(hood.member) == (1, 0)


def test_only_people_checked_in_are_confirmed(hood):
    party = hood.party
    came = acts.sign_up(user=hood.member, activity_id=party.pk)
    absent = acts.sign_up(user=hood.leader, activity_id=party.pk)
    started(party)
    acts.check_in(user=hood.member, code=party.check_in_code)
    with pytest.raises(Invalid) as err:
        acts.confirm_attendance(
            user=hood.staff, activity_id=party.pk, sign_up_ids=[came.pk, absent.pk]
        )
    assert set(err.value.errors) == {"sign_up_ids"}
    assert balance(hood.member) == balance(hood.leader) == (0, 0)  # all or nothing
    assert not SignUp.objects.filter(confirmed_at__isnull=False).exists()
    other = new_activity(hood, place="B1")
    theirs = acts.sign_up(user=hood.member, activity_id=other.pk)
    with pytest.raises(Invalid):  # a sign-up of another activity
        acts.confirm_attendance(user=hood.staff, activity_id=party.pk, sign_up_ids=[theirs.pk])


def test_someone_who_checked_in_early_and_then_cancelled_is_not_credited(hood):
    party = hood.party
    acts.sign_up(user=hood.member, activity_id=party.pk)
    with time_machine.travel(party.starts_at - timedelta(minutes=30), tick=False):
        mine = acts.check_in(user=hood.member, code=party.check_in_code)
        acts.cancel_sign_up(user=hood.member, activity_id=party.pk)
    mine.refresh_from_db()
    assert (mine.status, mine.checked_in_at) == (SignUpStatus.CANCELLED, None)
    later = party.starts_at + timedelta(minutes=5)
    with time_machine.travel(later, tick=False), pytest.raises(Invalid) as err:
        acts.confirm_attendance(user=hood.staff, activity_id=party.pk, sign_up_ids=[mine.pk])
    assert set(err.value.errors) == {"sign_up_ids"}
    mine.refresh_from_db()
    assert mine.confirmed_at is None and balance(hood.member) == (0, 0)
    now = timezone.localtime(party.starts_at)
    figures = queries.monthly_figures(place=hood.city.places["C1"], year=now.year, month=now.month)
    assert figures["person_times"] == 0


def test_no_one_confirms_their_own_attendance(hood):
    # The patrol's leader organises an activity of the team and takes part in it.
    walk = new_activity(hood, place="B1", by=hood.leader, team_id=hood.patrol.pk, capacity=5)
    assert walk.organiser == hood.leader
    head = hood.city.users["building_head"]
    started(walk)
    own = acts.check_in(user=hood.leader, code=walk.check_in_code)
    other = acts.check_in(user=hood.member, code=walk.check_in_code)
    with pytest.raises(Conflict) as err:
        acts.confirm_attendance(user=hood.leader, activity_id=walk.pk, sign_up_ids=[own.pk])
    assert err.value.code == "own_attendance"
    with pytest.raises(Conflict):  # not smuggled in with someone else's either
        acts.confirm_attendance(
            user=hood.leader, activity_id=walk.pk, sign_up_ids=[own.pk, other.pk]
        )
    assert balance(hood.leader) == balance(hood.member) == (0, 0)
    acts.confirm_attendance(user=hood.leader, activity_id=walk.pk, sign_up_ids=[other.pk])
    acts.confirm_attendance(user=hood.staff, activity_id=walk.pk, sign_up_ids=[own.pk])
    assert balance(hood.leader) == balance(hood.member) == (1, 0)
    # Staff neither: a building head organising in their building has someone else confirm.
    talk = new_activity(hood, place="B1", by=head)
    started(talk)
    mine = acts.check_in(user=head, code=talk.check_in_code)
    with pytest.raises(Conflict):
        acts.confirm_attendance(user=head, activity_id=talk.pk, sign_up_ids=[mine.pk])
    acts.confirm_attendance(user=hood.staff, activity_id=talk.pk, sign_up_ids=[mine.pk])
    assert balance(head) == (1, 0)


def test_a_confirmation_credits_once_and_records_who_confirmed(hood):
    cleanup = new_activity(hood, place="E1", kind="volunteer", hours=1)
    started(cleanup, hours=1)
    mine = acts.check_in(user=hood.member, code=cleanup.check_in_code)
    first = acts.confirm_attendance(user=hood.staff, activity_id=cleanup.pk, sign_up_ids=[mine.pk])
    again = acts.confirm_attendance(user=hood.staff, activity_id=cleanup.pk, sign_up_ids=[mine.pk])
    assert [s.pk for s in first] == [s.pk for s in again] == [mine.pk]
    mine.refresh_from_db()
    assert (mine.points, mine.confirmed_by) == (1, hood.staff)
    assert balance(hood.member) == (1, 60)
    assert PointsEntry.objects.filter(key=mine.ledger_key).count() == 1
    assert HoursEntry.objects.filter(key=mine.ledger_key).count() == 1
    thanks = Notification.objects.filter(recipient=hood.member, url="/points/")
    assert thanks.count() == 1  # thanked once, not on every resend


# --- Photos ---------------------------------------------------------------------------------


def test_photos_come_after_the_start_from_those_who_came_or_run_it(hood, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    party = hood.party
    acts.sign_up(user=hood.member, activity_id=party.pk)
    acts.sign_up(user=hood.leader, activity_id=party.pk)

    def add(user):
        return acts.add_photos(
            user=user, activity_id=party.pk, photos=[upload(size=(64, 48))], caption="包饺子"
        )

    with pytest.raises(Conflict) as err:
        add(hood.staff)
    assert err.value.code == "not_started"
    started(party)
    acts.check_in(user=hood.member, code=party.check_in_code)
    for outsider in (hood.leader, hood.city.users["owner_2"], hood.city.users["grid_worker_2"]):
        with pytest.raises(Forbidden):  # signed up but never came; of elsewhere
            add(outsider)
    assert not ActivityPhoto.objects.exists()
    add(hood.member)
    add(hood.staff)
    add(hood.city.users["building_head"])  # organises in B1
    assert ActivityPhoto.objects.filter(activity=party).count() == 3
    photo = ActivityPhoto.objects.filter(uploaded_by=hood.member).get()
    with pytest.raises(Forbidden):
        acts.delete_photo(user=hood.leader, photo_id=photo.pk)
    acts.delete_photo(user=hood.member, photo_id=photo.pk)
    acts.delete_photo(user=hood.staff, photo_id=ActivityPhoto.objects.first().pk)
    assert ActivityPhoto.objects.count() == 1


def test_an_activity_keeps_at_most_sixty_photos(hood, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    party = started(hood.party)
    monkeypatch.setattr(acts, "MAX_PHOTOS_PER_ACTIVITY", 2)  # the rule, not sixty uploads
    acts.add_photos(user=hood.staff, activity_id=party.pk, photos=[upload(size=(32, 32))])
    with pytest.raises(Invalid) as err:
        acts.add_photos(
            user=hood.staff,
            activity_id=party.pk,
            photos=[upload(size=(32, 32)), upload(size=(32, 32))],
        )
    assert set(err.value.errors) == {"photos"}
    assert ActivityPhoto.objects.count() == 1


# --- Teams -------------------------------------------------------------------------------------


def test_service_is_recorded_by_members_only_and_a_rejection_needs_a_reason(hood):
    city = hood.city
    with pytest.raises(Invalid) as err:  # the party liaison is not in the patrol
        teams.submit_service(
            user=city.users["party_liaison"],
            team_id=hood.patrol.pk,
            served_on=timezone.localdate(),
            minutes=60,
            what="巡逻",
        )
    assert set(err.value.errors) == {"person"}
    with pytest.raises(Forbidden):  # a member does not record for another
        teams.submit_service(
            user=hood.member,
            team_id=hood.patrol.pk,
            served_on=timezone.localdate(),
            minutes=60,
            what="巡逻",
            person_id=hood.leader.pk,
        )
    record = teams.submit_service(
        user=hood.leader,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=60,
        what="巡逻",
        person_id=hood.member.pk,
    )
    assert record.user == hood.member and record.submitted_by == hood.leader
    with pytest.raises(Invalid) as err:
        teams.decide_service(user=hood.leader, record_id=record.pk, confirm=False)
    assert set(err.value.errors) == {"reason"}
    teams.decide_service(user=hood.leader, record_id=record.pk, confirm=False, reason="时间不符")
    record.refresh_from_db()
    assert (record.status, record.reason, record.points) == ("rejected", "时间不符", 0)
    assert balance(hood.member) == (0, 0)
    with pytest.raises(Conflict) as err:
        teams.decide_service(user=hood.staff, record_id=record.pk, confirm=True)
    assert err.value.code == "decided"


def test_joining_a_closed_team_is_refused_and_members_join_once(hood):
    closed = teams.create_team(
        user=hood.staff,
        place_id=hood.city.places["C1"].pk,
        name="消防队",
        kind="safety",
        open_to_join=False,
    )
    with pytest.raises(Forbidden):
        teams.join_team(user=hood.member, team_id=closed.pk)
    with pytest.raises(Conflict) as err:
        teams.join_team(user=hood.member, team_id=hood.patrol.pk)
    assert err.value.code == "already_member"
    teams.update_team(
        user=hood.staff, team_id=hood.patrol.pk, name="平安巡逻队", kind="safety", active=False
    )
    with pytest.raises(NotFound):
        teams.join_team(user=hood.city.users["party_liaison"], team_id=hood.patrol.pk)


# --- Talent pool ------------------------------------------------------------------------------


def test_the_talent_pool_lists_residents_with_a_verified_home(hood):
    newcomer = hood.city.users["newcomer"]
    with pytest.raises(Conflict) as err:
        talents.set_talent(user=newcomer, skill="repairs")
    assert err.value.code == "no_home"
    Residency.objects.create(
        user=newcomer,
        household=hood.city.households["H201"],
        relation=Relation.TENANT,
        status=ResidencyStatus.PENDING,
        source="self",
    )
    with pytest.raises(Conflict):  # claimed, not yet verified
        talents.set_talent(user=newcomer, skill="repairs")
    assert not Talent.objects.exists()
    talent = talents.set_talent(user=hood.member, skill="repairs", note="修水管")
    assert talent.place == hood.city.places["U1"] and talent.path == hood.city.places["U1"].path
    again = talents.set_talent(
        user=hood.member, skill="repairs", note="修电器", visibility="neighbours"
    )
    assert again.pk == talent.pk and (again.note, again.visibility) == ("修电器", "neighbours")
    talents.remove_talent(user=hood.member, skill="repairs")
    with pytest.raises(NotFound):
        talents.remove_talent(user=hood.member, skill="repairs")


def test_an_invitation_needs_an_activity_the_inviter_runs_or_a_project(hood):
    city = hood.city
    talent = talents.set_talent(user=hood.member, skill="legal", visibility="neighbours")
    head = city.users["building_head"]
    estate = new_activity(hood, place="E1")  # the building head does not run it
    elsewhere = new_activity(hood, place="C2", by=city.users["community_staff_2"])
    for user, more, field in [
        (hood.staff, {}, "project"),
        (hood.staff, {"project": "   "}, "project"),
        (hood.staff, {"activity_id": elsewhere.pk}, "activity"),
        (head, {"activity_id": estate.pk}, "activity"),
        (head, {"activity_id": 10**12}, "activity"),
    ]:
        with pytest.raises(Invalid) as err:
            talents.invite(user=user, talent_id=talent.pk, message="请来帮忙", **more)
        assert set(err.value.errors) == {field}, (user, more)
    mine = new_activity(hood, place="B1", by=head)
    by_activity = talents.invite(
        user=head, talent_id=talent.pk, message="请来帮忙", activity_id=mine.pk
    )
    by_project = talents.invite(
        user=hood.staff, talent_id=talent.pk, message="法律咨询", project="楼道改造"
    )
    assert (by_activity.activity, by_project.project) == (mine, "楼道改造")
    assert by_activity.path == talent.path
    assert Notification.objects.filter(recipient=hood.member, kind="activities.talent").count() == 2


def test_an_invitation_is_answered_once_by_its_talent(hood):
    talent = talents.set_talent(user=hood.member, skill="legal")
    invitation = talents.invite(
        user=hood.staff, talent_id=talent.pk, message="请来帮忙", project="普法讲座"
    )
    with pytest.raises(NotFound):  # someone else's invitation
        talents.answer(user=hood.leader, invitation_id=invitation.pk, accept=True)
    talents.answer(user=hood.member, invitation_id=invitation.pk, accept=True)
    for accept in (True, False):
        with pytest.raises(Conflict) as err:
            talents.answer(user=hood.member, invitation_id=invitation.pk, accept=accept)
        assert err.value.code == "answered"
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    told = Notification.objects.filter(recipient=hood.staff, kind="activities.talent")
    assert told.count() == 1


# --- Earning caps -------------------------------------------------------------------------


def attend(hood, person, activity):
    started(activity)
    mine = acts.check_in(user=person, code=activity.check_in_code)
    acts.confirm_attendance(user=activity.organiser, activity_id=activity.pk, sign_up_ids=[mine.pk])
    mine.refresh_from_db()
    return mine.points


def test_attendance_earns_the_communitys_rule_within_its_daily_cap(hood):
    c1 = hood.city.places["C1"]
    points_services.set_rule(
        user=hood.staff, place_id=c1.pk, kind="activity", points=3, max_per_day=5
    )
    earned = [attend(hood, hood.member, new_activity(hood, place="E1")) for _ in range(3)]
    assert earned == [3, 2, 0]
    assert balance(hood.member) == (5, 0)
    assert PointsEntry.objects.filter(user=hood.member).count() == 2
    # Another community's rule does not apply in C1, nor its cap to what C2 gives.
    elsewhere = new_activity(hood, place="C2", by=hood.city.users["community_staff_2"])
    assert attend(hood, hood.city.users["owner_2"], elsewhere) == 1


def test_volunteer_activity_and_team_service_share_the_service_cap(hood):
    c1 = hood.city.places["C1"]
    points_services.set_rule(
        user=hood.staff,
        place_id=c1.pk,
        kind="service",
        points=2,
        max_hours_per_event=1,
        max_per_day=3,
    )
    cleanup = new_activity(hood, place="E1", kind="volunteer", hours=3)
    assert attend(hood, hood.member, cleanup) == 2  # 1 hour counted at 2 points an hour
    record = teams.submit_service(
        user=hood.member,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=90,
        what="巡逻",
    )
    record = teams.decide_service(user=hood.leader, record_id=record.pk, confirm=True)
    assert record.points == 1  # 2 more would pass the day's 3
    assert balance(hood.member) == (3, 180 + 90)  # the hours all count, capped or not
