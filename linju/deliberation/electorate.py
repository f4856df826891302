"""Freezing a ballot's electorate when it opens (seed 002: owners decide by exclusive area and
headcount; Civil Code art. 278 and the Supreme People's Court's interpretation on building
ownership, which count the headcount by owner, not by unit).

Who votes is decided once, from the roster and the verified residencies of that moment, and
written as Elector rows (one per voter, with its area and the households it stands for) and
ElectorMember rows (the users who may cast that voter's vote). Later changes to households
or residencies never move a running ballot's denominators.

- OWNERS: every household under the scope counts. A household's owner identities are its
  verified owners and co-owners (people.models.OWNER_RELATIONS); one without a verified owner
  is known by the roster's owner mobile ("m:<mobile>"), else by itself ("h:<id>"); the
  developer's unsold households (`developer_held`) all share the identity "developer".
  Households and identities joined by ownership form one elector (union-find): co-owners of a
  unit count once, one owner's several units count once, the developer's unsold units count
  once. The elector's area is the sum of its households' exclusive areas.
- HOUSEHOLDS: one elector per household under the scope; its verified residents cast its vote.
- REPRESENTATIVES: the serving resident representatives of the community containing the scope.
- PARTY_MEMBERS: members of the party organisations inside the scope or of the community
  containing it.

Rows are written with bulk_create in batches: an estate of 20,000 owners freezes in a few
queries, not 40,000."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core.masking import mask_name
from linju.people.models import (
    OWNER_RELATIONS,
    PartyMembership,
    Residency,
    ResidencyStatus,
    User,
)
from linju.places.models import Household, Place, PlaceKind
from linju.places.paths import prefixes_of

from .models import Elector, Electorate, ElectorMember, Representative

BATCH = 2000
LABEL_ROOMS = 3
DEVELOPER = "developer"


@dataclass
class Draft:
    """An elector before it is written."""

    key: str
    label: str = ""
    area: Decimal = Decimal("0")
    household_ids: list[int] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)
    affected: bool = False


class UnionFind:
    """Disjoint sets over hashable keys, with path halving (iterative: no recursion limit)."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller key becomes the root: groups come out the same whatever the order.
            if str(rb) < str(ra):
                ra, rb = rb, ra
            self.parent[rb] = ra


# --- Labels --------------------------------------------------------------------------------------


class RoomLabels:
    """ "B1 U1 101" for a household, naming only the places below the ballot's scope (a unit's
    ballot says "101"). One query for the buildings and units of the scope."""

    def __init__(self, scope: Place):
        self.scope = scope
        self.names: dict[int, tuple[str, int | None, str]] = {
            pk: (name, parent_id, kind)
            for pk, name, parent_id, kind in Place.objects.filter(
                path__startswith=scope.path, kind__in=[PlaceKind.BUILDING, PlaceKind.UNIT]
            ).values_list("pk", "name", "parent_id", "kind")
        }

    def __call__(self, unit_id: int, room: str) -> str:
        parts = [room]
        pk = unit_id
        while pk in self.names and pk != self.scope.pk:
            name, parent_id, _kind = self.names[pk]
            parts.append(name)
            pk = parent_id
        return " ".join(reversed(parts))


def _rooms_label(rooms: list[str]) -> str:
    rooms = sorted(rooms)
    if len(rooms) <= LABEL_ROOMS:
        return "、".join(rooms)
    return _("%(rooms)s and %(n)d more") % {
        "rooms": "、".join(rooms[:LABEL_ROOMS]),
        "n": len(rooms) - LABEL_ROOMS,
    }


def _label(rooms: list[str], names: list[str]) -> str:
    shown = "、".join(dict.fromkeys(mask_name(n) for n in names if n))
    text = _rooms_label(rooms) + (f" · {shown}" if shown else "")
    return text if len(text) <= 200 else text[:199] + "…"


# --- Building the electors -----------------------------------------------------------------------


