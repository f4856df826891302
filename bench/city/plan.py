"""The city's shape: presets, proportions, and the Plan every stage reads.

The Plan is a pure function of (households, seed, anchor): place ids, paths and names, which
buildings make up each grid, which household each resident user lives in and every user's id.
It draws from random.Random(f"{seed}:plan"), never from a stage's generator, so a resumed run
that skips finished stages rebuilds exactly the city those stages wrote. Ids are assigned here
(depth-first, so id order is path order) and foreign keys need no lookups.
"""

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field

from .names import COMMUNITY_SUFFIXES, DISTRICT_NAMES, ESTATE_PREFIXES, ESTATE_SUFFIXES, mix
from .names import PLACE_WORDS as WORDS

PRESETS = {"small": 20_000, "city": 1_000_000}

HOUSEHOLDS_PER_COMMUNITY = 3333
COMMUNITIES_PER_SUBDISTRICT = 30
SUBDISTRICTS_PER_DISTRICT = 10
ESTATES_PER_COMMUNITY = 4
FLOORS, ROOMS_PER_FLOOR = 18, 2
PER_UNIT = FLOORS * ROOMS_PER_FLOOR  # 36
UNITS_PER_BUILDING = 2
PER_BUILDING = PER_UNIT * UNITS_PER_BUILDING  # 72
BUILDINGS_PER_GRID = 6

SIGNED_UP = 0.8  # households whose roster owner has an account
SECOND_HOME = 0.03  # owners on the roster of two households
OTHERS_WEIGHTS = (15, 35, 35, 15)  # 0–3 more members per signed-up household: ≈ 2 × H residents
PENDING = 0.005  # newcomers waiting in a verification queue, per resident

# Staff per scope who are not residents (the others are chosen among residents).
SUBDISTRICT_ADMINS = 2
COMMUNITY_STAFF = 6

DAY = 86_400
YEAR = 365 * DAY
SIGNUP_YEARS = 3  # residents signed up over the three years before the anchor

PATH_WIDTH = 10  # as linju.places.models.PATH_WIDTH

# Snap-and-report (stage "reports"): reports filed over the sign-up years, per household. The
# city preset's 1,000,000 households file 5,000,000.
REPORTS_PER_HOUSEHOLD = 5
# Issue 4's worst case, on purpose: the first subdistrict holds this share of every report the
# city files (2,000,000 of the city preset's 5,000,000: 20 per household there against 3.3 in
# the other nine). A city of one subdistrict (the small preset) files all of them there.
HEAVY_SUBDISTRICT_SHARE = 0.4


def seg(pk: int) -> str:
    return f"{pk:0{PATH_WIDTH}d}/"


def community_count(households: int) -> int:
    return max(2, round(households / HOUSEHOLDS_PER_COMMUNITY))


@dataclass(slots=True)
class Node:
    """One place of the tree; `first`/`end` bound its households' ids [first, end)."""

    id: int
    kind: str
    name: str
    code: str
    path: str
    parent_id: int | None
    first: int = 0
    end: int = 0
    index: int = 0  # position among the places of its kind
    parent: int = 0  # index of the parent among the places of its kind
    children: list[int] = field(default_factory=list)  # indexes of the children
    community: int = 0  # index of the enclosing community (estates, buildings, units)
    grid: int = 0  # buildings: index of their grid
    label: str = ""  # units: "社区 小区 3栋 1单元", as Place.full_name shows it
    staff: list[int] = field(default_factory=list)  # user ids of the non-resident staff


@dataclass(slots=True)
class Grid:
    id: int
    community: int
    code: str
    name: str
    buildings: list[int]
    worker: int = 0  # user id


