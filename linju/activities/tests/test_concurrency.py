"""Activities and team service under concurrent requests on PostgreSQL, with real threads and
connections (SQLite has one writer: its IMMEDIATE transactions queue by construction): 30
residents signing up at once for 10 places leave exactly 10 signed and 20 waiting in the order
they were let in; cancels and sign-ups mixed keep the count, the rows and the capacity in
agreement and move the wait list up first come first served; the same confirmation sent from
8 requests credits each person once; a leader's decision sent 8 times credits once and
answers the rest Conflict; one person checked in from several requests at once is checked in
once and takes at most one place."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from linju.activities import services_activities as acts
from linju.activities import services_teams as teams
from linju.activities.models import (
    Activity,
    ServiceRecord,
    ServiceStatus,
    SignUp,
    SignUpStatus,
    Team,
)
from linju.core.errors import Conflict, Invalid
from linju.core.testing import race
from linju.people.models import Relation, Residency, ResidencyStatus, User
from linju.places.models import Household
from linju.points.models import Account, HoursEntry, PointsEntry

from .conftest import started


@pytest.fixture
def pg(transactional_db, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers are PostgreSQL's (CI runs it there)")
    settings.MEDIA_ROOT = tmp_path


def residents(city, n, unit="U1", per_household=5):
    """`n` verified residents of new households of `unit` (U1: building B1 of community C1)."""
    place = city.places[unit]
    people = User.objects.bulk_create(
        [User(mobile=f"1360000{i:04d}", name=f"居民{i}") for i in range(n)]
    )
    households = [
        Household.objects.create(unit=place, room=f"8{h:02d}", floor=8, area=80)
        for h in range((n + per_household - 1) // per_household)
    ]
    Residency.objects.bulk_create(
        [
            Residency(
                user=u,
                household=households[i // per_household],
                relation=Relation.FAMILY,
                status=ResidencyStatus.VERIFIED,
                source="roster",
            )
            for i, u in enumerate(people)
        ]
    )
    return people


def as_user(pk):
    """A fresh user object per thread: nothing cached on it is shared."""
    return User.objects.get(pk=pk)


def party_of(hood, capacity):
    party = hood.party
    Activity.objects.filter(pk=party.pk).update(capacity=capacity)
    party.refresh_from_db()
    return party


def holds(activity):
    """The activity's count is its SIGNED rows, within the capacity; nobody waits while a place
    is free; every SIGNED row was let in before every WAITING one (first come first served)."""
    activity.refresh_from_db()
    rows = activity.sign_ups.order_by("signed_at", "id")
    signed = list(rows.filter(status=SignUpStatus.SIGNED))
    waiting = list(rows.filter(status=SignUpStatus.WAITING))
    assert activity.signed == len(signed)
    if activity.capacity:
        assert activity.signed <= activity.capacity
        assert not waiting or activity.signed == activity.capacity
    else:
        assert not waiting
    if signed and waiting:
        assert max(s.signed_at for s in signed) <= min(w.signed_at for w in waiting)
    return signed, waiting


def test_thirty_residents_signing_up_at_once_for_ten_places(pg, hood):
    party = party_of(hood, 10)
    people = residents(hood.city, 30)
    results = race(
        *[lambda pk=p.pk: acts.sign_up(user=as_user(pk), activity_id=party.pk) for p in people]
    )
    assert all(isinstance(r, SignUp) for r in results), results
    assert sorted(r.status for r in results).count(SignUpStatus.SIGNED) == 10
    signed, waiting = holds(party)
    assert (len(signed), len(waiting)) == (10, 20)
    assert {s.user_id for s in signed} | {w.user_id for w in waiting} == {p.pk for p in people}


def test_cancels_and_sign_ups_at_once_keep_the_count_and_move_the_wait_list_up(pg, hood):
    party = party_of(hood, 5)
    people = residents(hood.city, 14)
    first, queued, late = people[:5], people[5:10], people[10:]
    for person in first + queued:  # one after another: the queue's order is known
        acts.sign_up(user=person, activity_id=party.pk)
    signed, waiting = holds(party)
    assert [w.user_id for w in waiting] == [p.pk for p in queued]

    def cancel(person):
        return lambda: acts.cancel_sign_up(user=as_user(person.pk), activity_id=party.pk)

    def sign(person):
        return lambda: acts.sign_up(user=as_user(person.pk), activity_id=party.pk)

    leaving = [first[0], first[2], first[4], queued[0], queued[3]]
    results = race(*[cancel(p) for p in leaving], *[sign(p) for p in late])
    assert all(isinstance(r, SignUp) for r in results), results
    signed, waiting = holds(party)
    assert (len(signed), len(waiting)) == (5, 4)
    # The ones still queued before them moved up in their order; the late ones never passed them.
    staying = [first[1], first[3], queued[1], queued[2], queued[4]]
    assert {s.user_id for s in signed} == {p.pk for p in staying}
    assert {w.user_id for w in waiting} == {p.pk for p in late}
    cancelled = party.sign_ups.filter(status=SignUpStatus.CANCELLED)
    assert set(cancelled.values_list("user_id", flat=True)) == {p.pk for p in leaving}


@pytest.mark.parametrize("kind", ["festival", "volunteer"])
def test_one_confirmation_sent_from_eight_requests_credits_each_person_once(pg, hood, kind):
    people = residents(hood.city, 5)
    party = hood.party
    Activity.objects.filter(pk=party.pk).update(
        capacity=0, kind=kind, service_minutes=90 if kind == "volunteer" else 0
    )
    started(party)
    came = [acts.check_in(user=p, code=party.check_in_code).pk for p in people]
    staff = hood.staff.pk

    def confirm():
        return acts.confirm_attendance(user=as_user(staff), activity_id=party.pk, sign_up_ids=came)

    results = race(*[confirm] * 8)
    assert all(isinstance(r, list) and len(r) == 5 for r in results), results
    for sign_up in SignUp.objects.filter(pk__in=came):
        entries = PointsEntry.objects.filter(user_id=sign_up.user_id)
        assert list(entries.values_list("key", flat=True)) == [sign_up.ledger_key]
        assert sign_up.confirmed_at is not None and sign_up.points == entries.get().amount
        account = Account.objects.get(user_id=sign_up.user_id)
        hours = HoursEntry.objects.filter(user_id=sign_up.user_id)
        if kind == "volunteer":
            assert (account.points, account.minutes) == (1, 90)  # 1.5 hours at 1 point an hour
            assert list(hours.values_list("key", "minutes")) == [(sign_up.ledger_key, 90)]
        else:
            assert (account.points, account.minutes) == (1, 0)
            assert not hours.exists()


def test_one_service_decided_from_eight_requests_credits_once(pg, hood):
    record = teams.submit_service(
        user=hood.member,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=120,
        what="夜间巡逻",
    )
    deciders = [hood.leader.pk, hood.staff.pk] * 4

    def decide(pk):
        return lambda: teams.decide_service(user=as_user(pk), record_id=record.pk, confirm=True)

    results = race(*[decide(pk) for pk in deciders])
    won = [r for r in results if isinstance(r, ServiceRecord)]
    lost = [r for r in results if not isinstance(r, ServiceRecord)]
    assert len(won) == 1, results
    assert all(isinstance(r, Conflict) and r.code == "decided" for r in lost), lost
    record.refresh_from_db()
    assert (record.status, record.points) == (ServiceStatus.CONFIRMED, 2)
    assert PointsEntry.objects.filter(user=hood.member).count() == 1
    assert HoursEntry.objects.filter(user=hood.member).count() == 1
    account = Account.objects.get(user=hood.member)
    assert (account.points, account.minutes) == (2, 120)


def test_a_confirmation_and_a_rejection_at_once_end_one_way(pg, hood):
    record = teams.submit_service(
        user=hood.member,
        team_id=hood.patrol.pk,
        served_on=timezone.localdate(),
        minutes=60,
        what="巡逻",
    )
    leader, staff = hood.leader.pk, hood.staff.pk
    results = race(
        lambda: teams.decide_service(user=as_user(leader), record_id=record.pk, confirm=True),
        lambda: teams.decide_service(
            user=as_user(staff), record_id=record.pk, confirm=False, reason="重复登记"
        ),
    )
    won = [r for r in results if isinstance(r, ServiceRecord)]
    assert len(won) == 1 and isinstance(next(r for r in results if r not in won), Conflict), results
    record.refresh_from_db()
    credited = PointsEntry.objects.filter(user=hood.member).count()
    assert credited == (1 if record.status == ServiceStatus.CONFIRMED else 0)


def test_one_person_checked_in_from_several_requests_at_once(pg, hood):
    party = started(party_of(hood, 1))
    member, staff = hood.member.pk, hood.staff.pk
    code = party.check_in_code
    results = race(
        *[lambda: acts.check_in(user=as_user(member), code=code)] * 4,
        *[lambda: acts.check_in_person(user=as_user(staff), activity_id=party.pk, person_id=member)]
        * 2,
    )
    assert all(isinstance(r, SignUp) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert len({r.checked_in_at for r in results}) == 1  # the first check-in stands
    signed, _waiting = holds(party)
    assert [s.user_id for s in signed] == [member]


def test_walk_ins_at_once_take_the_free_places_only(pg, hood):
    party = party_of(hood, 3)
    acts.sign_up(user=hood.member, activity_id=party.pk)  # one place is taken before the door
    started(party)
    people = residents(hood.city, 8)
    code = party.check_in_code
    results = race(*[lambda pk=p.pk: acts.check_in(user=as_user(pk), code=code) for p in people])
    came = [r for r in results if isinstance(r, SignUp)]
    full = [r for r in results if not isinstance(r, SignUp)]
    assert len(came) == 2, results
    assert all(isinstance(r, Conflict) and r.code == "full" for r in full), full
    signed, _waiting = holds(party)
    assert len(signed) == 3


def test_the_same_team_created_twice_at_once_is_created_once(pg, hood):
    c1 = hood.city.places["C1"].pk
    staff = hood.staff.pk

    for n in range(5):

        def create(n=n):
            return teams.create_team(
                user=as_user(staff), place_id=c1, name=f"环保队{n}", kind="environment"
            )

        results = race(create, create, create)
        assert sum(isinstance(r, Team) for r in results) == 1, results
        assert all(isinstance(r, Team | Invalid | Conflict) for r in results), results
        assert Team.objects.filter(name=f"环保队{n}").count() == 1


def test_two_activities_confirming_the_same_people_at_once_both_go_through(pg, hood):
    """Each confirmation locks the accounts of the people it credits; two activities with the
    same people, their sign-ups made in opposite orders, must not lock them in opposite orders
    (a deadlock PostgreSQL breaks by failing one of them)."""
    people = residents(hood.city, 8)
    start = timezone.now() + timedelta(days=1)
    pair = [
        acts.create_activity(
            user=hood.staff,
            place_id=hood.city.places["B1"].pk,
            title=title,
            kind="culture",
            venue="活动室",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
        for title in ("书法", "棋艺")
    ]
    for activity, order in zip(pair, (people, people[::-1]), strict=True):
        started(activity)
        for person in order:
            acts.check_in(user=person, code=activity.check_in_code)
    staff = hood.staff.pk

    def confirm(activity):
        ids = list(activity.sign_ups.values_list("pk", flat=True))
        return lambda: acts.confirm_attendance(
            user=as_user(staff), activity_id=activity.pk, sign_up_ids=ids
        )

    results = race(*[confirm(a) for a in pair])
    assert all(isinstance(r, list) for r in results), results
    for person in people:
        assert Account.objects.get(user=person).points == 2
