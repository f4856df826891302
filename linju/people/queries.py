"""Reads about people, scoped by core.access."""

from collections import defaultdict

from django.db.models import Count, Prefetch, Q, prefetch_related_objects

from linju.core import access
from linju.core.masking import mask_mobile, mask_name
from linju.places.models import Grid, Household, Place, PlaceKind
from linju.places.paths import prefixes_of

from .models import (
    LiaisonHousehold,
    PartyMembership,
    PartyOrganisation,
    Residency,
    ResidencyStatus,
    RoleGrant,
)


def my_residencies(user):
    """The user's live residencies (pending and verified), households and places loaded."""
    return Residency.objects.filter(
        user=user, status__in=[ResidencyStatus.PENDING, ResidencyStatus.VERIFIED]
    ).select_related("household__unit__parent__parent")


def verified_households(residencies):
    """The verified households among `my_residencies`, in tree order, each with its verified
    members (`household.members`) loaded in one query."""
    households = sorted(
        (r.household for r in residencies if r.status == ResidencyStatus.VERIFIED),
        key=lambda h: h.path,
    )
    members = Residency.objects.filter(status=ResidencyStatus.VERIFIED).select_related("user")
    prefetch_related_objects(
        households, Prefetch("residencies", queryset=members, to_attr="members")
    )
    return households


def pending_verifications(user):
    """Residency requests the user may decide, oldest first, each household's verified members
    loaded (`household.verified_members`) so conflicting claims show without a query per row."""
    members = Residency.objects.filter(status=ResidencyStatus.VERIFIED).select_related("user")
    qs = (
        Residency.objects.filter(status=ResidencyStatus.PENDING)
        .select_related("user", "household__unit__parent__parent")
        .prefetch_related(
            Prefetch("household__residencies", queryset=members, to_attr="verified_members")
        )
        .order_by("requested_at", "pk")
    )
    return access.filter_queryset(user, "people.verify_residency", qs, field="household__path")


def visible_households(user):
    qs = Household.objects.select_related("unit__parent__parent")
    return access.filter_queryset(user, "people.view_household", qs)


def grants_manageable_by(user):
    """Live and past role grants inside the user's role-granting scope."""
    s = access.scope(user, "people.grant_role")
    qs = RoleGrant.objects.select_related("user", "place", "grid__community", "granted_by")
    if s.everywhere:
        return qs
    return qs.filter(s.q("scope_path"))


def residency_requests(user):
    """The user's own requests and residencies, ended ones left out, newest first."""
    return (
        Residency.objects.filter(user=user)
        .exclude(status=ResidencyStatus.ENDED)
        .select_related("household__unit__parent__parent")
        .order_by("-requested_at", "-pk")
    )


# Binding offers the tree by name only: estates are public, the people in them are not.
BIND_LEVELS = {"building": PlaceKind.ESTATE, "unit": PlaceKind.BUILDING}


def bind_estates(q: str = ""):
    """Estates, community by community; `q` keeps those whose or whose community's name has
    it."""
    qs = Place.objects.filter(kind=PlaceKind.ESTATE).select_related("parent")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(parent__name__icontains=q))
    # Tree order, community by community: the (kind, path) index pages through it without
    # sorting a city's estates by name on every request.
    return qs.order_by("path")


def bind_children(parent_id, kind):
    """Buildings of an estate or units of a building, by name; none for a wrong parent."""
    return Place.objects.filter(parent_id=parent_id, parent__kind=BIND_LEVELS[kind]).order_by(
        "name"
    )


def bind_selection(household_id):
    """(estate, building, unit) ids above a household, to redraw the selects after an error."""
    try:
        household_id = int(household_id)
    except (TypeError, ValueError):
        return None
    row = (
        Household.objects.filter(pk=household_id)
        .values_list("unit__parent__parent_id", "unit__parent_id", "unit_id")
        .first()
    )
    return tuple(row) if row else None


def bind_rooms(unit_id):
    return Household.objects.filter(unit_id=unit_id, unit__kind=PlaceKind.UNIT).order_by(
        "floor", "room"
    )


