"""core.access: the single answer to "may user U do P to object O" (DESIGN.md §4 Access).

A permission is held by a set of roles. A user holds a role at scopes: the places (or grids)
of their role grants, and, for resident and owner, their verified households. An object has a
scope path (its place in the tree); the user may act on it when one of their scopes for a role
holding the permission is a prefix of that path. Lists are filtered by the same prefixes.
"""

import secrets
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from linju.people.roles import GRANTABLE_ROLES, Role

from .errors import Forbidden

PERMISSIONS: dict[str, frozenset[str]] = {}


def register(perm: str, roles) -> None:
    """Declare which roles hold `perm`. Apps register theirs in AppConfig.ready()."""
    PERMISSIONS[perm] = frozenset(Role(r).value for r in roles)


STAFF_ROLES = [r for r in GRANTABLE_ROLES if r != Role.PARTNER]
HANDLERS = [
    Role.UNIT_HEAD,
    Role.BUILDING_HEAD,
    Role.FLOOR_HEAD,
    Role.GRID_WORKER,
    Role.COMMUNITY_STAFF,
    Role.SUBDISTRICT_ADMIN,
]
COMMUNITY_ADMINS = [Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN]

register("places.view", STAFF_ROLES)
register("people.view_household", [*STAFF_ROLES, Role.RESIDENT, Role.OWNER, Role.PARTY_LIAISON])
register("people.view_personal_data", [*HANDLERS, Role.PARTY_LIAISON])
register(
    "people.verify_residency",
    [Role.UNIT_HEAD, Role.BUILDING_HEAD, Role.GRID_WORKER, Role.COMMUNITY_STAFF],
)
register(
    "people.print_invites",
    [Role.UNIT_HEAD, Role.BUILDING_HEAD, Role.GRID_WORKER, Role.COMMUNITY_STAFF],
)
register("people.grant_role", COMMUNITY_ADMINS)
register("people.import_roster", COMMUNITY_ADMINS)
register("people.manage_party", COMMUNITY_ADMINS)
register("core.view_audit", COMMUNITY_ADMINS)


@dataclass(frozen=True)
class Scope:
    everywhere: bool = False
    prefixes: tuple[str, ...] = ()

    def __bool__(self):
        return self.everywhere or bool(self.prefixes)

    def covers(self, path: str) -> bool:
        return self.everywhere or any(path.startswith(p) for p in self.prefixes)

    def q(self, field: str = "path") -> Q:
        if self.everywhere:
            # Always true, and unlike an empty Q() it survives being OR-ed with another Q.
            return ~Q(pk__in=[])
        if not self.prefixes:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in _outermost(self.prefixes)))


