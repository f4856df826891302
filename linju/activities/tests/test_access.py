"""Who may do what with teams, activities, interest groups and the talent pool, for every user
of the test city (DESIGN §4 Access: each role inside and outside its scope), through the real
services: community staff (and the subdistrict) create teams and groups; the heads, grid
workers and staff organise activities in their scope, and a team's or group's leader those of
their team or group; residents take part where they live, staff where they look after; an
activity is run by its organiser, the organisers of its place and its team's or group's
leaders; service is confirmed by the team's leaders (never their own) and community staff;
talents are searched and invited by the handlers of their building. The queries list exactly
what the same rules allow."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from linju.activities import queries, rules
from linju.activities import services_activities as acts
from linju.activities import services_talents as talents
from linju.activities import services_teams as teams
from linju.activities.models import Activity, MemberRole
from linju.core.errors import Conflict, Forbidden, NotFound
from linju.reports.tests.conftest import upload

from .conftest import started

pytestmark = pytest.mark.django_db

MANAGE_C1 = {"community_staff", "subdistrict_admin"}
MANAGE_C2 = {"community_staff_2", "subdistrict_admin"}
# Handlers whose scope holds building B1 (the grid worker's grid G1 is B1); the unit head's
# unit U1 lies inside it.
ORGANISE_B1 = {"building_head", "floor_head", "grid_worker", *MANAGE_C1}
ORGANISE_B3 = {"building_head_2", "floor_head_2", "grid_worker_2", *MANAGE_C2}
# Staff who look after a place (not partners): they may take part in its activities.
VIEW_B1 = {*ORGANISE_B1, "property_manager", "owners_committee"}
VIEW_E1 = {"property_manager", "owners_committee", *MANAGE_C1}
LIVE_B1 = {"owner", "tenant"}
LIVE_C1 = {"owner", "tenant", "party_liaison"}  # the liaison lives in B2
LIVE_C2 = {"owner_2", "party_liaison_2"}


class _Undo(Exception):
    """Rolls back what a call did, so every user meets the same state."""


def allowed(city, act, refused=(Forbidden,)) -> set[str]:
    """The users for whom `act(user)` went through (`refused`: turned away; anything else fails
    the test). Each call runs in a savepoint rolled back after it."""
    passed = set()
    for key, user in city.users.items():
        try:
            with transaction.atomic():
                act(user)
                raise _Undo
        except _Undo:
            passed.add(key)
        except refused:
            continue
    return passed


def activity(city, place, *, by="community_staff", start_in=timedelta(days=1), **more):
    start = timezone.now() + start_in
    return acts.create_activity(
        user=city.users[by],
        place_id=city.places[place].pk,
        title=more.pop("title", f"{place} 活动"),
        kind=more.pop("kind", "culture"),
        venue="活动室",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        **more,
    )


@pytest.fixture
def chorus(hood):
    """An interest group of C1 led by the party liaison (who lives in B2)."""
    return teams.create_group(
        user=hood.staff,
        place_id=hood.city.places["C1"].pk,
        name="合唱团",
        leader_id=hood.city.users["party_liaison"].pk,
    )


# --- Teams and groups ---------------------------------------------------------------------


def test_only_community_staff_create_and_run_teams_and_groups(hood, chorus):
    city = hood.city
    c1, b1, c2 = (city.places[k].pk for k in ("C1", "B1", "C2"))
    tenant = city.users["tenant"].pk
    owner_2 = city.users["owner_2"].pk
    table = [
        (MANAGE_C1, lambda u: teams.create_team(user=u, place_id=c1, name="新队", kind="other")),
        (MANAGE_C1, lambda u: teams.create_team(user=u, place_id=b1, name="新队", kind="other")),
        (MANAGE_C2, lambda u: teams.create_team(user=u, place_id=c2, name="新队", kind="other")),
        (MANAGE_C1, lambda u: teams.create_group(user=u, place_id=c1, name="书法")),
        (MANAGE_C1, lambda u: teams.create_group(user=u, place_id=b1, name="书法")),
        (MANAGE_C2, lambda u: teams.create_group(user=u, place_id=c2, name="书法")),
        (
            MANAGE_C1,
            lambda u: teams.update_team(user=u, team_id=hood.patrol.pk, name="巡逻", kind="safety"),
        ),
        (
            MANAGE_C1,
            lambda u: teams.add_team_member(
                user=u, team_id=hood.patrol.pk, person_id=owner_2, role=MemberRole.LEADER
            ),
        ),
        (
            MANAGE_C1 | {"tenant"},
            lambda u: teams.leave_team(user=u, team_id=hood.patrol.pk, person_id=tenant),
        ),
        (MANAGE_C1, lambda u: teams.update_group(user=u, group_id=chorus.pk, name="合唱")),
        (MANAGE_C1, lambda u: teams.add_group_member(user=u, group_id=chorus.pk, person_id=tenant)),
    ]
    for expected, act in table:
        assert allowed(city, act) == expected


def test_residents_join_the_open_teams_and_the_groups_of_where_they_live(hood, chorus):
    city = hood.city
    staff = hood.staff

    def team(place, **more):
        return teams.create_team(
            user=staff, place_id=city.places[place].pk, name=f"{place} 队", kind="other", **more
        )

    b1, b2 = team("B1"), team("B2")
    closed = team("E1", open_to_join=False)
    c2 = teams.create_team(
        user=city.users["community_staff_2"],
        place_id=city.places["C2"].pk,
        name="C2 队",
        kind="other",
    )
    group_b1 = teams.create_group(user=staff, place_id=city.places["B1"].pk, name="棋社")
    table = [
        (LIVE_B1, lambda u: teams.join_team(user=u, team_id=b1.pk)),
        ({"party_liaison"}, lambda u: teams.join_team(user=u, team_id=b2.pk)),
        (set(), lambda u: teams.join_team(user=u, team_id=closed.pk)),
        (LIVE_C2, lambda u: teams.join_team(user=u, team_id=c2.pk)),
        (LIVE_B1, lambda u: teams.join_group(user=u, group_id=group_b1.pk)),
    ]
    for expected, act in table:
        assert allowed(city, act) == expected
    # Already in: the patrol's two members, the chorus's leader.
    assert allowed(
        city,
        lambda u: teams.join_team(user=u, team_id=hood.patrol.pk),
        refused=(Forbidden, Conflict),
    ) == {"party_liaison"}
    assert allowed(
        city, lambda u: teams.join_group(user=u, group_id=chorus.pk), refused=(Forbidden, Conflict)
    ) == {"owner", "tenant"}


def test_service_is_confirmed_by_the_teams_leaders_and_community_staff(hood):
    city = hood.city
    today = timezone.localdate()

    def record(person):
        return teams.submit_service(
            user=person, team_id=hood.patrol.pk, served_on=today, minutes=60, what="巡逻"
        )

    members = record(hood.member)
    leaders = record(hood.leader)

    def decide(rec):
        return lambda u: teams.decide_service(user=u, record_id=rec.pk, confirm=True)

    assert allowed(city, decide(members)) == {"owner", *MANAGE_C1}
    # A leader never decides on their own service (a conflict, not a refusal)...
    assert allowed(city, decide(leaders), refused=(Forbidden, Conflict)) == MANAGE_C1
    # ...another leader does.
    teams.add_team_member(
        user=hood.staff,
        team_id=hood.patrol.pk,
        person_id=city.users["party_liaison"].pk,
        role=MemberRole.LEADER,
    )
    assert allowed(city, decide(leaders), refused=(Forbidden, Conflict)) == {
        "party_liaison",
        *MANAGE_C1,
    }
    # Service for someone else is recorded by those who confirm it; one's own by oneself.
    submit_for_tenant = lambda u: teams.submit_service(  # noqa: E731
        user=u,
        team_id=hood.patrol.pk,
        served_on=today,
        minutes=30,
        what="巡逻",
        person_id=hood.member.pk,
    )
    assert allowed(city, submit_for_tenant) == {"owner", "party_liaison", "tenant", *MANAGE_C1}


# --- Activities -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "place, team, group, expected",
    [
        ("U1", False, False, {*ORGANISE_B1, "unit_head"}),
        ("B1", False, False, ORGANISE_B1),
        ("B2", False, False, MANAGE_C1),  # no head, no grid over B2
        ("E1", False, False, MANAGE_C1),
        ("C1", False, False, MANAGE_C1),
        ("B3", False, False, ORGANISE_B3),
        ("C2", False, False, MANAGE_C2),
        ("B1", True, False, {*ORGANISE_B1, "owner"}),  # the patrol's leader
        ("E1", False, True, {*MANAGE_C1, "party_liaison"}),  # the chorus's leader
    ],
)
def test_who_organises_an_activity_where(hood, chorus, place, team, group, expected):
    city = hood.city
    start = timezone.now() + timedelta(days=1)

    def create(u):
        return acts.create_activity(
            user=u,
            place_id=city.places[place].pk,
            title="活动",
            kind="culture",
            venue="活动室",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            team_id=hood.patrol.pk if team else None,
            group_id=chorus.pk if group else None,
        )

    assert allowed(city, create) == expected


@pytest.mark.parametrize(
    "place, by, expected",
    [
        ("U1", "unit_head", {*LIVE_B1, *VIEW_B1, "unit_head"}),
        ("B1", "building_head", {*LIVE_B1, *VIEW_B1}),
        ("B2", "community_staff", {"party_liaison", *VIEW_E1}),
        ("E1", "community_staff", {*LIVE_C1, *VIEW_E1}),
        ("C1", "community_staff", LIVE_C1 | MANAGE_C1),
        ("C2", "community_staff_2", LIVE_C2 | MANAGE_C2),
    ],
)
def test_who_takes_part_in_an_activity_and_sees_it(hood, place, by, expected):
    city = hood.city
    event = activity(city, place, by=by, capacity=1)
    assert allowed(city, lambda u: acts.sign_up(user=u, activity_id=event.pk)) == expected
    seen = {k for k, u in city.users.items() if queries.activity_for(u, event.pk)}
    assert seen == expected
    started(event)  # the door: a walk-in each, one place, every one meets it free
    assert allowed(city, lambda u: acts.check_in(user=u, code=event.check_in_code)) == expected


@pytest.mark.parametrize(
    "place, by, team, group, expected",
    [
        ("B1", "community_staff", True, False, {*ORGANISE_B1, "owner"}),
        ("B1", "grid_worker", False, False, ORGANISE_B1),
        ("U1", "unit_head", False, False, {*ORGANISE_B1, "unit_head"}),
        ("B1", "owner", True, False, {*ORGANISE_B1, "owner"}),  # organised by the leader
        ("E1", "community_staff", False, True, {*MANAGE_C1, "party_liaison"}),
        ("B3", "building_head_2", False, False, ORGANISE_B3),
    ],
)
def test_who_runs_an_activity(hood, chorus, settings, tmp_path, place, by, team, group, expected):
    settings.MEDIA_ROOT = tmp_path
    city = hood.city
    event = activity(
        city,
        place,
        by=by,
        team_id=hood.patrol.pk if team else None,
        group_id=chorus.pk if group else None,
    )
    assert {k for k, u in city.users.items() if rules.can_run(u, event)} == expected
    fields = {
        "activity_id": event.pk,
        "title": "改名",
        "kind": "culture",
        "venue": "别处",
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
    }
    assert allowed(city, lambda u: acts.update_activity(user=u, **fields)) == expected
    assert (
        allowed(city, lambda u: acts.cancel_activity(user=u, activity_id=event.pk, reason="雨"))
        == expected
    )
    started(event)
    # Those who run it check in at the desk someone who lives there (a walk-in).
    walk_in = "owner_2" if place == "B3" else "tenant"
    newcomer = city.users[walk_in].pk
    assert (
        allowed(
            city,
            lambda u: acts.check_in_person(user=u, activity_id=event.pk, person_id=newcomer),
        )
        == expected
    )
    came = acts.check_in_person(user=event.organiser, activity_id=event.pk, person_id=newcomer)
    assert (
        allowed(
            city,
            lambda u: acts.confirm_attendance(user=u, activity_id=event.pk, sign_up_ids=[came.pk]),
        )
        == expected
    )
    # Photos: those who run it and those who came (the walk-in, checked in).
    add = lambda u: acts.add_photos(user=u, activity_id=event.pk, photos=[upload(size=(8, 8))])  # noqa: E731
    assert allowed(city, add) == expected | {walk_in}
    photo = add(event.organiser)[0]
    assert allowed(city, lambda u: acts.delete_photo(user=u, photo_id=photo.pk)) == expected | {by}


def test_sign_up_lists_and_confirmations_are_the_runners_business(hood):
    """Nobody cancels another's sign-up: cancel_sign_up is one's own (NotFound otherwise)."""
    city = hood.city
    acts.sign_up(user=hood.member, activity_id=hood.party.pk)
    assert allowed(
        city,
        lambda u: acts.cancel_sign_up(user=u, activity_id=hood.party.pk),
        refused=(NotFound,),
    ) == {"tenant"}


# --- Talent pool -----------------------------------------------------------------------------


@pytest.fixture
def pool(hood):
    """Talents: the tenant (B1) and the liaison (B2) show theirs to neighbours, the owner (B1)
    to staff only; the owner of H301 (B3, C2) to neighbours."""
    users = hood.city.users
    return {
        "tenant": talents.set_talent(
            user=users["tenant"], skill="repairs", visibility="neighbours"
        ),
        "owner": talents.set_talent(user=users["owner"], skill="legal"),
        "party_liaison": talents.set_talent(
            user=users["party_liaison"], skill="cooking", visibility="neighbours"
        ),
        "owner_2": talents.set_talent(
            user=users["owner_2"], skill="repairs", visibility="neighbours"
        ),
    }


def test_only_residents_with_a_home_offer_talents(hood):
    assert allowed(
        hood.city,
        lambda u: talents.set_talent(user=u, skill="arts"),
        refused=(Conflict,),
    ) == {*LIVE_C1, *LIVE_C2}


def test_talents_are_searched_and_invited_by_the_handlers_of_their_building(hood, pool):
    """Shown to neighbours: the handlers of the building find them; kept for the community
    staff (the owner's): only the community's managers do."""
    city = hood.city
    search = {
        key: {t for t, talent in pool.items() if talent in queries.talent_search(u)}
        for key, u in city.users.items()
    }
    expected = {key: set() for key in city.users}
    for key in [*ORGANISE_B1, "unit_head"]:  # filed at the unit: its head finds it too
        expected[key] |= {"tenant"}
    for key in MANAGE_C1:
        expected[key] |= {"owner", "party_liaison"}
    for key in [*ORGANISE_B3, "unit_head_2"]:
        expected[key] |= {"owner_2"}
    assert search == expected
    for whose, talent in pool.items():
        invite = lambda u, talent=talent: talents.invite(  # noqa: E731
            user=u, talent_id=talent.pk, message="请来帮忙", project="楼道改造"
        )
        assert allowed(city, invite, refused=(NotFound,)) == {
            k for k, found in expected.items() if whose in found
        }, whose
    talents.invite(user=hood.staff, talent_id=pool["tenant"].pk, message="请来", project="读书角")
    sent = {k for k, u in city.users.items() if queries.sent_invitations(u).exists()}
    assert sent == {k for k, found in expected.items() if "tenant" in found}


def test_neighbours_see_the_talents_shown_to_their_community_only(hood, pool):
    city = hood.city
    seen = {
        key: {t for t, talent in pool.items() if talent in queries.neighbours_talents(u)}
        for key, u in city.users.items()
    }
    c1_shown = {"tenant", "party_liaison"}  # the owner shows theirs to staff only
    expected = {key: set() for key in city.users}
    expected.update({k: c1_shown for k in LIVE_C1})
    expected.update({k: {"owner_2"} for k in LIVE_C2})
    assert seen == expected
    owner = city.users["owner"]
    assert list(queries.neighbours_talents(owner, skill="cooking")) == [pool["party_liaison"]]


# --- Lists ------------------------------------------------------------------------------------


def test_the_calendar_and_the_staff_lists_hold_what_the_rules_allow(hood):
    city = hood.city
    Activity.objects.all().delete()
    made = {place: activity(city, place) for place in ("U1", "B1", "B2", "E1", "C1")}
    made["B3"] = activity(city, "B3", by="community_staff_2")
    made["C2"] = activity(city, "C2", by="community_staff_2")
    calendar = {
        k: {p for p, a in made.items() if a in queries.calendar(u)} for k, u in city.users.items()
    }
    expected = {
        "owner": {"U1", "B1", "E1", "C1"},
        "tenant": {"U1", "B1", "E1", "C1"},
        "party_liaison": {"B2", "E1", "C1"},
        "owner_2": {"B3", "C2"},
        "party_liaison_2": {"B3", "C2"},
        "unit_head": {"U1"},
        "building_head": {"U1", "B1"},
        "floor_head": {"U1", "B1"},
        "grid_worker": {"U1", "B1"},
        "property_manager": {"U1", "B1", "B2", "E1"},
        "owners_committee": {"U1", "B1", "B2", "E1"},
        "community_staff": {"U1", "B1", "B2", "E1", "C1"},
        "building_head_2": {"B3"},
        "floor_head_2": {"B3"},
        "grid_worker_2": {"B3"},
        "property_manager_2": {"B3"},
        "owners_committee_2": {"B3"},
        "community_staff_2": {"B3", "C2"},
        "subdistrict_admin": set(made),
    }
    assert calendar == {k: expected.get(k, set()) for k in city.users}
    # Whoever sees an activity in the calendar may take part in it, and no one else.
    for key, user in city.users.items():
        for place, event in made.items():
            assert rules.may_take_part(user, event) == (place in calendar[key]), (key, place)
    # The staff lists: the staff part of the same table, nothing for residents.
    staff = {
        k: {p for p, a in made.items() if a in queries.staff_activities(u)}
        for k, u in city.users.items()
    }
    residents = {"owner", "tenant", "party_liaison", "owner_2", "party_liaison_2"}
    assert staff == {k: (set() if k in residents else expected.get(k, set())) for k in city.users}


def test_teams_and_groups_near_are_those_of_where_one_lives_or_looks_after(hood, chorus):
    city = hood.city
    staff = hood.staff
    made = {"C1": hood.patrol}
    for place in ("B1", "B2"):
        made[place] = teams.create_team(
            user=staff, place_id=city.places[place].pk, name=f"{place} 队", kind="other"
        )
    made["C2"] = teams.create_team(
        user=city.users["community_staff_2"],
        place_id=city.places["C2"].pk,
        name="C2 队",
        kind="other",
    )
    near = {
        k: {p for p, t in made.items() if t in queries.teams_near(u)} for k, u in city.users.items()
    }
    expected = {
        "owner": {"C1", "B1"},
        "tenant": {"C1", "B1"},
        "party_liaison": {"C1", "B2"},
        "owner_2": {"C2"},
        "party_liaison_2": {"C2"},
        "building_head": {"B1"},
        "floor_head": {"B1"},
        "grid_worker": {"B1"},
        "property_manager": {"B1", "B2"},
        "owners_committee": {"B1", "B2"},
        "community_staff": {"C1", "B1", "B2"},
        "community_staff_2": {"C2"},
        "subdistrict_admin": set(made),
    }
    assert near == {k: expected.get(k, set()) for k in city.users}
    joined = {t.pk: t.joined for t in queries.teams_near(hood.member)}
    assert joined == {hood.patrol.pk: True, made["B1"].pk: False}
    groups = {k for k, u in city.users.items() if chorus in queries.groups_near(u)}
    assert groups == LIVE_C1 | MANAGE_C1


def test_services_to_confirm_are_those_a_user_may_decide(hood):
    city = hood.city
    today = timezone.localdate()
    c2_team = teams.create_team(
        user=city.users["community_staff_2"],
        place_id=city.places["C2"].pk,
        name="C2 队",
        kind="other",
        leader_id=city.users["party_liaison_2"].pk,
    )
    teams.add_team_member(
        user=city.users["community_staff_2"], team_id=c2_team.pk, person_id=city.users["owner_2"].pk
    )
    records = {
        "tenant": teams.submit_service(
            user=hood.member, team_id=hood.patrol.pk, served_on=today, minutes=60, what="巡逻"
        ),
        "owner": teams.submit_service(
            user=hood.leader, team_id=hood.patrol.pk, served_on=today, minutes=60, what="巡逻"
        ),
        "owner_2": teams.submit_service(
            user=city.users["owner_2"], team_id=c2_team.pk, served_on=today, minutes=60, what="x"
        ),
    }
    decided = teams.submit_service(
        user=hood.member, team_id=hood.patrol.pk, served_on=today, minutes=30, what="值班"
    )
    teams.decide_service(user=hood.leader, record_id=decided.pk, confirm=True)
    waiting = {
        k: {r for r, rec in records.items() if rec in queries.services_to_confirm(u)}
        for k, u in city.users.items()
    }
    expected = {k: set() for k in city.users}
    expected.update(
        {
            "owner": {"tenant"},  # the leader, not their own
            "community_staff": {"tenant", "owner"},
            "party_liaison_2": {"owner_2"},
            "community_staff_2": {"owner_2"},
            "subdistrict_admin": set(records),
        }
    )
    assert waiting == expected
    # Each one listed is one the user may decide, and the other way round.
    for key, user in city.users.items():
        for whose, rec in records.items():
            may = rules.can_confirm_service(user, rec.team) and not (
                rec.user_id == user.pk and not rules.can_manage(user, rec.team)
            )
            assert may == (whose in waiting[key]), (key, whose)


def test_runnable_activities_of_staff_are_those_they_may_run(hood, chorus):
    city = hood.city
    made = [
        activity(city, "B1", team_id=hood.patrol.pk),
        activity(city, "E1", group_id=chorus.pk),
        activity(city, "B1", by="grid_worker"),
        activity(city, "B3", by="community_staff_2"),
    ]
    leaders = {"owner", "party_liaison"}
    for key, user in city.users.items():
        if key in leaders:
            continue
        runnable = set(queries.runnable_activities(user))
        assert runnable == {a for a in [*made, hood.party] if rules.can_run(user, a)}, key


def test_runnable_activities_of_leaders_are_those_they_may_run(hood, chorus):
    city = hood.city
    made = [activity(city, "B1", team_id=hood.patrol.pk), activity(city, "E1", group_id=chorus.pk)]
    for key in ("owner", "party_liaison"):
        user = city.users[key]
        runnable = set(queries.runnable_activities(user))
        assert runnable == {a for a in [*made, hood.party] if rules.can_run(user, a)}, key