def grants_in_scope(user, role=None, place=None):
    """Live grants the user manages, optionally of one role or inside one place."""
    qs = grants_manageable_by(user).filter(revoked_at__isnull=True)
    if role:
        qs = qs.filter(role=role)
    if place is not None:
        qs = qs.filter(scope_path__startswith=place.path)
    return qs.order_by("role", "place__path", "grid__name", "user__name", "pk")


def places_in_scope(user, perm, kinds):
    qs = Place.objects.filter(kind__in=kinds).select_related("parent")
    return access.filter_queryset(user, perm, qs).order_by("path")


def grids_in_scope(user, perm):
    return access.filter_queryset(
        user, perm, Grid.objects.select_related("community"), field="community__path"
    ).order_by("community__path", "code")


def party_organisations(user):
    """The party overlay visible to a staff member: organisations in scope with members, and
    their liaison households with how many households each serves (`served_count`)."""
    # How many households each liaison serves, not which: a page of branches would otherwise
    # list a thousand households; the liaison's own page names them.
    liaisons = LiaisonHousehold.objects.select_related(
        "member", "household__unit__parent"
    ).annotate(served_count=Count("served"))
    qs = PartyOrganisation.objects.select_related("place", "parent", "grid").prefetch_related(
        Prefetch(
            "memberships",
            queryset=PartyMembership.objects.select_related("user").order_by("user__name"),
        ),
        Prefetch("liaisons", queryset=liaisons),
    )
    # Staff see the organisations inside their scope and those above it (the committee and
    # branch a building head works under).
    s = access.scope(user, "places.view")
    if not s.everywhere:
        above = {p for prefix in s.prefixes for p in prefixes_of(prefix)}
        qs = qs.filter(s.q("place__path") | Q(place__path__in=above))
    return qs.order_by("place__path", "kind", "name")


def party_organisations_managed(user):
    """Organisations the user may change, for the choices of the party forms."""
    qs = PartyOrganisation.objects.only("pk", "name", "kind")
    return access.filter_queryset(user, "people.manage_party", qs, field="place__path").order_by(
        "place__path", "kind", "name"
    )


def households_near(household):
    """Households of the same building, the natural circle a liaison household serves."""
    building_path = household.unit.parent.path
    return (
        Household.objects.filter(path__startswith=building_path)
        .exclude(pk=household.pk)
        .select_related("unit")
        .order_by("unit__name", "floor", "room")
    )


def invite_households(place):
    """The households of a unit or building, in print order."""
    return (
        Household.objects.filter(path__startswith=place.path)
        .select_related("unit__parent")
        .order_by("unit__name", "floor", "room")
    )


def person_labels(viewer, users) -> dict[int, tuple[str, str]]:
    """(name, mobile) of each person as `viewer` may see them (DESIGN §4 Privacy): in full for
    the person and for handlers whose scope holds one of the person's households, masked (张*明,
    138****1234) otherwise. One query for all the households, none when the viewer handles
    personal data nowhere."""
    users = {u.pk: u for u in users}
    paths = defaultdict(list)
    if users and access.scope(viewer, "people.view_personal_data"):
        rows = (
            Residency.objects.filter(user_id__in=list(users))
            .exclude(status=ResidencyStatus.REJECTED)
            .values_list("user_id", "household__path")
        )
        for user_id, path in rows:
            paths[user_id].append(path)
    out = {}
    for pk, person in users.items():
        if access.can_see_personal_data(viewer, person, paths=paths[pk]):
            out[pk] = (person.name, person.mobile)
        else:
            out[pk] = (mask_name(person.name), mask_mobile(person.mobile))
    return out


def label_people(viewer, rows, attr="user") -> list:
    """Set `person_name` and `person_mobile` on each row for the person at `attr` (loaded)."""
    rows = list(rows)
    labels = person_labels(viewer, {getattr(r, attr).pk: getattr(r, attr) for r in rows}.values())
    for row in rows:
        row.person_name, row.person_mobile = labels[getattr(row, attr).pk]
    return rows