def owner_electors(scope: Place) -> list[Draft]:
    """The owners of the households under `scope`, grouped by shared ownership (see module)."""
    # In tree order, so electors are written (and listed, by id) building by building.
    households = list(
        Household.objects.filter(path__startswith=scope.path)
        .order_by("path")
        .values_list(
            "pk", "unit_id", "room", "area", "owner_name", "owner_mobile", "developer_held"
        )
    )
    owners: dict[int, list[tuple[int, str, str]]] = {}
    for household_id, user_id, name, mobile in Residency.objects.filter(
        household__path__startswith=scope.path,
        status=ResidencyStatus.VERIFIED,
        relation__in=OWNER_RELATIONS,
    ).values_list("household_id", "user_id", "user__name", "user__mobile"):
        owners.setdefault(household_id, []).append((user_id, name, mobile))

    uf = UnionFind()
    for pk, _unit, _room, _area, _owner_name, owner_mobile, developer_held in households:
        node = ("h", pk)
        uf.find(node)
        if developer_held:
            # The roster says the developer still holds it: its verified "owners" (if a sale
            # was recorded before the mark was cleared) do not merge the developer's units
            # with their own; staff clear the mark once the sale is registered.
            uf.union(node, ("d", DEVELOPER))
        elif pk in owners:
            for user_id, _name, mobile in owners[pk]:
                uf.union(node, ("u", user_id))
                # The same person may be on the roster of another unit they have not claimed.
                uf.union(("u", user_id), ("m", mobile))
        elif owner_mobile:
            uf.union(node, ("m", owner_mobile))

    room_label = RoomLabels(scope)
    groups: dict = {}
    for pk, unit_id, room, area, owner_name, _mobile, developer_held in households:
        root = uf.find(("h", pk))
        group = groups.get(root)
        if group is None:
            group = groups[root] = {"ids": [], "rooms": [], "area": Decimal("0"), "names": []}
            group["users"] = []
            group["developer"] = False
        group["ids"].append(pk)
        group["rooms"].append(room_label(unit_id, room))
        group["area"] += area
        if developer_held:
            group["developer"] = True
            continue
        if pk in owners:
            for user_id, name, _m in owners[pk]:
                group["users"].append(user_id)
                group["names"].append(name)
        elif owner_name:
            group["names"].append(owner_name)

    drafts = []
    for group in groups.values():
        if group["developer"]:
            key = DEVELOPER
            label = _("Developer's unsold units: %(rooms)s") % {
                "rooms": _rooms_label(group["rooms"])
            }
        else:
            key = f"h:{min(group['ids'])}"
            label = _label(group["rooms"], group["names"])
        drafts.append(
            Draft(
                key=key,
                label=label[:200],
                area=group["area"],
                household_ids=sorted(group["ids"]),
                user_ids=sorted(set(group["users"])),
            )
        )
    return drafts


def living_households(place: Place):
    """The households of a scope that people can live in: all but the developer's unsold units.
    They count for topics' support thresholds and are the electors of household ballots."""
    return living_households_under(place.path)


def living_households_under(path):
    """living_households by path (a string, or an OuterRef for a subquery)."""
    return Household.objects.filter(path__startswith=path, developer_held=False)


def household_electors(scope: Place) -> list[Draft]:
    residents: dict[int, list[int]] = {}
    for household_id, user_id in Residency.objects.filter(
        household__path__startswith=scope.path, status=ResidencyStatus.VERIFIED
    ).values_list("household_id", "user_id"):
        residents.setdefault(household_id, []).append(user_id)
    room_label = RoomLabels(scope)
    return [
        Draft(
            key=f"h:{pk}",
            label=room_label(unit_id, room)[:200],
            area=area,
            household_ids=[pk],
            user_ids=sorted(set(residents.get(pk, []))),
        )
        for pk, unit_id, room, area in living_households(scope)
        .order_by("path", "room")
        .values_list("pk", "unit_id", "room", "area")
    ]


