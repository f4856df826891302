"""A contest as seed 001 runs it: estate E1 of the test city with 12 units, a panel of the four
parties (community staff, property manager, owners' committee, a resident), the template
rubric copied and adopted, a property fee of 1.00 yuan per m² a month."""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from linju.places.models import Household, Place
from linju.ratings import defaults
from linju.ratings.models import Party
from linju.ratings.scoring import default_points
from linju.ratings.services_rounds import add_panellist, create_contest, save_sheet
from linju.ratings.services_rubrics import adopt_rubric, copy_rubric


@dataclass
class Contested:
    city: object
    contest: object
    rubric: object
    manager: object
    panel: list
    units: list = field(default_factory=list)


@pytest.fixture
def contested(city):
    e1 = city.places["E1"]
    units = [city.places["U1"], city.places["U2"]]
    for b in range(4, 9):
        building = Place.objects.create(kind="building", name=f"{b}栋", code=f"B{b}", parent=e1)
        for u in (1, 2):
            unit = Place.objects.create(
                kind="unit", name=f"{u}单元", code=f"B{b}U{u}", parent=building
            )
            Household.objects.create(unit=unit, room="101", floor=1, area=Decimal("100.00"))
            units.append(unit)
    manager = city.users["community_staff"]
    rubric = copy_rubric(user=manager, rubric=defaults.template(defaults.CONTEST), place_id=e1.pk)
    adopt_rubric(user=manager, rubric=rubric)
    contest = create_contest(
        user=manager,
        place_id=e1.pk,
        name="南国新家园文明单元评比",
        rubric_id=rubric.pk,
        fee_fen_per_sqm_month=100,
    )
    panel = [
        (city.users["community_staff"], Party.COMMUNITY),
        (city.users["property_manager"], Party.PROPERTY),
        (city.users["owners_committee"], Party.OWNERS_COMMITTEE),
        (city.users["owner"], Party.RESIDENTS),
    ]
    for person, party in panel:
        add_panellist(user=manager, contest=contest, person_id=person.pk, party=party)
    return Contested(
        city=city,
        contest=contest,
        rubric=rubric,
        manager=manager,
        panel=[p for p, _ in panel],
        units=sorted(units, key=lambda p: p.path),
    )


def marks_for(rubric, **changes):
    """Every item at its default (full marks, nothing deducted); `changes` maps an item's code
    to points, or to a dict of the mark's fields."""
    marks = {}
    for item in rubric.items.all():
        mark = {"points": str(default_points(item)), "exempt": False, "vetoed": False, "note": ""}
        change = changes.get(item.code)
        if isinstance(change, dict):
            mark.update(change)
        elif change is not None:
            mark["points"] = str(change)
        marks[item.code] = mark
    return marks


def score(round_, user, target, **changes):
    return save_sheet(
        user=user, round_=round_, target_id=target.pk, marks=marks_for(round_.rubric, **changes)
    )
