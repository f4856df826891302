"""The governance tree: materialised paths make "everything under" one indexed query."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linju.core.errors import Forbidden, Invalid
from linju.core.models import AuditEvent
from linju.places import services
from linju.places.models import Household, Place, path_segment
from linju.places.paths import prefixes_of

pytestmark = pytest.mark.django_db


def test_paths_follow_the_tree(city):
    for place in Place.objects.select_related("parent"):
        parent_path = place.parent.path if place.parent else ""
        assert place.path == parent_path + path_segment(place.pk)
    for household in Household.objects.select_related("unit"):
        assert household.path == household.unit.path + "h" + path_segment(household.pk)


def test_everything_under_a_place_is_one_query(city):
    c1 = city.places["C1"]
    with CaptureQueriesContext(connection) as ctx:
        names = set(c1.descendants().values_list("name", flat=True))
    assert len(ctx.captured_queries) == 1
    assert names == {"C1", "E1", "B1", "B2", "U1", "U2"}
    households = Household.objects.filter(path__startswith=c1.path)
    assert {h.room for h in households} == {"101", "102", "201"}


def test_ancestors_and_prefixes(city):
    u1 = city.places["U1"]
    assert [p.name for p in u1.ancestors()] == ["D", "S", "C1", "E1", "B1", "U1"]
    assert u1.ancestor_of_kind("estate") == city.places["E1"]
    assert prefixes_of("a/b/c/") == ["a/", "a/b/", "a/b/c/"]


def test_create_place_checks_the_kind_of_parent(city):
    with pytest.raises(Invalid) as exc:
        services.create_place(
            actor=None, kind="unit", name="X", code="X", parent_id=city.places["E1"].pk
        )
    assert "parent" in exc.value.errors
    with pytest.raises(Invalid) as exc:
        services.create_place(
            actor=None, kind="building", name=" ", code="", parent_id=city.places["E1"].pk
        )
    assert {"name", "code"} <= set(exc.value.errors)


def test_create_place_rejects_a_duplicate_code(city):
    with pytest.raises(Invalid) as exc:
        services.create_place(
            actor=None, kind="building", name="B1 again", code="B1", parent_id=city.places["E1"].pk
        )
    assert "code" in exc.value.errors


def test_create_place_is_scoped_and_audited(city):
    staff = city.users["community_staff"]
    building = services.create_place(
        actor=staff, kind="building", name="9栋", code="9", parent_id=city.places["E1"].pk
    )
    assert building.path.startswith(city.places["E1"].path)
    assert AuditEvent.objects.filter(verb="place.create", object_id=str(building.pk)).exists()
    with pytest.raises(Forbidden):
        services.create_place(
            actor=staff, kind="building", name="X", code="X", parent_id=city.places["E2"].pk
        )


def test_create_household_validates_every_field(city):
    with pytest.raises(Invalid) as exc:
        services.create_household(
            actor=None, unit_id=city.places["U1"].pk, room="", floor="ten", area="-3"
        )
    assert {"room", "floor", "area"} <= set(exc.value.errors)
    with pytest.raises(Invalid) as exc:
        services.create_household(
            actor=None, unit_id=city.places["U1"].pk, room="101", floor=1, area="80"
        )
    assert "room" in exc.value.errors
    h = services.create_household(
        actor=None, unit_id=city.places["U1"].pk, room="103", floor=1, area="80.456"
    )
    assert h.area == Decimal("80.46")
    assert len(h.invite_code) == 8


def test_grid_covers_only_its_community(city):
    with pytest.raises(Invalid) as exc:
        services.create_grid(
            actor=None,
            community_id=city.places["C1"].pk,
            name="G9",
            code="G9",
            building_ids=[city.places["B3"].pk],
        )
    assert "buildings" in exc.value.errors
    grid = services.create_grid(
        actor=None,
        community_id=city.places["C1"].pk,
        name="G9",
        code="G9",
        building_ids=[city.places["B2"].pk],
    )
    assert grid.building_paths() == [city.places["B2"].path]
