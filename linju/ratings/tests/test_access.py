"""Who may do what in ratings, as a matrix over every person of the test city (DESIGN §4: each
role against an object inside and outside its scope): managing is community staff's and the
subdistrict's; staff whose scope contains a round follow it; residents see its ranking once
published; only the round's panel scores; the list queries return what the rules allow."""

import pytest

from linju.core.errors import Forbidden
from linju.ratings import defaults, queries, rules
from linju.ratings.models import Contest, Party, RoundStatus
from linju.ratings.services_rounds import (
    add_panellist,
    close_scoring,
    create_contest,
    open_round,
    publish_round,
    start_scoring,
)
from linju.ratings.services_rubrics import (
    adopt_rubric,
    copy_rubric,
    create_rubric,
    put_to_residents,
)

from .conftest import score

pytestmark = pytest.mark.django_db

MANAGERS = {"community_staff", "subdistrict_admin"}
# Staff whose scope contains E1 (the unit, building and grid roles sit below it).
FOLLOWERS_E1 = MANAGERS | {"property_manager", "owners_committee"}
FOLLOWERS_E2 = {
    "community_staff_2",
    "property_manager_2",
    "owners_committee_2",
    "subdistrict_admin",
}
RESIDENTS_E1 = {"owner", "tenant", "party_liaison"}
RESIDENTS_E2 = {"owner_2", "party_liaison_2"}
PANEL_E1 = {"community_staff", "property_manager", "owners_committee", "owner"}


def everyone(city):
    return sorted(city.users)


def scored(round_, manager, panellist):
    start_scoring(user=manager, round_=round_)
    for target in round_.targets.all():
        score(round_, panellist, target)
    close_scoring(user=manager, round_=round_)
    return round_


@pytest.fixture
def world(contested):
    """E1's contest with a round being scored (2026-10) and one published (2026-09); C2's own
    contest in E2 with a published round."""
    city, manager, contest = contested.city, contested.manager, contested.contest
    published = scored(
        open_round(user=manager, contest=contest, period="2026-09"), manager, manager
    )
    publish_round(user=manager, round_=published)
    scoring = open_round(user=manager, contest=contest, period="2026-10")
    start_scoring(user=manager, round_=scoring)

    manager_2 = city.users["community_staff_2"]
    rubric_2 = copy_rubric(
        user=manager_2, rubric=defaults.template(defaults.CONTEST), place_id=city.places["E2"].pk
    )
    adopt_rubric(user=manager_2, rubric=rubric_2)
    contest_2 = create_contest(
        user=manager_2, place_id=city.places["E2"].pk, name="E2", rubric_id=rubric_2.pk
    )
    for key, party in [
        ("community_staff_2", Party.COMMUNITY),
        ("property_manager_2", Party.PROPERTY),
        ("owners_committee_2", Party.OWNERS_COMMITTEE),
        ("owner_2", Party.RESIDENTS),
    ]:
        add_panellist(user=manager_2, contest=contest_2, person_id=city.users[key].pk, party=party)
    elsewhere = scored(
        open_round(user=manager_2, contest=contest_2, period="2026-09"), manager_2, manager_2
    )
    publish_round(user=manager_2, round_=elsewhere)
    for round_ in (published, scoring, elsewhere):
        round_.refresh_from_db()
    return {
        "published": published,
        "scoring": scoring,
        "elsewhere": elsewhere,
        "contest_2": contest_2,
        "rubric_2": rubric_2,
    }


def who(city, allowed):
    return {key for key in everyone(city) if allowed(city.users[key])}


def test_only_community_staff_and_the_subdistrict_manage(contested, world):
    city, contest = contested.city, contested.contest
    e1 = city.places["E1"].pk
    may = {"rubric": set(), "contest": set(), "open": set(), "publish": set()}
    for n, key in enumerate(everyone(city)):
        user = city.users[key]
        attempts = {
            "rubric": lambda user=user: create_rubric(
                user=user, place_id=e1, purpose="contest", name="x"
            ),
            "contest": lambda user=user: create_contest(
                user=user, place_id=e1, name="x", rubric_id=contested.rubric.pk
            ),
            "open": lambda user=user, n=n: open_round(
                user=user, contest=contest, period=f"{2000 + n}-01"
            ),
        }
        for action, attempt in attempts.items():
            try:
                attempt()
            except Forbidden:
                continue
            may[action].add(key)
    # Publishing: every manager publishes a round of their own; the others are refused.
    for n, key in enumerate(everyone(city)):
        round_ = scored(
            open_round(user=contested.manager, contest=contest, period=f"{2000 + n}-02"),
            contested.manager,
            contested.manager,
        )
        try:
            publish_round(user=city.users[key], round_=round_)
        except Forbidden:
            round_.refresh_from_db()
            assert round_.status == RoundStatus.REVIEW
            continue
        may["publish"].add(key)
    assert may == {action: MANAGERS for action in may}