class Plan:
    """Everything about the city that more than one stage needs."""

    def __init__(self, households: int, seed: int, anchor: int):
        if households < 10:
            raise ValueError("a city needs at least 10 households")
        self.households = households
        self.seed = seed
        self.anchor = anchor  # epoch seconds; every timestamp lies before it
        self.signup_start = anchor - SIGNUP_YEARS * YEAR
        rng = random.Random(f"{seed}:plan")
        self._layout(rng)
        self._staff()
        self._people(rng)

    # --- places --------------------------------------------------------------------------

    def _layout(self, rng):
        self.districts, self.subdistricts, self.communities = [], [], []
        self.estates, self.buildings, self.units, self.grids = [], [], [], []
        self.hh_unit = [0] * (self.households + 1)  # household id → unit index
        communities = community_count(self.households)
        subdistricts = math.ceil(communities / COMMUNITIES_PER_SUBDISTRICT)
        districts = math.ceil(subdistricts / SUBDISTRICTS_PER_DISTRICT)
        next_id = 1
        next_hh = 1

        def add(nodes, kind, name, code, parent, parent_list):
            nonlocal next_id
            parent_node = parent_list[parent] if parent_list is not None else None
            node = Node(
                id=next_id,
                kind=kind,
                name=name,
                code=code,
                path=(parent_node.path if parent_node else "") + seg(next_id),
                parent_id=parent_node.id if parent_node else None,
                index=len(nodes),
                parent=parent,
            )
            next_id += 1
            nodes.append(node)
            if parent_node:
                parent_node.children.append(node.index)
            return node

        district_names = rng.sample(DISTRICT_NAMES, min(districts, len(DISTRICT_NAMES)))
        for d in range(districts):
            name = district_names[d] if d < len(district_names) else f"第{d + 1}区"
            add(self.districts, "district", name, f"D{d + 1:02d}", 0, None)
            sub_names = rng.sample(WORDS, SUBDISTRICTS_PER_DISTRICT)
            for s in range(min(SUBDISTRICTS_PER_DISTRICT, subdistricts - d * 10)):
                sub = add(
                    self.subdistricts,
                    "subdistrict",
                    sub_names[s] + "街道",
                    f"S{s + 1:02d}",
                    d,
                    self.districts,
                )
                first_c = len(self.communities)
                count = min(COMMUNITIES_PER_SUBDISTRICT, communities - first_c)
                names = rng.sample([w + x for w in WORDS for x in COMMUNITY_SUFFIXES], count)
                for c in range(count):
                    comm = add(
                        self.communities,
                        "community",
                        names[c] + "社区",
                        f"C{c + 1:03d}",
                        sub.index,
                        self.subdistricts,
                    )
                    n = self.households * (comm.index + 1) // communities
                    n -= self.households * comm.index // communities
                    comm.first = next_hh
                    next_hh = self._estates(rng, add, comm, n, next_hh)
                    comm.end = next_hh
        assert next_hh == self.households + 1
        for s in self.subdistricts:
            s.first = self.communities[s.children[0]].first
            s.end = self.communities[s.children[-1]].end
        self.places = next_id - 1
        self.community_firsts = [c.first for c in self.communities]

    def _estates(self, rng, add, comm, n, next_hh):
        estates = min(ESTATES_PER_COMMUNITY, max(1, math.ceil(n / PER_BUILDING)), n)
        weights = [rng.uniform(0.7, 1.3) for _ in range(estates)]
        cuts = [0]
        for i in range(1, estates):
            cuts.append(max(cuts[-1] + 1, round(n * sum(weights[:i]) / sum(weights))))
        cuts.append(n)
        names = rng.sample([p + s for s in ESTATE_SUFFIXES for p in ESTATE_PREFIXES], estates)
        for e in range(estates):
            estate = add(
                self.estates, "estate", names[e], f"E{e + 1}", comm.index, self.communities
            )
            estate.community = comm.index
            estate.first = next_hh
            left = cuts[e + 1] - cuts[e]
            for b in range(math.ceil(left / PER_BUILDING)):
                building = add(
                    self.buildings,
                    "building",
                    f"{b + 1}栋",
                    f"B{b + 1:02d}",
                    estate.index,
                    self.estates,
                )
                building.community = comm.index
                building.first = next_hh
                in_building = min(PER_BUILDING, left)
                left -= in_building
                for u in range(math.ceil(in_building / PER_UNIT)):
                    unit = add(
                        self.units,
                        "unit",
                        f"{u + 1}单元",
                        f"U{u + 1}",
                        building.index,
                        self.buildings,
                    )
                    unit.community = comm.index
                    unit.label = f"{comm.name} {estate.name} {building.name} {unit.name}"
                    in_unit = min(PER_UNIT, in_building - u * PER_UNIT)
                    unit.first, unit.end = next_hh, next_hh + in_unit
                    self.hh_unit[next_hh : next_hh + in_unit] = [unit.index] * in_unit
                    next_hh += in_unit
                building.end = next_hh
            estate.end = next_hh
        return next_hh

    def place_nodes(self):
        """All places in id order (depth first: parents before children)."""
        nodes = [
            *self.districts,
            *self.subdistricts,
            *self.communities,
            *self.estates,
            *self.buildings,
            *self.units,
        ]
        return sorted(nodes, key=lambda n: n.id)

    def community_of(self, household: int) -> Node:
        return self.communities[bisect_right(self.community_firsts, household) - 1]

    @staticmethod
    def room(unit: Node, household: int) -> tuple[int, str]:
        """(floor, room) of a household: rooms fill a unit floor by floor, "1201" style."""
        floor, r = divmod(household - unit.first, ROOMS_PER_FLOOR)
        return floor + 1, f"{floor + 1}{r + 1:02d}"

    def household_label(self, household: int) -> str:
        """As str(Household) shows it: the unit's full name and the room."""
        unit = self.units[self.hh_unit[household]]
        return f"{unit.label} {self.room(unit, household)[1]}"

    # --- grids and staff -----------------------------------------------------------------

    def _staff(self):
        """Grids (ids 1…) and the user ids of staff who are not residents (1…)."""
        for comm in self.communities:
            buildings = [b for e in comm.children for b in self.estates[e].children]
            for g in range(math.ceil(len(buildings) / BUILDINGS_PER_GRID)):
                chunk = buildings[g * BUILDINGS_PER_GRID : (g + 1) * BUILDINGS_PER_GRID]
                code, name = f"G{g + 1:02d}", f"第{g + 1}网格"
                grid = Grid(len(self.grids) + 1, comm.index, code, name, chunk)
                for b in chunk:
                    self.buildings[b].grid = len(self.grids)
                self.grids.append(grid)
        uid = 1
        for s in self.subdistricts:
            s.staff = list(range(uid, uid + SUBDISTRICT_ADMINS))
            uid += SUBDISTRICT_ADMINS
        for c in self.communities:
            c.staff = list(range(uid, uid + COMMUNITY_STAFF + 1))  # the last is the partner
            uid += COMMUNITY_STAFF + 1
        for e in self.estates:
            e.staff = [uid]  # the property manager
            uid += 1
        for g in self.grids:
            g.worker = uid
            uid += 1
        self.staff_users = uid - 1

    def community_staff(self, comm: Node) -> list[int]:
        return comm.staff[:COMMUNITY_STAFF]

    # --- people --------------------------------------------------------------------------

    def _people(self, rng):
        """Roster owners and resident users, household by household.

        owner_no[h] numbers the roster owner (a person, with or without an account); owner_uid[h]
        is that owner's user id or 0; the household's other members are the users
        first_other[h] … first_other[h] + n_other[h] - 1. Users are numbered staff first, then
        residents in household order, then the newcomers waiting for verification.
        """
        h_count = self.households
        self.owner_no = owner_no = [0] * (h_count + 1)
        self.owner_uid = owner_uid = [0] * (h_count + 1)
        self.first_other = first_other = [0] * (h_count + 1)
        self.n_other = n_other = [0] * (h_count + 1)
        self.second_home = second_home = [False] * (h_count + 1)
        uid = self.first_resident = self.staff_users + 1
        owner = -1
        signed = False
        owner_user = 0
        random_ = rng.random
        choices = rng.choices
        others_range = range(len(OTHERS_WEIGHTS))
        for h in range(1, h_count + 1):
            if owner < 0 or random_() >= SECOND_HOME:
                owner += 1
                signed = random_() < SIGNED_UP
                owner_user = uid if signed else 0
                uid += signed
            else:
                second_home[h] = True
            owner_no[h] = owner
            owner_uid[h] = owner_user
            if signed:
                n = choices(others_range, OTHERS_WEIGHTS)[0]
                first_other[h] = uid
                n_other[h] = n
                uid += n
        self.owners = owner + 1
        self.residents = uid - self.first_resident
        self.first_newcomer = uid
        # Every community's verification queue holds about its share (33 of a full one).
        share = self.residents * PENDING / len(self.communities)
        low, high = max(1, round(share * 0.75)), max(1, round(share * 1.2))
        self.newcomer_household = [
            rng.randint(c.first, c.end - 1)
            for c in self.communities
            for _ in range(rng.randint(low, high))
        ]
        self.users = uid - 1 + len(self.newcomer_household)

    def members(self, household: int) -> list[int]:
        """User ids of the household's verified members, the owner first."""
        first = self.first_other[household]
        others = list(range(first, first + self.n_other[household]))
        owner = self.owner_uid[household]
        return [owner, *others] if owner else others

    def joined(self, uid: int) -> int:
        """When a resident signed up (epoch seconds): spread over the sign-up years."""
        return self.signup_start + mix(uid, self.seed) % (SIGNUP_YEARS * YEAR - 7 * DAY)

    def reports(self) -> int:
        """How many reports the city files over the sign-up years."""
        return self.households * REPORTS_PER_HOUSEHOLD

    def heavy_share(self) -> float:
        """The share of reports filed in the first subdistrict (see HEAVY_SUBDISTRICT_SHARE)."""
        return HEAVY_SUBDISTRICT_SHARE if len(self.subdistricts) > 1 else 1.0

    def stats(self) -> dict:
        return {
            "places": self.places,
            "communities": len(self.communities),
            "estates": len(self.estates),
            "buildings": len(self.buildings),
            "units": len(self.units),
            "grids": len(self.grids),
            "households": self.households,
            "staff_users": self.staff_users,
            "residents": self.residents,
            "newcomers": len(self.newcomer_household),
        }
