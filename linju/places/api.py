"""/places: the governance tree, grids and households, each scoped by core.access."""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from linju.core import access
from linju.core.api_support import ERRORS, LimitOffset, Rows
from linju.core.masking import mask_mobile, mask_name
from linju.people.models import Residency, ResidencyStatus
from linju.people.queries import visible_households

from .queries import household_label, visible_grids, visible_places
from .schemas import GridOut, HouseholdFilter, HouseholdOut, PlaceFilter, PlaceOut

router = Router(tags=["places"])


@router.get("", response={200: list[PlaceOut], **ERRORS}, summary="Places I may see")
@paginate(LimitOffset)
def list_places(request, filters: Query[PlaceFilter]):
    """Staff: the places of their scope. Everyone logged in: estates, to bind a household."""
    qs = visible_places(request.user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q))
    return qs


@router.get("/grids", response={200: list[GridOut], **ERRORS}, summary="Grids I may see")
@paginate(LimitOffset)
def list_grids(request):
    return Rows(visible_grids(request.user), _grid_row)


@router.get(
    "/households", response={200: list[HouseholdOut], **ERRORS}, summary="Households I may see"
)
@paginate(LimitOffset)
def list_households(request, filters: Query[HouseholdFilter]):
    """Members' names and mobiles are masked outside the viewer's handling scope."""
    qs = _households(request.user)
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)
    if filters.place is not None:
        place = get_object_or_404(visible_places(request.user), pk=filters.place)
        qs = qs.filter(path__startswith=place.path)
    if filters.q:
        qs = qs.filter(room__icontains=filters.q)
    return Rows(qs, lambda h: _household_row(h, request.user))


@router.get(
    "/households/{household_id}",
    response={200: HouseholdOut, **ERRORS},
    summary="One household",
)
def get_household(request, household_id: int):
    household = get_object_or_404(_households(request.user), pk=household_id)
    return _household_row(household, request.user)


@router.get("/{place_id}", response={200: PlaceOut, **ERRORS}, summary="One place")
def get_place(request, place_id: int):
    return get_object_or_404(visible_places(request.user), pk=place_id)


@router.get(
    "/{place_id}/children", response={200: list[PlaceOut], **ERRORS}, summary="A place's children"
)
@paginate(LimitOffset)
def list_children(request, place_id: int):
    place = get_object_or_404(visible_places(request.user), pk=place_id)
    return visible_places(request.user).filter(parent=place)


def _households(user):
    members = (
        Residency.objects.filter(status=ResidencyStatus.VERIFIED)
        .select_related("user")
        .order_by("requested_at", "pk")
    )
    return (
        visible_households(user)
        .prefetch_related(Prefetch("residencies", queryset=members, to_attr="members"))
        .order_by("path")
    )


def _household_row(household, viewer) -> dict:
    rows = []
    for r in household.members:
        person = r.user
        full = access.can_see_personal_data(viewer, person, paths=[household.path])
        rows.append(
            {
                "user_id": person.pk,
                "name": person.name if full else mask_name(person.name),
                "mobile": person.mobile if full else mask_mobile(person.mobile),
                "relation": r.relation,
            }
        )
    may_invite = access.can(viewer, "people.print_invites", household)
    return {
        "id": household.pk,
        "unit_id": household.unit_id,
        "label": household_label(household),
        "room": household.room,
        "floor": household.floor,
        "area": household.area,
        "invite_code": household.invite_code if may_invite else None,
        "members": rows,
    }


def _grid_row(grid) -> dict:
    return {
        "id": grid.pk,
        "name": grid.name,
        "code": grid.code,
        "community_id": grid.community_id,
        "community_name": grid.community.name,
        "building_ids": [b.pk for b in grid.buildings.all()],
    }
