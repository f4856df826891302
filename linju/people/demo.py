"""The demo community (issue 2 §7): a fictional subdistrict, 桂园街道 of 江城区, with two
communities, four estates, about 60 buildings and 3,000 households, their owners, tenants and
families, grids and grid workers, the three heads (三长), a property company, owners'
committees, community staff, a partner, a subdistrict administrator and the party overlay
(社区党委 → 网格党支部 → 楼栋党小组 → 党员中心户), as seeds 001–003 describe.

Every choice comes from `random.Random(seed)`, never from database ids, so one seed always
gives the same people, rooms and mobiles. The district's code is the marker: when it exists the
demo is loaded and `load_demo` changes nothing. Mobiles are fictional, all in the 1390000xxxx
block; names are drawn from common surnames and given-name characters. Rows are written with
bulk_create in batches; paths are computed once ids are known, exactly as `Place.save()` and
`Household.save()` would set them.
"""

import random
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit
from linju.places.codes import ALPHABET, LENGTH
from linju.places.models import Grid, Household, Place, PlaceKind, path_segment

from .models import (
    LiaisonHousehold,
    PartyMembership,
    PartyOrganisation,
    PartyOrgKind,
    Relation,
    Residency,
    ResidencyStatus,
    RoleGrant,
    User,
)
from .roles import Role

DEFAULT_SEED = 2026
DEMO_PASSWORD = "linju-demo-2026"
DISTRICT = ("江城区", "JCQ")
SUBDISTRICT = ("桂园街道", "GYJD")
BATCH = 1000

# One login per role, with memorable mobiles; the order is the order of the printed table.
DEMO_LOGINS = [
    (Role.RESIDENT, "13900000001"),
    (Role.OWNER, "13900000002"),
    (Role.UNIT_HEAD, "13900000003"),
    (Role.BUILDING_HEAD, "13900000004"),
    (Role.FLOOR_HEAD, "13900000005"),
    (Role.GRID_WORKER, "13900000006"),
    (Role.PARTY_LIAISON, "13900000007"),
    (Role.COMMUNITY_STAFF, "13900000008"),
    (Role.PROPERTY_MANAGER, "13900000009"),
    (Role.OWNERS_COMMITTEE, "13900000010"),
    (Role.PARTNER, "13900000011"),
    (Role.SUBDISTRICT_ADMIN, "13900000012"),
]
DEMO_MOBILE = dict(DEMO_LOGINS)
DEMO_NUMBERS = frozenset(DEMO_MOBILE.values())
MOBILE_PREFIX = 13900000000
STAFF_NUMBERS = range(100, 500)  # staff who are not residents
RESIDENT_NUMBERS = range(500, 10000)


@dataclass(frozen=True)
class EstateSpec:
    """An estate's housing stock: buildings at scale 1, floors, units per building, flats per
    floor per unit, and the range of exclusive floor areas (m²) with its most common value."""

    name: str
    code: str
    buildings: int
    floors: tuple[int, int]
    units: tuple[int, int]
    per_floor: tuple[int, int]
    area: tuple[float, float, float]  # low, high, mode


@dataclass(frozen=True)
class CommunitySpec:
    name: str
    code: str
    grids: int
    estates: tuple[EstateSpec, ...]
    partner: str


COMMUNITIES = (
    CommunitySpec(
        "丹桂社区",
        "DGSQ",
        3,
        (
            # A 1990s walk-up estate: six or seven floors, small flats.
            EstateSpec("桂园新村", "GYXC", 18, (6, 7), (2, 3), (2, 2), (45, 90, 62)),
            EstateSpec("丹桂花园", "DGHY", 11, (11, 18), (1, 2), (2, 3), (75, 140, 98)),
        ),
        "江城区第三人民医院",
    ),
    CommunitySpec(
        "江畔社区",
        "JPSQ",
        4,
        (
            EstateSpec("江畔明珠苑", "JPMZ", 10, (18, 20), (1, 2), (3, 4), (90, 160, 118)),
            EstateSpec("和平里", "HPL", 20, (6, 8), (2, 3), (2, 2), (50, 85, 64)),
        ),
        "江城区图书馆",
    ),
)

