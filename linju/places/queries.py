"""Reads of the governance tree, scoped by core.access.

Staff see the places of their `places.view` scope. Estates are listed to anyone logged in, so a
resident can start binding to a household (seed 002: residents bind, the three heads verify)."""

from django.db.models import Prefetch, Q

from linju.core import access

from .models import Grid, Place, PlaceKind


def visible_places(user):
    in_scope = access.filter_queryset(user, "places.view", Place.objects.all())
    return (in_scope | Place.objects.filter(kind=PlaceKind.ESTATE)).order_by("path")


def visible_grids(user):
    """Grids whose community is in scope, or one of whose buildings is (a grid worker's scope
    is the buildings of their grid, below the grid's community)."""
    # Id subqueries read the places in scope from the path index once; an OR across the
    # community and building joins made PostgreSQL join every grid of the city to both.
    places = access.filter_queryset(user, "places.view", Place.objects.all()).values("pk")
    with_building = Grid.buildings.through.objects.filter(place__in=places).values("grid_id")
    return (
        Grid.objects.filter(Q(community__in=places) | Q(pk__in=with_building))
        .select_related("community")
        .prefetch_related(Prefetch("buildings", queryset=Place.objects.only("pk")))
        .order_by("community__path", "code")
    )


def household_label(household) -> str:
    """ "Estate building unit room" without a query; needs `unit__parent__parent` loaded."""
    unit = household.unit
    building = unit.parent
    estate = building.parent if building else None
    parts = [p.name for p in (estate, building, unit) if p is not None]
    return " ".join([*parts, household.room])


def place_labels(places) -> dict[int, str]:
    """Place id → "estate building unit" (the community and below), in one query."""
    places = [p for p in places if p is not None]
    ids = {int(seg) for p in places for seg in p.path.strip("/").split("/") if seg}
    names = {
        p.pk: (p.kind, p.name) for p in Place.objects.filter(pk__in=ids).only("pk", "kind", "name")
    }
    labels = {}
    for p in places:
        parts = []
        for seg in p.path.strip("/").split("/"):
            kind, name = names.get(int(seg), ("", ""))
            if seg and kind not in (PlaceKind.DISTRICT, PlaceKind.SUBDISTRICT, ""):
                parts.append(name)
        labels[p.pk] = " ".join(parts) or p.name
    return labels
