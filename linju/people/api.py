"""/people: binding to a household (residencies), its verification queue, and role grants."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from linju.core import access
from linju.core.api_support import ERRORS, LimitOffset, Rows
from linju.core.errors import Forbidden, Invalid
from linju.core.masking import mask_mobile, mask_name
from linju.places.models import Place, PlaceKind
from linju.places.queries import household_label

from . import services
from .models import Residency
from .queries import (
    bind_children,
    bind_estates,
    bind_rooms,
    grants_manageable_by,
    my_residencies,
    pending_verifications,
)
from .roles import Role
from .schemas import (
    DecisionIn,
    ResidencyIn,
    ResidencyOut,
    RoleFilter,
    RoleGrantIn,
    RoleGrantOut,
)

router = Router(tags=["people"])


def _person(viewer, person, paths) -> dict:
    full = access.can_see_personal_data(viewer, person, paths=paths)
    return {
        "id": person.pk,
        "name": person.name if full else mask_name(person.name),
        "mobile": person.mobile if full else mask_mobile(person.mobile),
    }


def _residency_row(r, viewer) -> dict:
    return {
        "id": r.pk,
        "person": _person(viewer, r.user, [r.household.path]),
        "household_id": r.household_id,
        "household": household_label(r.household),
        "relation": r.relation,
        "status": r.status,
        "note": r.note,
        "reason": r.reason,
        "source": r.source,
        "requested_at": r.requested_at,
        "decided_at": r.decided_at,
    }


def _residencies():
    return Residency.objects.select_related("user", "household__unit__parent__parent")


def _reachable_residency(user, residency_id: int) -> Residency:
    """The caller's own residency or one in their verification scope; anything else is 404 so
    that requests outside the scope are not revealed."""
    own = _residencies().filter(user=user)
    in_scope = access.filter_queryset(
        user, "people.verify_residency", _residencies(), field="household__path"
    )
    return get_object_or_404(own | in_scope, pk=residency_id)


@router.post(
    "/residencies", response={201: ResidencyOut, **ERRORS}, summary="Ask to join a household"
)
def request_residency(request, payload: ResidencyIn):
    """Pick the household by id, or give its invite code; a verifier then decides."""
    if (payload.household_id is None) == (not payload.invite_code):
        raise Invalid({"household_id": _("Give either the household or its invite code.")})
    if payload.invite_code:
        residency = services.request_residency_by_invite(
            user=request.user,
            invite_code=payload.invite_code,
            relation=payload.relation,
            note=payload.note,
        )
    else:
        residency = services.request_residency(
            user=request.user,
            household_id=payload.household_id,
            relation=payload.relation,
            note=payload.note,
        )
    return Status(201, _residency_row(_residencies().get(pk=residency.pk), request.user))


@router.get(
    "/residencies/mine",
    response={200: list[ResidencyOut], **ERRORS},
    summary="My pending and verified households",
)
@paginate(LimitOffset)
def my_residency_list(request):
    qs = my_residencies(request.user).select_related("user")
    return Rows(qs, lambda r: _residency_row(r, request.user))


@router.get(
    "/residencies/pending",
    response={200: list[ResidencyOut], **ERRORS},
    summary="Verification queue",
)
@paginate(LimitOffset)
def pending_list(request):
    """Requests the caller may verify, oldest first."""
    if not access.has_anywhere(request.user, "people.verify_residency"):
        raise Forbidden(_("You may not verify households."))
    return Rows(pending_verifications(request.user), lambda r: _residency_row(r, request.user))


@router.post(
    "/residencies/{residency_id}/decision",
    response={200: ResidencyOut, **ERRORS},
    summary="Verify or reject a request",
)
def decide(request, residency_id: int, payload: DecisionIn):
    _reachable_residency(request.user, residency_id)
    services.decide_residency(
        actor=request.user,
        residency_id=residency_id,
        approve=payload.approve,
        reason=payload.reason,
    )
    return _residency_row(_residencies().get(pk=residency_id), request.user)


@router.delete(
    "/residencies/{residency_id}",
    response={200: ResidencyOut, **ERRORS},
    summary="End a residency (moving out)",
)
def end(request, residency_id: int):
    _reachable_residency(request.user, residency_id)
    services.end_residency(actor=request.user, residency_id=residency_id)
    return _residency_row(_residencies().get(pk=residency_id), request.user)


def _grant_row(g, viewer) -> dict:
    return {
        "id": g.pk,
        "person": _person(viewer, g.user, [g.scope_path]),
        "role": g.role,
        "role_label": str(Role(g.role).label),
        "place_id": g.place_id,
        "grid_id": g.grid_id,
        "scope_name": str(g.scope),
        "granted_at": g.granted_at,
        "revoked_at": g.revoked_at,
        "active": g.active,
    }


@router.get("/roles", response={200: list[RoleGrantOut], **ERRORS}, summary="Role grants I manage")
@paginate(LimitOffset)
def list_roles(request, filters: Query[RoleFilter]):
    if not access.has_anywhere(request.user, "people.grant_role"):
        raise Forbidden(_("You may not manage roles."))
    qs = grants_manageable_by(request.user)
    if filters.active is not None:
        qs = qs.filter(revoked_at__isnull=filters.active)
    if filters.role:
        qs = qs.filter(role=filters.role)
    if filters.user is not None:
        qs = qs.filter(user_id=filters.user)
    return Rows(qs.order_by("-granted_at", "-pk"), lambda g: _grant_row(g, request.user))


@router.post("/roles", response={201: RoleGrantOut, **ERRORS}, summary="Grant a role")
def grant(request, payload: RoleGrantIn):
    g = services.grant_role(
        actor=request.user,
        user_id=payload.user_id,
        role=payload.role,
        place_id=payload.place_id,
        grid_id=payload.grid_id,
    )
    return Status(201, _grant_row(grants_manageable_by(request.user).get(pk=g.pk), request.user))


@router.delete("/roles/{grant_id}", response={200: RoleGrantOut, **ERRORS}, summary="Revoke a role")
def revoke(request, grant_id: int):
    get_object_or_404(grants_manageable_by(request.user), pk=grant_id)
    services.revoke_role(actor=request.user, grant_id=grant_id)
    return _grant_row(grants_manageable_by(request.user).get(pk=grant_id), request.user)


# --- The binding directory: what a resident picks from, without anyone's personal data ----------


class DirectoryEntry(Schema):
    id: int
    name: str = Field(description="Name of the estate, building or unit, or the room number.")
    floor: int | None = Field(None, description="Rooms only: the floor.")


class EstateFilter(Schema):
    q: str = Field("", max_length=50, description="Part of the estate's or community's name.")


@router.get(
    "/directory/estates",
    response={200: list[DirectoryEntry], **ERRORS},
    summary="Estates a resident can pick when asking to join a household",
    description="A city has thousands of estates: page through them, or search by name.",
)
@paginate(LimitOffset)
def directory_estates(request, filters: Query[EstateFilter]):
    return Rows(
        bind_estates(filters.q),
        lambda e: {"id": e.pk, "name": f"{e.parent.name} · {e.name}" if e.parent_id else e.name},
    )


@router.get(
    "/directory/{place_id}/children",
    response={200: list[DirectoryEntry], **ERRORS},
    summary="Buildings of an estate, units of a building, or rooms of a unit",
    description="Names and room numbers only: never who lives there.",
)
def directory_children(request, place_id: int):
    place = get_object_or_404(Place, pk=place_id)
    if place.kind == PlaceKind.UNIT:
        return [{"id": h.pk, "name": h.room, "floor": h.floor} for h in bind_rooms(place.pk)]
    if place.kind not in (PlaceKind.ESTATE, PlaceKind.BUILDING):
        raise Invalid({"place_id": _("Choose an estate, a building or a unit.")})
    kind = "building" if place.kind == PlaceKind.ESTATE else "unit"
    return [{"id": c.pk, "name": c.name} for c in bind_children(place.pk, kind)]