# Weighted roughly by how common each surname is, so 王, 李 and 张 recur as they do.
SURNAME_WEIGHTS = {
    9: "王李",
    8: "张",
    7: "刘陈",
    5: "杨",
    4: "黄赵吴周",
    3: "徐孙马朱胡郭何",
    2: "高林罗郑梁谢宋唐",
    1: "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白"
    "邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤",
}
SURNAMES = "".join(chars * weight for weight, chars in SURNAME_WEIGHTS.items())
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林国建志文海峰东亮成新春德"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀燕玲桂英萍红琳婷雪慧颖倩洁欣佳怡月梅兰琴云丹玉凤晶蓉薇楠璐悦彤"
MALE_GIVEN = ("建国", "建华", "国强", "志强", "卫东", "建军", "德明", "振华", "永刚", "国平")
FEMALE_GIVEN = ("秀英", "桂英", "秀兰", "玉兰", "桂兰", "凤英", "秀珍", "淑珍", "丽华", "春梅")
CN_NUMERALS = "一二三四五六七八九十"


class _People:
    """Deterministic names and mobiles."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.resident_pool = list(RESIDENT_NUMBERS)
        rng.shuffle(self.resident_pool)
        self.staff_pool = list(STAFF_NUMBERS)
        rng.shuffle(self.staff_pool)

    def name(self, *, female: bool, surname: str | None = None) -> str:
        rng = self.rng
        surname = surname or rng.choice(SURNAMES)
        roll = rng.random()
        if roll < 0.15:
            given = rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
        elif roll < 0.45:
            given = rng.choice(FEMALE_CHARS if female else MALE_CHARS)
        else:
            chars = FEMALE_CHARS if female else MALE_CHARS
            given = rng.choice(chars) + rng.choice(chars)
        return surname + given

    def user(self, *, staff=False, female=None, surname=None) -> User:
        pool = self.staff_pool if staff else self.resident_pool
        if not pool:
            raise ValueError("The demo ran out of fictional mobile numbers: lower the scale.")
        female = self.rng.random() < 0.5 if female is None else female
        return User(
            mobile=str(MOBILE_PREFIX + pool.pop()),
            name=self.name(female=female, surname=surname),
            password=make_password(None),
        )


@contextmanager
def moved_to(when, tracked):
    """Run a demo step as if at `when`: every time of `tracked` ((model, field names), …) that
    the step set to "now" is moved by the same amount, so the order inside the step is kept and
    the story reads as lived (the demos of deliberation, ratings, points and notices)."""
    start = timezone.now()
    yield
    end = timezone.now()
    delta = when - start
    for model, fields in tracked:
        for name in fields:
            model.objects.filter(**{f"{name}__range": (start, end)}).update(
                **{name: F(name) + delta}
            )


def is_loaded() -> bool:
    return Place.objects.filter(parent__isnull=True, code=DISTRICT[1]).exists()


def load_demo(*, seed: int = DEFAULT_SEED, scale: float = 1.0, progress=None) -> dict | None:
    """Build the demo community in one transaction. Returns the counts of what was created, or
    None when the demo was already loaded (then nothing is written). `scale` multiplies the
    number of buildings (1.0 ≈ 60 buildings and 3,000 households); `progress(step, detail)` is
    called after each step."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    with transaction.atomic():
        if is_loaded():
            return None
        return _Builder(seed, scale, progress or (lambda step, detail: None)).run()


def _bulk(model, objs, **kwargs):
    return model.objects.bulk_create(objs, batch_size=BATCH, **kwargs)


