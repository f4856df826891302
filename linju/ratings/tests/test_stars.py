"""星级评定 (seed 002): a community party committee rates its members once a year on the
stars template (五星 90+, 四星 80+, 三星 70+, 二星 60+, 一星 below); the members of its branches
and groups are rated too, stars come from the bands at their exact boundaries, no red flags."""

from decimal import Decimal

import pytest

from linju.core.errors import Invalid
from linju.people.models import PartyMembership, PartyOrganisation, PartyOrgKind, User
from linju.ratings import defaults
from linju.ratings.models import Party, Period, Purpose, RoundStatus, TargetKind
from linju.ratings.services_rounds import (
    add_panellist,
    close_scoring,
    create_contest,
    open_round,
    publish_round,
    start_scoring,
)
from linju.ratings.services_rubrics import adopt_rubric, copy_rubric

from .conftest import score

pytestmark = pytest.mark.django_db

# What each member's sheet takes off full marks (100), and the stars that total earns.
CASES = {
    "满分": ({}, Decimal("100.00"), 5),
    "九十": ({"service": 20}, Decimal("90.00"), 5),
    "差半分": ({"service": "19.5"}, Decimal("89.50"), 4),
    "八十": ({"service": 10}, Decimal("80.00"), 4),
    "七十": ({"service": 0}, Decimal("70.00"), 3),
    "六九五": ({"service": 0, "dues": "9.5"}, Decimal("69.50"), 2),
    "六十": ({"service": 0, "governance": 10}, Decimal("60.00"), 2),
    "五九五": ({"service": 0, "governance": "9.5"}, Decimal("59.50"), 1),
}


def member(org, name, n):
    person = User.objects.create_user(f"1360000{n:04d}", "pass-Word-9", name=name)
    PartyMembership.objects.create(organisation=org, user=person)
    return person


@pytest.fixture
def starred(city):
    manager = city.users["community_staff"]
    committee = PartyOrganisation.objects.get(name="C1 committee")
    branch = PartyOrganisation.objects.create(
        kind=PartyOrgKind.BRANCH, name="G1 branch", parent=committee, place=city.places["E1"]
    )
    group = PartyOrganisation.objects.create(
        kind=PartyOrgKind.GROUP, name="B1 group", parent=branch, place=city.places["B1"]
    )
    names = list(CASES)
    people = {"满分": city.users["party_liaison"]}  # a member of the committee itself
    for n, name in enumerate(names[1:], 1):
        people[name] = member(branch if n < 4 else group, name, n)
    # Someone of C2's committee is no target of C1's rating.
    member(PartyOrganisation.objects.get(name="C2 committee"), "外人", 99)
    rubric = copy_rubric(
        user=manager, rubric=defaults.template(defaults.STARS), place_id=city.places["C1"].pk
    )
    assert [(b.min_score, b.stars) for b in rubric.bands.all()] == [
        (Decimal(m), s) for m, s in defaults.STARS_BANDS
    ]
    adopt_rubric(user=manager, rubric=rubric)
    contest = create_contest(
        user=manager,
        place_id=None,
        name="党员星级评定",
        rubric_id=rubric.pk,
        purpose=Purpose.STARS,
        party_organisation_id=committee.pk,
    )
    add_panellist(
        user=manager,
        contest=contest,
        person_id=city.users["party_liaison"].pk,
        party="party_branch",
    )
    add_panellist(user=manager, contest=contest, person_id=manager.pk, party=Party.COMMUNITY)
    return contest, people


def test_members_get_the_stars_of_their_band(starred, city):
    contest, people = starred
    manager = city.users["community_staff"]
    assert (contest.period, contest.target_kind) == (Period.YEAR, TargetKind.PARTY_MEMBER)
    assert contest.place == city.places["C1"]
    round_ = open_round(user=manager, contest=contest, period="2026")
    assert str(round_.period_start) == "2026-01-01"
    targets = {t.member_id: t for t in round_.targets.all()}
    assert set(targets) == {p.pk for p in people.values()}
    start_scoring(user=manager, round_=round_)
    liaison = city.users["party_liaison"]
    for name, (changes, _total, _stars) in CASES.items():
        target = targets[people[name].pk]
        score(round_, manager, target, **changes)
        score(round_, liaison, target, **changes)
    close_scoring(user=manager, round_=round_)
    publish_round(user=manager, round_=round_)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLISHED
    got = {}
    for name in CASES:
        t = round_.targets.get(member=people[name])
        got[name] = (t.total, t.stars, t.flag)
    assert got == {name: (total, stars, False) for name, (_c, total, stars) in CASES.items()}
    assert not round_.targets.filter(flag=True).exists()


def test_a_star_rating_needs_a_party_organisation_and_a_stars_rubric(city, contested):
    manager = city.users["community_staff"]
    with pytest.raises(Invalid) as err:
        create_contest(
            user=manager,
            place_id=None,
            name="x",
            rubric_id=contested.rubric.pk,
            purpose=Purpose.STARS,
            party_organisation_id=None,
        )
    assert "party_organisation" in err.value.errors
    committee = PartyOrganisation.objects.get(name="C1 committee")
    with pytest.raises(Invalid) as err:
        create_contest(
            user=manager,
            place_id=None,
            name="x",
            rubric_id=contested.rubric.pk,  # a contest rubric, not a star rating's
            purpose=Purpose.STARS,
            party_organisation_id=committee.pk,
        )
    assert "rubric" in err.value.errors


def test_a_star_rating_is_seen_by_its_staff_and_the_members_it_rates(
    starred, city, client, django_capture_on_commit_callbacks
):
    """Party membership is sensitive: the notice counts stars without names, residents who are
    not rated do not see the rating, each member hears of their own stars, and an erased
    member's name leaves the rows."""
    from linju.core.models import Notification
    from linju.deliberation.models import Publication
    from linju.people.services import delete_account
    from linju.ratings import queries, rules

    contest, people = starred
    manager = city.users["community_staff"]
    round_ = open_round(user=manager, contest=contest, period="2026")
    start_scoring(user=manager, round_=round_)
    for target in round_.targets.all():
        score(round_, manager, target, service=10)
    close_scoring(user=manager, round_=round_)
    with django_capture_on_commit_callbacks(execute=True):
        publish_round(user=manager, round_=round_)
    notice = Publication.objects.get(kind=Publication.Kind.RATING)
    assert not any(name in notice.body for name in people)
    assert "8" in notice.body  # eight members at four stars
    member, outsider = people["八十"], city.users["owner"]  # the owner lives in C1 too
    round_.refresh_from_db()
    assert rules.can_see_results(member, round_) and not rules.can_see_results(outsider, round_)
    assert contest in queries.contests_for(member) and contest not in queries.contests_for(outsider)
    assert round_ in queries.rounds_for(member) and round_ not in queries.rounds_for(outsider)
    client.force_login(outsider)
    assert client.get(f"/ratings/rounds/{round_.pk}/").status_code == 404
    assert client.get(f"/api/v1/ratings/rounds/{round_.pk}/ranking").status_code == 404
    mine = Notification.objects.filter(kind="ratings.result", recipient=member)
    assert mine.count() == 1 and "4" in mine.get().title  # their own stars, privately
    assert not Notification.objects.filter(kind="ratings.result", recipient=outsider).exists()
    member.set_password("pw-leave-1")
    member.save()
    delete_account(user=member, password="pw-leave-1")
    assert round_.targets.get(member=member).label != "八十"