def community_of(place: Place) -> Place | None:
    """The community containing `place` (itself if it is one), from its path: one query."""
    if place.kind == PlaceKind.COMMUNITY:
        return place
    return Place.objects.filter(path__in=prefixes_of(place.path), kind=PlaceKind.COMMUNITY).first()


def _people(users) -> list[Draft]:
    return [
        Draft(
            key=f"u:{pk}", label=mask_name(name) or _("Member %(id)s") % {"id": pk}, user_ids=[pk]
        )
        for pk, name in users
    ]


def representative_ids(place: Place, on=None):
    """居民代表 serving on `on` (today) for the community containing `place`: who is invited to a
    representatives' meeting and votes in a representatives' ballot."""
    community = community_of(place)
    if community is None:
        return Representative.objects.none().values("user_id")
    on = on or timezone.localdate()
    return (
        Representative.objects.filter(community=community, since__lte=on, user__is_active=True)
        .filter(Q(until__isnull=True) | Q(until__gte=on))
        .values("user_id")
    )


def party_member_ids(place: Place):
    """The party members of the community containing `place` (members of its committee, grid
    branches and building groups): who is invited to a party members' meeting (党员大会) and
    votes in a party members' ballot."""
    community = community_of(place)
    if community is None:
        return PartyMembership.objects.none().values("user_id")
    return PartyMembership.objects.filter(
        organisation__place__path__startswith=community.path, user__is_active=True
    ).values("user_id")


def representative_electors(scope: Place) -> list[Draft]:
    users = User.objects.filter(pk__in=representative_ids(scope)).order_by("pk")
    return _people(users.values_list("pk", "name"))


def party_member_electors(scope: Place) -> list[Draft]:
    users = User.objects.filter(pk__in=party_member_ids(scope)).order_by("pk")
    return _people(users.values_list("pk", "name"))


BUILDERS = {
    Electorate.OWNERS: owner_electors,
    Electorate.HOUSEHOLDS: household_electors,
    Electorate.REPRESENTATIVES: representative_electors,
    Electorate.PARTY_MEMBERS: party_member_electors,
}


ANALYZE_FROM = 1000  # electors


def _analyze_electorates() -> None:
    with connection.cursor() as cursor:
        for model in (Elector, ElectorMember):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def freeze(ballot, *, affected_household_ids=()) -> tuple[int, Decimal]:
    """Write the ballot's electorate and its totals (electorate_heads, electorate_area); the
    caller holds the ballot's lock and saves its status. Electors containing one of
    `affected_household_ids` are marked directly affected (elevator retrofits)."""
    drafts = BUILDERS[ballot.electorate](ballot.place)
    affected = {int(h) for h in affected_household_ids}
    if affected:
        for d in drafts:
            d.affected = any(h in affected for h in d.household_ids)
    electors = [
        Elector(
            ballot=ballot,
            key=d.key,
            label=d.label,
            area=d.area,
            household_ids=d.household_ids,
            affected=d.affected,
        )
        for d in drafts
    ]
    Elector.objects.bulk_create(electors, batch_size=BATCH)
    if any(e.pk is None for e in electors):  # a backend without RETURNING on bulk inserts
        ids = dict(Elector.objects.filter(ballot=ballot).values_list("key", "pk"))
        for e in electors:
            e.pk = ids[e.key]
    members = [
        ElectorMember(elector_id=e.pk, ballot=ballot, user_id=user_id)
        for e, d in zip(electors, drafts, strict=True)
        for user_id in d.user_ids
    ]
    ElectorMember.objects.bulk_create(members, batch_size=BATCH)
    if len(electors) >= ANALYZE_FROM and connection.vendor == "postgresql":
        # A large electorate is voted on at once: its votes' lookups and the tally must not
        # be planned on statistics that do not know it yet (autovacuum may take minutes, and
        # the plans it replaces rescan the electorate per vote: bench/ballots.py).
        transaction.on_commit(_analyze_electorates)
    heads = len(electors)
    area = sum((d.area for d in drafts), Decimal("0"))
    ballot.electorate_heads = heads
    ballot.electorate_area = area
    return heads, area