class _Builder:
    """Plans every row in memory (unsaved instances carry their plan in `demo_*` attributes,
    since unsaved model instances cannot be dict keys), then writes in dependency order."""

    def __init__(self, seed, scale, progress):
        self.rng = random.Random(seed)
        self.people = _People(self.rng)
        self.scale = scale
        self.progress = progress
        self.now = timezone.now()
        self.counts = {}
        self.users = []
        self.residencies = []
        self.grants = []
        self.demo_users = []

    def run(self):
        self.build_places()
        self.build_households()
        self.build_residents()
        self.build_grids()
        self.build_roles()
        self.build_party()
        self.save_people()
        audit.record(
            actor=None,
            verb="demo.load",
            obj=self.subdistrict,
            data={"counts": self.counts, "scale": self.scale},
        )
        return self.counts

    # --- Places ---------------------------------------------------------------------------

    def _place(self, kind, name, code, parent):
        place = Place(kind=kind, name=name, code=code, parent=parent)
        place.save()
        return place

    def _bulk_places(self, places):
        _bulk(Place, places)
        for place in places:
            place.path = place.parent.path + path_segment(place.pk)
        Place.objects.bulk_update(places, ["path"], batch_size=BATCH)

    def build_places(self):
        rng = self.rng
        district = self._place(PlaceKind.DISTRICT, *DISTRICT, None)
        self.subdistrict = self._place(PlaceKind.SUBDISTRICT, *SUBDISTRICT, district)
        self.communities, self.estates, self.buildings, self.units = [], [], [], []
        for cspec in COMMUNITIES:
            community = self._place(PlaceKind.COMMUNITY, cspec.name, cspec.code, self.subdistrict)
            community.demo_spec = cspec
            self.communities.append(community)
            for espec in cspec.estates:
                estate = self._place(PlaceKind.ESTATE, espec.name, espec.code, community)
                self.estates.append(estate)
                for number in range(1, max(1, round(espec.buildings * self.scale)) + 1):
                    building = Place(
                        kind=PlaceKind.BUILDING, name=f"{number}栋", code=str(number), parent=estate
                    )
                    building.demo_floors = rng.randint(*espec.floors)
                    per_floor = rng.randint(*espec.per_floor)
                    # Flats stacked above each other share a floor plan: one area per position.
                    low, high, mode = espec.area
                    building.demo_areas = [
                        Decimal(f"{rng.triangular(low, high, mode):.2f}") for _ in range(per_floor)
                    ]
                    building.demo_units = [
                        Place(kind=PlaceKind.UNIT, name=f"{u}单元", code=str(u), parent=building)
                        for u in range(1, rng.randint(*espec.units) + 1)
                    ]
                    self.buildings.append(building)
                    self.units.extend(building.demo_units)
        self._bulk_places(self.buildings)
        self._bulk_places(self.units)
        self.first_unit = self.units[0]
        self.counts["places"] = (
            2 + len(self.communities) + len(self.estates) + len(self.buildings) + len(self.units)
        )
        self.progress("places", f"{len(self.buildings)} buildings, {len(self.units)} units")

    def build_households(self):
        rng = self.rng
        codes = set()
        households = []
        for unit in self.units:
            building = unit.parent
            unit.demo_households = []
            for floor in range(1, building.demo_floors + 1):
                for position, area in enumerate(building.demo_areas, start=1):
                    code = None
                    while code is None or code in codes:
                        code = "".join(rng.choice(ALPHABET) for _ in range(LENGTH))
                    codes.add(code)
                    unit.demo_households.append(
                        Household(
                            unit=unit,
                            room=f"{floor}{position:02d}",
                            floor=floor,
                            area=area,
                            invite_code=code,
                        )
                    )
            households.extend(unit.demo_households)
        _bulk(Household, households)
        for hh in households:
            hh.path = hh.unit.path + "h" + path_segment(hh.pk)
        Household.objects.bulk_update(households, ["path"], batch_size=BATCH)
        self.households = households
        self.counts["households"] = len(households)
        self.progress("households", str(len(households)))

    # --- Residents ------------------------------------------------------------------------

    def _live(self, user, hh, relation, source="roster"):
        self.users.append(user)
        self.residencies.append(
            Residency(
                user=user,
                household=hh,
                relation=relation,
                status=ResidencyStatus.VERIFIED,
                source=source,
                requested_at=self.now - timedelta(days=self.rng.randint(30, 900)),
                decided_at=self.now - timedelta(days=self.rng.randint(1, 29)),
            )
        )

    def build_residents(self):
        """Owners (from the roster), co-owners, tenants and family members, all verified, and
        a few newcomers' requests still waiting for the unit head."""
        rng, people = self.rng, self.people
        demo_tenant = None
        for unit in self.units:
            unit.demo_owners = []  # (household, owner) where the owner lives there
            for index, hh in enumerate(unit.demo_households):
                if rng.random() < 0.03:
                    continue  # unsold or empty: nobody on the roster
                female = rng.random() < 0.45
                owner = people.user(female=female)
                self._live(owner, hh, Relation.OWNER)
                if rng.random() < 0.10:
                    self._live(people.user(female=not female), hh, Relation.CO_OWNER)
                # The first unit always has a rented flat: the demo resident is its tenant.
                demo_flat = demo_tenant is None and unit is self.first_unit and index == 1
                if rng.random() < 0.12 or demo_flat:
                    for n in range(1 + (rng.random() < 0.3)):
                        tenant = people.user()
                        self._live(tenant, hh, Relation.TENANT, source="request")
                        if demo_flat and n == 0:
                            demo_tenant = tenant
                    continue  # the owner lives elsewhere
                unit.demo_owners.append((hh, owner))
                if rng.random() < 0.2:
                    surname = None if female else owner.name[0]
                    for _ in range(1 + (rng.random() < 0.4)):
                        self._live(people.user(surname=surname), hh, Relation.FAMILY, "request")
        self._promote(demo_tenant, Role.RESIDENT)
        self._promote(self.first_unit.demo_owners[0][1], Role.OWNER)

        # Newcomers asking to join: two in the first unit, so the demo heads have a queue.
        pending = [hh for hh, _ in self.first_unit.demo_owners[1:3]]
        pending += rng.sample(self.households, min(max(3, len(self.households) // 250), 50))
        for hh in pending:
            newcomer = people.user()
            newcomer.privacy_consent_at = self.now
            newcomer.privacy_consent_version = settings.PRIVACY_NOTICE_VERSION
            self.users.append(newcomer)
            self.residencies.append(
                Residency(
                    user=newcomer,
                    household=hh,
                    relation=rng.choice([Relation.FAMILY, Relation.TENANT]),
                    note=rng.choice(
                        ["", "刚搬来,和家人同住", "租客,合同已签一年", "老人随子女居住"]
                    ),
                    source="request",
                    requested_at=self.now - timedelta(hours=rng.randint(1, 72)),
                )
            )
        self.counts["pending_requests"] = len(pending)

    def _promote(self, user, role):
        """Make `user` the demo login for `role`: memorable mobile, known password, consent."""
        user.mobile = DEMO_MOBILE[role]
        user.privacy_consent_at = self.now
        user.privacy_consent_version = settings.PRIVACY_NOTICE_VERSION
        self.demo_users.append(user)

    def _staff(self, demo_role=None):
        user = self.people.user(staff=True)
        self.users.append(user)
        if demo_role is not None:
            self._promote(user, demo_role)
        return user

    def _owners(self, units):
        """Resident owners of `units` who are not already a demo login."""
        return [o for u in units for _, o in u.demo_owners if o.mobile not in DEMO_NUMBERS]

    def _grant(self, user, role, place=None, grid=None):
        self.grants.append(RoleGrant(user=user, role=role, place=place, grid=grid))

    # --- Grids and roles ------------------------------------------------------------------

    def build_grids(self):
        self.grids = []
        for community in self.communities:
            buildings = [b for b in self.buildings if b.parent.parent is community]
            n = min(community.demo_spec.grids, len(buildings))
            size = -(-len(buildings) // n)
            for i in range(n):
                chunk = buildings[i * size : (i + 1) * size]
                if not chunk:
                    continue
                grid = Grid(community=community, name=f"第{CN_NUMERALS[i]}网格", code=f"G{i + 1}")
                grid.demo_buildings = chunk
                grid.demo_worker = self._staff(Role.GRID_WORKER if not self.grids else None)
                self._grant(grid.demo_worker, Role.GRID_WORKER, grid=grid)
                self.grids.append(grid)
                for building in chunk:
                    building.demo_grid = grid
        _bulk(Grid, self.grids)
        through = Grid.buildings.through
        _bulk(
            through,
            [through(grid_id=g.pk, place_id=b.pk) for g in self.grids for b in g.demo_buildings],
        )
        self.counts["grids"] = len(self.grids)
        self.progress("grids", str(len(self.grids)))

    def build_roles(self):
        rng = self.rng
        first_building = self.first_unit.parent
        # The three heads are residents of what they look after; the demo ones sit in the
        # first building and unit, beside the demo owner and resident.
        for building in self.buildings:
            demo = building is first_building
            owners = self._owners(building.demo_units)
            if owners and (demo or rng.random() < 0.7):
                head = rng.choice(owners)
                self._grant(head, Role.BUILDING_HEAD, place=building)
                if demo:
                    self._promote(head, Role.BUILDING_HEAD)
            owners = self._owners(building.demo_units)
            if owners and (demo or rng.random() < 0.3):
                floor_head = rng.choice(owners)
                self._grant(floor_head, Role.FLOOR_HEAD, place=building)
                if demo:
                    self._promote(floor_head, Role.FLOOR_HEAD)
            for unit in building.demo_units:
                owners = self._owners([unit])
                if owners and (unit is self.first_unit or rng.random() < 0.5):
                    head = rng.choice(owners)
                    self._grant(head, Role.UNIT_HEAD, place=unit)
                    if unit is self.first_unit:
                        self._promote(head, Role.UNIT_HEAD)

        for estate in self.estates:
            demo = estate is self.estates[0]
            for i in range(2):
                manager = self._staff(Role.PROPERTY_MANAGER if demo and i == 0 else None)
                self._grant(manager, Role.PROPERTY_MANAGER, place=estate)
            units = [u for b in self.buildings if b.parent is estate for u in b.demo_units]
            owners = self._owners(units)
            for i, member in enumerate(rng.sample(owners, min(5, len(owners)))):
                self._grant(member, Role.OWNERS_COMMITTEE, place=estate)
                if demo and i == 0:
                    self._promote(member, Role.OWNERS_COMMITTEE)

        for community in self.communities:
            demo = community is self.communities[0]
            community.demo_staff = [
                self._staff(Role.COMMUNITY_STAFF if demo and i == 0 else None) for i in range(4)
            ]
            for person in community.demo_staff:
                self._grant(person, Role.COMMUNITY_STAFF, place=community)
            partner = self._staff(Role.PARTNER if demo else None)
            partner.name = f"{community.demo_spec.partner}·{partner.name}"
            self._grant(partner, Role.PARTNER, place=community)
        for i in range(2):
            admin = self._staff(Role.SUBDISTRICT_ADMIN if i == 0 else None)
            self._grant(admin, Role.SUBDISTRICT_ADMIN, place=self.subdistrict)

    # --- Party organisation ---------------------------------------------------------------

    def build_party(self):
        """One committee per community, one branch per grid, a group in about half of the
        buildings, and in each group's building one liaison household per unit serving its
        ten nearest neighbours."""
        rng = self.rng
        orgs, members, liaisons = [], {}, []

        def join(org, user, position=""):
            members.setdefault(
                (id(org), id(user)), PartyMembership(organisation=org, user=user, position=position)
            )

        for community in self.communities:
            committee = PartyOrganisation(
                kind=PartyOrgKind.COMMITTEE, name=f"{community.name}党委", place=community
            )
            orgs.append(committee)
            for person, position in zip(
                community.demo_staff, ["书记", "副书记", "委员", "委员"], strict=True
            ):
                join(committee, person, position)
            for grid in [g for g in self.grids if g.community is community]:
                branch = PartyOrganisation(
                    kind=PartyOrgKind.BRANCH,
                    name=f"{community.name}{grid.name}党支部",
                    place=community,
                    grid=grid,
                    parent=committee,
                )
                orgs.append(branch)
                join(branch, grid.demo_worker, "书记")
                for building in grid.demo_buildings:
                    if not (building is self.first_unit.parent or rng.random() < 0.5):
                        continue
                    group = PartyOrganisation(
                        kind=PartyOrgKind.GROUP,
                        name=f"{building.parent.name}{building.name}党小组",
                        place=building,
                        grid=grid,
                        parent=branch,
                    )
                    orgs.append(group)
                    leader = "组长"  # the group's first liaison leads it
                    for unit in building.demo_units:
                        homes = [
                            (hh, o) for hh, o in unit.demo_owners if o.mobile not in DEMO_NUMBERS
                        ]
                        if len(homes) < (1 if unit is self.first_unit else 4):
                            continue
                        hh, member = rng.choice(homes)
                        flats = unit.demo_households
                        at = next(i for i, f in enumerate(flats) if f is hh)
                        by_distance = sorted(range(len(flats)), key=lambda i: abs(i - at))
                        near = [flats[i] for i in by_distance if i != at]
                        liaisons.append(
                            (
                                LiaisonHousehold(member=member, household=hh, organisation=group),
                                near[:10],
                            )
                        )
                        join(group, member, leader)
                        leader = ""
                        join(branch, member)
                        # The liaison role comes from the LiaisonHousehold row, not a grant.
                        if unit is self.first_unit:
                            self._promote(member, Role.PARTY_LIAISON)
        self.orgs, self.memberships, self.liaisons = orgs, list(members.values()), liaisons

    # --- Writing --------------------------------------------------------------------------

    def save_people(self):
        # Hashed here, once per demo login (argon2 in production settings).
        for user in self.demo_users:
            user.set_password(DEMO_PASSWORD)
        _bulk(User, self.users)
        self.progress("users", str(len(self.users)))
        _bulk(Residency, self.residencies)
        self.progress("residencies", str(len(self.residencies)))
        _bulk(RoleGrant, self.grants)
        RoleGrant.objects.filter(scope_path="").fill_scope_paths()
        # Parents before children: committees, then branches, then groups.
        for kind in (PartyOrgKind.COMMITTEE, PartyOrgKind.BRANCH, PartyOrgKind.GROUP):
            _bulk(PartyOrganisation, [o for o in self.orgs if o.kind == kind])
        _bulk(PartyMembership, self.memberships)
        _bulk(LiaisonHousehold, [lh for lh, _ in self.liaisons])
        served = LiaisonHousehold.served.through
        _bulk(
            served,
            [
                served(liaisonhousehold_id=lh.pk, household_id=hh.pk)
                for lh, near in self.liaisons
                for hh in near
            ],
        )
        self.counts.update(
            users=len(self.users),
            residencies=len(self.residencies),
            role_grants=len(self.grants),
            party_organisations=len(self.orgs),
            liaison_households=len(self.liaisons),
        )
        self.progress("roles and party", f"{len(self.grants)} grants, {len(self.orgs)} orgs")


# --- The logins table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    mobile: str
    password: str
    scope: str


def _scope_label(place):
    names = [p.name for p in place.ancestors() if p.kind != PlaceKind.DISTRICT]
    return " ".join(names[1:] if len(names) > 1 else names)


def demo_logins() -> list[DemoLogin]:
    """The demo login of every role, read back from the database."""
    users = {u.mobile: u for u in User.objects.filter(mobile__in=DEMO_NUMBERS).order_by("mobile")}
    rows = []
    for role, mobile in DEMO_LOGINS:
        user = users.get(mobile)
        if user is None:
            continue
        if role in (Role.RESIDENT, Role.OWNER):
            residency = (
                user.residencies.filter(status=ResidencyStatus.VERIFIED)
                .select_related("household__unit")
                .first()
            )
            scope = (
                f"{_scope_label(residency.household.unit)} {residency.household.room}"
                if residency
                else ""
            )
        elif role == Role.PARTY_LIAISON:
            liaison = user.liaisons.select_related("household__unit").first()
            scope = (
                _("%(home)s, serving %(n)d households")
                % {
                    "home": f"{_scope_label(liaison.household.unit)} {liaison.household.room}",
                    "n": liaison.served.count(),
                }
                if liaison
                else ""
            )
        else:
            grant = (
                user.role_grants.filter(role=role, revoked_at__isnull=True)
                .select_related("place", "grid__community")
                .first()
            )
            if grant is None:
                scope = ""
            elif grant.grid_id:
                scope = f"{_scope_label(grant.grid.community)} {grant.grid.name}"
            else:
                scope = _scope_label(grant.place)
        rows.append(DemoLogin(role.value, user.name, mobile, DEMO_PASSWORD, scope))
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_logins(rows: list[DemoLogin]) -> str:
    """A plain-text table whose columns line up in a terminal, Chinese characters included."""
    header = ("role", "name", "mobile", "password", "scope")
    table = [header] + [(r.role, r.name, r.mobile, r.password, r.scope) for r in rows]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]

    def line(row):
        return "  ".join(
            cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in table[1:])])


@dataclass
class Cast:
    """Who the apps' demos play with: the demo community, its staff login, its estates in tree
    order, the demo logins by role, and verified residents who are not demo logins, one per
    household in tree order (user, household)."""

    community: Place
    staff: User
    estates: list
    logins: dict
    residents: list


def cast(*, limit: int = 400) -> Cast | None:
    """The demo community's cast, or None when the people demo is not loaded."""
    if not is_loaded():
        return None
    users = {u.mobile: u for u in User.objects.filter(mobile__in=DEMO_NUMBERS)}
    logins = {role: users[m] for role, m in DEMO_LOGINS if m in users}
    staff = logins.get(Role.COMMUNITY_STAFF)
    grant = (
        RoleGrant.objects.filter(user=staff, role=Role.COMMUNITY_STAFF, revoked_at__isnull=True)
        .select_related("place")
        .order_by("pk")
        .first()
        if staff
        else None
    )
    if grant is None:
        return None
    community = grant.place
    estates = list(Place.objects.filter(parent=community, kind=PlaceKind.ESTATE).order_by("path"))
    rows = (
        Residency.objects.filter(
            status=ResidencyStatus.VERIFIED, household__path__startswith=community.path
        )
        .exclude(user__mobile__in=DEMO_NUMBERS)
        .select_related("user", "household")
        .order_by("household__path", "user__mobile")
    )
    seen, residents = set(), []
    for r in rows.iterator():
        if r.household_id not in seen and r.user.is_active:
            seen.add(r.household_id)
            residents.append((r.user, r.household))
            if len(residents) >= limit:
                break
    return Cast(community, staff, estates, logins, residents)
