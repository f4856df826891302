"""A year test for the awards (seed 001: 年底按流动红旗月获评次数前三名给予物业费补贴; 履职尽责的
"三长"在享受物业费补贴10%的基础上再提高10%): twelve monthly rounds of 2026 in 南国新家园, flags
steered so the units end with 8, 8, 7, 7, 5 and 1 flags, and the list confirmed in 2027."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from linju.core.errors import Conflict, Forbidden
from linju.core.models import AuditEvent
from linju.people.models import Relation, Residency, ResidencyStatus
from linju.places.models import Household
from linju.ratings.models import Award, AwardKind, RoundStatus
from linju.ratings.services_awards import confirm_awards, flag_table, set_head_duty
from linju.ratings.services_rounds import (
    close_scoring,
    open_round,
    publish_round,
    start_scoring,
    update_contest,
)

from .conftest import score

pytestmark = pytest.mark.django_db

# Who holds the month's three flags (A…F name units, see `units`): A 8, B 8, C 7, D 7, E 5, F 1.
SCHEDULE = [
    "ABC", "ABC", "ABC", "ABD", "ABD", "ABD",
    "ABE", "ABE", "CDE", "CDE", "CDE", "CDF",
]  # fmt: skip
FLAGS = {"A": 8, "B": 8, "C": 7, "D": 7, "E": 5, "F": 1}


def at(*args):
    """A UTC instant, frozen."""
    return time_machine.travel(datetime(*args, tzinfo=UTC), tick=False)


def units(contested):
    """A and C are the city's U1 (rooms 101, 102) and U2 (room 201); the others have one
    household of 100 m² each."""
    rest = [u for u in contested.units if u.code.startswith("B") and "U" in u.code[1:]]
    rest = [u for u in rest if u.code not in ("U1", "U2")]
    city = contested.city
    return {
        "A": city.places["U1"],
        "B": rest[0],
        "C": city.places["U2"],
        "D": rest[2],
        "E": rest[4],
        "F": rest[6],
    }


def run_month(contested, month, holders, *, publish=True):
    manager = contested.manager
    with at(2026, month, 28, 4):
        round_ = open_round(user=manager, contest=contested.contest, period=f"2026-{month:02d}")
        start_scoring(user=manager, round_=round_)
        for target in round_.targets.all():
            # Full marks for the flag holders, a deduction on disputes for everyone else.
            changes = {} if target.place_id in holders else {"disputes": 15}
            score(round_, manager, target, **changes)
        close_scoring(user=manager, round_=round_)
        if publish:
            publish_round(user=manager, round_=round_)
    return round_


@pytest.fixture
def heads(contested):
    """The three heads of the city (unit head of U1, building and floor heads of B1) live in
    E1; the unit head in H102, whose 88.51 m² make a half fen."""
    city = contested.city
    h102 = city.households["H102"]
    Household.objects.filter(pk=h102.pk).update(area=Decimal("88.51"))
    homes = {
        "unit_head": h102,
        "building_head": city.households["H101"],
        "floor_head": Household.objects.get(unit__code="B4U1"),
    }
    for key, home in homes.items():
        Residency.objects.create(
            user=city.users[key],
            household=home,
            relation=Relation.FAMILY,
            status=ResidencyStatus.VERIFIED,
            source="roster",
        )
    # A head of C2 who lives in E1 serves outside the contest: no subsidy from it.
    Residency.objects.create(
        user=city.users["unit_head_2"],
        household=city.households["H201"],
        relation=Relation.TENANT,
        status=ResidencyStatus.VERIFIED,
        source="roster",
    )
    # 1.25 yuan per m² a month: 88.51 m² × 125 fen × 12 × 10% = 13276.5 fen.
    update_contest(user=contested.manager, contest=contested.contest, fee_fen_per_sqm_month=125)
    return homes


def fee(area, percent):
    return Decimal(area) * 125 * 12 * Decimal(percent) / 100


def test_the_year_s_flags_and_subsidies(contested, heads):
    city, manager, contest = contested.city, contested.manager, contested.contest
    named = units(contested)
    assert len(set(u.pk for u in named.values())) == 6
    for month, letters in enumerate(SCHEDULE, 1):
        holders = {named[x].pk for x in letters}
        round_ = run_month(contested, month, holders, publish=month < 12)
        flagged = set(round_.targets.filter(flag=True).values_list("place_id", flat=True))
        assert flagged == holders, month

    # The last day of 2026 in Shanghai: the year is still running.
    with at(2026, 12, 31, 15, 59), pytest.raises(Conflict) as err:
        confirm_awards(user=manager, contest=contest, year=2026)
    assert err.value.code == "year_running"
    # 2027 in Shanghai, December not published yet.
    with at(2026, 12, 31, 16, 0), pytest.raises(Conflict) as err:
        confirm_awards(user=manager, contest=contest, year=2026)
    assert err.value.code == "rounds_pending"

    with at(2027, 1, 5, 2):
        december = contest.rounds.get(period_start="2026-12-01")
        publish_round(user=manager, round_=december)
        table = {row["place_id"]: (row["flags"], row["rank"]) for row in flag_table(contest, 2026)}
        assert table == {
            named["A"].pk: (8, 1),
            named["B"].pk: (8, 1),
            named["C"].pk: (7, 3),
            named["D"].pk: (7, 3),  # tied at the cut: awarded too
            named["E"].pk: (5, 5),
            named["F"].pk: (1, 6),
        }
        for key, fulfilled in [("unit_head", True), ("building_head", False), ("floor_head", True)]:
            set_head_duty(
                user=manager,
                contest=contest,
                year=2026,
                person_id=city.users[key].pk,
                fulfilled=fulfilled,
            )
        for who in ("property_manager", "owner", "community_staff_2", "unit_head"):
            with pytest.raises(Forbidden):
                confirm_awards(user=city.users[who], contest=contest, year=2026)
        lines = confirm_awards(user=manager, contest=contest, year=2026)

    awards = Award.objects.filter(contest=contest, year=2026)
    assert len(lines) == awards.count()
    flags = {
        a.household_id: (a.unit_id, a.flags, a.rank, a.percent, a.amount_fen)
        for a in awards.filter(kind=AwardKind.FLAGS)
    }
    expected = {}
    for letter in "ABCD":
        rank = 1 if letter in "AB" else 3
        for hh in Household.objects.filter(unit=named[letter]):
            amount = int(fee(hh.area, 10).to_integral_value(rounding="ROUND_HALF_UP"))
            expected[hh.pk] = (named[letter].pk, FLAGS[letter], rank, Decimal("10.00"), amount)
    assert flags == expected
    h102 = city.households["H102"]
    assert flags[h102.pk][4] == 13277  # 13276.5 rounded half up, not to even
    assert flags[city.households["H101"].pk][4] == 13275
    head_lines = {
        a.user_id: (a.household_id, a.unit_id, a.percent, a.amount_fen)
        for a in awards.filter(kind=AwardKind.HEAD)
    }
    assert head_lines == {
        city.users["unit_head"].pk: (h102.pk, h102.unit_id, Decimal("20.00"), 26553),
        city.users["building_head"].pk: (
            city.households["H101"].pk,
            city.places["U1"].pk,
            Decimal("10.00"),
            13275,
        ),
        city.users["floor_head"].pk: (
            heads["floor_head"].pk,
            heads["floor_head"].unit_id,
            Decimal("20.00"),
            30000,
        ),
    }
    event = AuditEvent.objects.filter(verb="ratings.awards_confirm").get()
    assert event.data["lines"] == awards.count()
    assert event.data["amount_fen"] == sum(a.amount_fen for a in awards)
    assert AuditEvent.objects.filter(verb="ratings.head_duty").count() == 3

    # The building head's duties are recognised after all: confirming again replaces the list.
    with at(2027, 1, 6, 2):
        set_head_duty(
            user=manager,
            contest=contest,
            year=2026,
            person_id=city.users["building_head"].pk,
            fulfilled=True,
        )
        again = confirm_awards(user=manager, contest=contest, year=2026)
    assert len(again) == len(lines)
    assert Award.objects.filter(contest=contest, year=2026).count() == len(lines)
    building = Award.objects.get(kind=AwardKind.HEAD, user=city.users["building_head"])
    assert (building.percent, building.amount_fen) == (Decimal("20.00"), 26550)
    assert AuditEvent.objects.filter(verb="ratings.awards_confirm").count() == 2


def test_a_year_without_rounds_has_no_flag_lines(contested, heads):
    with at(2027, 1, 5, 2):
        lines = confirm_awards(user=contested.manager, contest=contested.contest, year=2026)
    assert {a.kind for a in lines} == {AwardKind.HEAD}
    assert not any(r.status != RoundStatus.PUBLISHED for r in contested.contest.rounds.all())
