"""Writes to the governance tree: places, grids and households."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from linju.core import access, audit
from linju.core.errors import Conflict, Invalid

from .models import PARENT_KIND, Grid, Household, Place, PlaceKind


def _clean_text(value, field, max_length, errors, *, required=True):
    value = (value or "").strip()
    if required and not value:
        errors[field] = [_("This field is required.")]
    elif len(value) > max_length:
        errors[field] = [_("At most %(n)d characters.") % {"n": max_length}]
    return value


@transaction.atomic
def create_place(*, actor, kind: str, name: str, code: str, parent_id=None) -> Place:
    errors = {}
    if kind not in PlaceKind.values:
        errors["kind"] = [_("Choose a kind of place.")]
    name = _clean_text(name, "name", 100, errors)
    code = _clean_text(code, "code", 40, errors)
    parent = Place.objects.filter(pk=parent_id).first() if parent_id else None
    if parent_id and parent is None:
        errors["parent"] = [_("No such place.")]
    if not errors and PARENT_KIND.get(kind) != (parent.kind if parent else None):
        if kind in PARENT_KIND:
            errors["parent"] = [
                _("A %(kind)s must sit under a %(parent)s.")
                % {"kind": PlaceKind(kind).label, "parent": PlaceKind(PARENT_KIND[kind]).label}
            ]
        else:
            errors["parent"] = [_("A district is the root of the tree.")]
    if errors:
        raise Invalid(errors)
    if actor is not None and parent is not None:
        access.require(actor, "people.import_roster", parent)
    try:
        with transaction.atomic():
            place = Place.objects.create(kind=kind, name=name, code=code, parent=parent)
    except IntegrityError:
        raise Invalid({"code": _("Another place here already uses this code.")}) from None
    audit.record(actor=actor, verb="place.create", obj=place, data={"kind": kind, "code": code})
    return place


@transaction.atomic
def create_grid(*, actor, community_id: int, name: str, code: str, building_ids=()) -> Grid:
    errors = {}
    community = Place.objects.filter(pk=community_id, kind=PlaceKind.COMMUNITY).first()
    if community is None:
        errors["community"] = [_("Choose a community.")]
    name = _clean_text(name, "name", 100, errors)
    code = _clean_text(code, "code", 40, errors)
    if errors:
        raise Invalid(errors)
    if actor is not None:
        access.require(actor, "people.import_roster", community)
    buildings = list(
        Place.objects.filter(
            pk__in=building_ids, kind=PlaceKind.BUILDING, path__startswith=community.path
        )
    )
    if len(buildings) != len(set(building_ids)):
        raise Invalid({"buildings": [_("Every building must belong to this community.")]})
    try:
        with transaction.atomic():
            grid = Grid.objects.create(community=community, name=name, code=code)
    except IntegrityError:
        raise Conflict(_("Another grid of this community uses this code."), field="code") from None
    grid.buildings.set(buildings)
    audit.record(
        actor=actor, verb="grid.create", obj=grid, data={"buildings": [b.pk for b in buildings]}
    )
    return grid


def parse_area(raw, field="area") -> Decimal:
    try:
        area = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise Invalid({field: [_("Enter the floor area in m², e.g. 89.50.")]}) from None
    if not area.is_finite() or area < 0 or area >= Decimal("1000000"):
        raise Invalid({field: [_("The floor area must be between 0 and 999999.99 m².")]})
    return area.quantize(Decimal("0.01"))


@transaction.atomic
def create_household(*, actor, unit_id: int, room: str, floor: int, area) -> Household:
    errors = {}
    unit = Place.objects.filter(pk=unit_id, kind=PlaceKind.UNIT).first()
    if unit is None:
        errors["unit"] = [_("Choose a unit.")]
    room = _clean_text(room, "room", 20, errors)
    try:
        floor = int(floor)
        if not -10 <= floor <= 200:
            raise ValueError
    except (TypeError, ValueError):
        errors["floor"] = [_("Enter a floor between -10 and 200.")]
    try:
        area = parse_area(area)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid(errors)
    if actor is not None:
        access.require(actor, "people.import_roster", unit)
    try:
        with transaction.atomic():
            household = Household.objects.create(unit=unit, room=room, floor=floor, area=area)
    except IntegrityError:
        raise Invalid({"room": [_("This unit already has this room.")]}) from None
    audit.record(
        actor=actor,
        verb="household.create",
        obj=household,
        data={"room": room, "floor": floor, "area": str(area)},
    )
    return household
