"""The declared policy the access matrix expects, written apart from the views: where each
person of the `city` fixture (conftest.py) holds which role, the place tree as keys, and small
rules that combine the permission → roles table (`core.access.PERMISSIONS`, filled by each
app's `access.register`, documented in docs/access.md) with where a person lives.

A rule answers "may person `who` reach this case" from keys alone: `case.place` is the place
key the object sits at (U1, E1, C1… inside community C1; U3, E2, C2… inside C2) and
`case.people` names the persons the object belongs to (its reporter, its owner)."""

from dataclasses import dataclass, field

from linju.core import access

# The tree of the city fixture, child → parent. H… are households (a household is a scope).
PARENT = {
    "S": "D",
    "C1": "S",
    "C2": "S",
    "E1": "C1",
    "E2": "C2",
    "B1": "E1",
    "B2": "E1",
    "B3": "E2",
    "U1": "B1",
    "U2": "B2",
    "U3": "B3",
    "H101": "U1",
    "H102": "U1",
    "H201": "U2",
    "H301": "U3",
}
# The place in community C2 that plays the part of a place in C1.
TWIN = {
    "S": "S",
    "C1": "C2",
    "E1": "E2",
    "B1": "B3",
    "B2": "B3",
    "U1": "U3",
    "U2": "U3",
    "H101": "H301",
    "H102": "H301",
    "H201": "H301",
}

# Granted roles: person → (role, place key). Grid worker G1 is building B1 (its grid's scope).
GRANTS = {
    "unit_head": ("unit_head", "U1"),
    "building_head": ("building_head", "B1"),
    "floor_head": ("floor_head", "B1"),
    "grid_worker": ("grid_worker", "B1"),
    "community_staff": ("community_staff", "C1"),
    "property_manager": ("property_manager", "E1"),
    "owners_committee": ("owners_committee", "E1"),
    "partner": ("partner", "C1"),
    "subdistrict_admin": ("subdistrict_admin", "S"),
    "community_staff_2": ("community_staff", "C2"),
}
# Verified residencies: person → [(household, owner?)].
HOMES = {
    "owner": [("H101", True)],
    "tenant": [("H102", False)],
    "party_liaison": [("H201", False)],
    "owner_2": [("H301", True)],
}
# 党员中心户: the liaison's own household and those it serves.
LIAISON = {"party_liaison": ["H201", "H102"]}

# The persons every route is tried as: each staff role of C1, the residents, a user with no
# role and no home, an anonymous visitor, and two persons of C2 to try the same route from the
# other community's side.
ROLES = [
    "anonymous",
    "newcomer",
    "owner",
    "tenant",
    "party_liaison",
    "unit_head",
    "building_head",
    "floor_head",
    "grid_worker",
    "community_staff",
    "property_manager",
    "owners_committee",
    "partner",
    "subdistrict_admin",
    "community_staff_2",
    "owner_2",
]


def ancestors(place: str) -> list[str]:
    """The place and every place above it."""
    chain = [place]
    while chain[-1] in PARENT:
        chain.append(PARENT[chain[-1]])
    return chain


def covers(scope: str, place: str) -> bool:
    return scope in ancestors(place)


def scopes_of(who: str) -> dict[str, list[str]]:
    """Role → the place keys it is held at, as docs/access.md says roles come about."""
    scopes: dict[str, list[str]] = {}
    if who in GRANTS:
        role, place = GRANTS[who]
        scopes.setdefault(role, []).append(place)
    for home, owner in HOMES.get(who, []):
        scopes.setdefault("resident", []).append(home)
        if owner:
            scopes.setdefault("owner", []).append(home)
    if who in LIAISON:
        scopes["party_liaison"] = list(LIAISON[who])
    return scopes


def homes_of(who: str, *, served: bool = False) -> list[str]:
    """Where the person lives; with `served`, also the households a party liaison answers for
    (deliberation counts them as home: its RESIDENTS include the liaison)."""
    homes = [h for h, _ in HOMES.get(who, [])]
    if served:
        homes += LIAISON.get(who, [])
    return homes


@dataclass(frozen=True)
class Case:
    """An object of the world as a rule sees it: the place key it sits at and who it belongs
    to (e.g. {"reporter": "owner"})."""

    side: str  # "C1" or "C2"
    place: str | None
    people: dict = field(default_factory=dict)


class Rule:
    """Who may reach a case. Rules combine with | (either) and & (both)."""

    why = ""

    def __call__(self, who: str, case: Case) -> bool:
        raise NotImplementedError

    def __or__(self, other):
        return AnyOf(self, other)

    def __and__(self, other):
        return AllOf(self, other)

    def __invert__(self):
        return Not(self)

    def __repr__(self):
        return self.why or type(self).__name__