def test_staff_of_the_scope_follow_rounds(contested, world):
    city = contested.city
    for name, followers in [
        ("scoring", FOLLOWERS_E1),
        ("published", FOLLOWERS_E1),
        ("elsewhere", FOLLOWERS_E2),
    ]:
        assert who(city, lambda u, r=world[name]: rules.can_follow(u, r)) == followers, name


def test_residents_see_a_ranking_once_it_is_published(contested, world):
    city = contested.city
    assert world["published"].status == RoundStatus.PUBLISHED
    assert who(city, lambda u: rules.can_see_results(u, world["published"])) == (
        FOLLOWERS_E1 | RESIDENTS_E1
    )
    assert who(city, lambda u: rules.can_see_results(u, world["scoring"])) == FOLLOWERS_E1
    assert who(city, lambda u: rules.can_see_results(u, world["elsewhere"])) == (
        FOLLOWERS_E2 | RESIDENTS_E2
    )


def test_only_the_round_s_panel_scores(contested, world):
    city, round_ = contested.city, world["scoring"]
    target = round_.targets.first()
    scorers = set()
    for key in everyone(city):
        try:
            score(round_, city.users[key], target)
        except Forbidden as err:
            assert err.code == "not_panellist"
            continue
        scorers.add(key)
    assert scorers == PANEL_E1
    assert target.scoresheets.count() == len(PANEL_E1)


def test_the_lists_hold_what_the_rules_allow(contested, world):
    city = contested.city
    rounds = [world["published"], world["scoring"], world["elsewhere"]]
    for key in everyone(city):
        user = city.users[key]
        panel = {r.pk for r in rounds if r.panel.filter(user=user).exists()}
        allowed = {r.pk for r in rounds if rules.can_see_results(user, r)} | panel
        assert set(queries.rounds_for(user).values_list("pk", flat=True)) == allowed, key
        contests = {c.pk for c in (contested.contest, world["contest_2"])}
        seen = {pk for pk in contests if rules.can_see_contest(user, Contest.objects.get(pk=pk))}
        assert set(queries.contests_for(user).values_list("pk", flat=True)) == seen, key
    # Spot checks of the matrix itself.
    owner_rounds = set(queries.rounds_for(city.users["owner"]).values_list("pk", flat=True))
    assert owner_rounds == {world["published"].pk, world["scoring"].pk}  # a panellist
    tenant_rounds = set(queries.rounds_for(city.users["tenant"]).values_list("pk", flat=True))
    assert tenant_rounds == {world["published"].pk}
    assert not queries.rounds_for(city.users["newcomer"]).exists()
    assert not queries.rounds_for(city.users["partner"]).exists()


def test_rubrics_for_shows_templates_the_scope_s_rubrics_and_what_residents_may_read(
    contested, world
):
    city, manager = contested.city, contested.manager
    draft = copy_rubric(user=manager, rubric=contested.rubric)
    quiet = copy_rubric(user=manager, rubric=draft)  # a draft not put to anyone
    put_to_residents(user=manager, rubric=draft)
    templates = {
        defaults.template(code).pk
        for code in (defaults.CONTEST, defaults.STARS, defaults.EVALUATION)
    }
    e1_rubrics = {contested.rubric.pk, draft.pk, quiet.pk}
    for key in everyone(city):
        expected = set(templates)
        if key in FOLLOWERS_E1:
            expected |= e1_rubrics
        if key in FOLLOWERS_E2:
            expected.add(world["rubric_2"].pk)
        if key in RESIDENTS_E1:  # the draft put to them and the rules they are judged by
            expected |= {draft.pk, contested.rubric.pk}
        if key in RESIDENTS_E2:
            expected.add(world["rubric_2"].pk)
        got = set(queries.rubrics_for(city.users[key]).values_list("pk", flat=True))
        assert got == expected, key