def _outermost(prefixes):
    """Drop prefixes covered by a shorter one, so filters stay small."""
    kept = []
    for p in sorted(set(prefixes), key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return kept


# Every authenticated request needs the user's scopes (the staff idle check, the menus, every
# scoped query), and computing them takes three queries; so they are shared between requests
# and workers in the cache. A change bumps the user's version key after it commits, so no
# worker can keep or re-store scopes older than the change (see `forget`).
SCOPES_TTL = 600
VERSION_TTL = 60 * 60 * 24


def _version_key(user_id) -> str:
    return f"linju:scopes-version:{user_id}"


def role_scopes(user) -> dict[str, tuple[str, ...]]:
    """Role → scope path prefixes: per user object (i.e. per request), then the shared cache."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_linju_role_scopes", None)
    if cached is not None:
        return cached
    # Inside a transaction the reads may see uncommitted rows that a rollback would undo.
    shared = not transaction.get_connection().in_atomic_block
    key = None
    if shared:
        version = cache.get(_version_key(user.pk))
        if version is None:
            cache.add(_version_key(user.pk), secrets.token_hex(4), VERSION_TTL)
            version = cache.get(_version_key(user.pk))
        key = f"linju:scopes:{user.pk}:{version}"
        result = cache.get(key)
        if result is not None:
            user._linju_role_scopes = result
            return result
    result = _compute_role_scopes(user)
    if key:
        cache.set(key, result, SCOPES_TTL)
    user._linju_role_scopes = result
    return result


def _compute_role_scopes(user) -> dict[str, tuple[str, ...]]:
    from linju.people.models import (
        OWNER_RELATIONS,
        LiaisonHousehold,
        Residency,
        ResidencyStatus,
        RoleGrant,
    )

    scopes: dict[str, list[str]] = {}
    grants = RoleGrant.objects.filter(user=user, revoked_at__isnull=True).select_related("place")
    for grant in grants.prefetch_related("grid__buildings"):
        if grant.place_id:
            scopes.setdefault(grant.role, []).append(grant.place.path)
        else:
            scopes.setdefault(grant.role, []).extend(b.path for b in grant.grid.buildings.all())
    live = Residency.objects.filter(user=user, status=ResidencyStatus.VERIFIED)
    for relation, path in live.values_list("relation", "household__path"):
        scopes.setdefault(Role.RESIDENT.value, []).append(path)
        if relation in OWNER_RELATIONS:
            scopes.setdefault(Role.OWNER.value, []).append(path)
    # A party liaison household (党员中心户) answers for the households it serves, and its own.
    liaisons = LiaisonHousehold.objects.filter(member=user)
    for own, served in liaisons.values_list("household__path", "served__path"):
        scopes.setdefault(Role.PARTY_LIAISON.value, []).extend(p for p in (own, served) if p)
    return {role: tuple(paths) for role, paths in scopes.items()}


def forget(user) -> None:
    """The user's roles or residencies changed (a user object or an id): drop the scopes this
    request holds now, and every worker's once the change commits."""
    user_id = getattr(user, "pk", user)
    if hasattr(user, "__dict__"):
        user.__dict__.pop("_linju_role_scopes", None)
    transaction.on_commit(
        lambda: cache.set(_version_key(user_id), secrets.token_hex(4), VERSION_TTL)
    )


def roles_of(user) -> set[str]:
    return set(role_scopes(user))


def staff_roles_of(user) -> set[str]:
    return roles_of(user) - {Role.RESIDENT.value, Role.OWNER.value}


def scope(user, perm: str) -> Scope:
    if perm not in PERMISSIONS:
        raise KeyError(f"unknown permission {perm!r}")
    if getattr(user, "is_superuser", False) and user.is_active:
        return Scope(everywhere=True)
    roles = PERMISSIONS[perm]
    prefixes = [p for role, paths in role_scopes(user).items() if role in roles for p in paths]
    return Scope(prefixes=tuple(prefixes))


def scope_path_of(obj) -> str:
    path = getattr(obj, "scope_path", None)
    if path is None:
        path = getattr(obj, "path", None)
    if path is None:
        raise TypeError(f"{type(obj).__name__} has no scope path")
    return path


def can(user, perm: str, obj) -> bool:
    return scope(user, perm).covers(scope_path_of(obj))


def require(user, perm: str, obj) -> None:
    if not can(user, perm, obj):
        raise Forbidden("You may not do this here.", code="forbidden")


def has_anywhere(user, perm: str) -> bool:
    return bool(scope(user, perm))


def filter_queryset(user, perm: str, queryset, field: str = "path"):
    """The rows of `queryset` whose `field` lies inside the user's scope for `perm`."""
    return queryset.filter(scope(user, perm).q(field))


def can_see_personal_data(viewer, person, paths=None) -> bool:
    """Names and mobiles are shown in full to the person and to handlers whose scope holds one
    of the person's households; everyone else sees them masked."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.pk == person.pk:
        return True
    s = scope(viewer, "people.view_personal_data")
    if s.everywhere:
        return True
    if paths is None:
        paths = person.residencies.exclude(status="rejected").values_list(
            "household__path", flat=True
        )
    return any(s.covers(p) for p in paths)