class AnyOf(Rule):
    def __init__(self, *rules):
        self.rules = rules
        self.why = " or ".join(map(repr, rules))

    def __call__(self, who, case):
        return any(r(who, case) for r in self.rules)


class AllOf(Rule):
    def __init__(self, *rules):
        self.rules = rules
        self.why = " and ".join(map(repr, rules))

    def __call__(self, who, case):
        return all(r(who, case) for r in self.rules)


class Not(Rule):
    def __init__(self, rule):
        self.rule = rule
        self.why = f"not ({rule!r})"

    def __call__(self, who, case):
        return not self.rule(who, case)


class Perm(Rule):
    """A role holding `perm` (the registered table) at a scope containing the object."""

    def __init__(self, perm):
        self.perm = perm
        self.why = perm

    def __call__(self, who, case):
        roles = access.PERMISSIONS[self.perm]
        return any(
            role in roles and covers(scope, case.place)
            for role, places in scopes_of(who).items()
            for scope in places
        )


class Anywhere(Rule):
    """A role holding `perm` at any scope (a desk, a list filtered to the scope)."""

    def __init__(self, perm):
        self.perm = perm
        self.why = f"{perm} anywhere"

    def __call__(self, who, case):
        roles = access.PERMISSIONS[self.perm]
        return any(role in roles for role in scopes_of(who))


class HasRole(Rule):
    """Holds one of `roles` anywhere (not a permission: e.g. a role reports are dispatched to)."""

    def __init__(self, *roles):
        self.roles = set(roles)
        self.why = "holds " + "/".join(sorted(self.roles))

    def __call__(self, who, case):
        return bool(self.roles & set(scopes_of(who)))


class Home(Rule):
    """The object's scope contains the person's home (a resident's rule: `covers_home`,
    `lives_in`, `can_shop`)."""

    def __init__(self, *, served=False):
        self.served = served
        self.why = "home inside (liaison's served too)" if served else "home inside"

    def __call__(self, who, case):
        return any(covers(case.place, h) for h in homes_of(who, served=self.served))


class HomeIn(Rule):
    """The person lives in the estate ("E") or community ("C") the object's place belongs to
    (residents report in their estate; neighbours' talents are shown in their community)."""

    def __init__(self, level):
        self.level = level
        self.why = f"home in its {'estate' if level == 'E' else 'community'}"

    def __call__(self, who, case):
        area = next((p for p in ancestors(case.place) if p.startswith(self.level)), None)
        return area is not None and any(covers(area, h) for h in homes_of(who))


class Is(Rule):
    """The person (or one of the persons) the object names in that part: its "reporter", its
    "panel"."""

    def __init__(self, *names):
        self.names = names
        self.why = "is its " + "/".join(names)

    def __call__(self, who, case):
        for name in self.names:
            held = case.people.get(name)
            if who == held or (isinstance(held, tuple) and who in held):
                return True
        return False


class At(Rule):
    """A rule read at the estate ("E") or community ("C") above the object: a unit's results
    are seen through the rounds of its estate's contest."""

    def __init__(self, level, rule):
        self.level, self.rule = level, rule
        self.why = f"({rule!r}) at its {'estate' if level == 'E' else 'community'}"

    def __call__(self, who, case):
        area = next((p for p in ancestors(case.place) if p.startswith(self.level)), None)
        if area is None:
            return False
        return self.rule(who, Case(side=case.side, place=area, people=case.people))


class LoggedIn(Rule):
    why = "anyone logged in"

    def __call__(self, who, case):
        return who != "anonymous"


class Everyone(Rule):
    why = "public"

    def __call__(self, who, case):
        return True


class Nobody(Rule):
    why = "no one of the roles tried"

    def __call__(self, who, case):
        return False


class Named(Rule):
    """Exactly these persons, wherever the object is (e.g. the leaders of the world's teams)."""

    def __init__(self, *names):
        self.names = names
        self.why = "/".join(names)

    def __call__(self, who, case):
        return who in self.names


def communities_of(who: str) -> set[str]:
    """The communities the person's scopes lie in or cover (the subdistrict: both)."""
    places = [p for ps in scopes_of(who).values() for p in ps]
    return {c for c in ("C1", "C2") for p in places if covers(p, c) or covers(c, p)}


def home_side(who: str) -> str | None:
    """The community a person's scopes lie in; None for the subdistrict, which holds both."""
    if who == "subdistrict_admin":
        return None
    return "C2" if who.endswith("_2") else "C1"


# Persons whose every scope lies inside community C1: nothing they are shown may hold anything
# of C2.
INSIDE_C1 = [p for p in ROLES if p != "anonymous" and home_side(p) == "C1"]
