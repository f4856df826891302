"""Who may do what with points (seeds 000, 002, 004): residents see their own account and
redeem in the love supermarket of the community they live in; community staff set the earning
rules, record volunteer service, adjust with a reason, run the shop and hand items out at its
desk; staff of a scope read its ledgers."""

from django.utils.translation import gettext as _

from linju.core import access
from linju.core.errors import Forbidden
from linju.people.roles import Role

MANAGERS = [Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN]

# Read the ledgers, redemptions and leaderboards of the scope.
access.register("points.view", list(access.STAFF_ROLES))
# Earning rules, expiry, volunteer service records, adjustments, the shop's items and stock.
access.register("points.manage", MANAGERS)


def can_manage(user, obj) -> bool:
    return access.can(user, "points.manage", obj)


def can_view(user, obj) -> bool:
    return access.can(user, "points.view", obj)


def can_hand_out(user, obj) -> bool:
    """The shop's desk: hand an item out, cancel a redemption there."""
    return access.can(user, "points.manage", obj)


def homes(user) -> tuple[str, ...]:
    """The household paths of the user's verified residencies (not the households a party
    liaison serves: those are not their home)."""
    return access.role_scopes(user).get(Role.RESIDENT.value, ())


def can_shop(user, item) -> bool:
    """A resident redeems in the love supermarket of the community they live in."""
    path = access.scope_path_of(item)
    return any(h.startswith(path) for h in homes(user))


def may_use_desk(user) -> bool:
    return getattr(user, "is_superuser", False) or access.has_anywhere(user, "points.view")


def require(allowed: bool, message=None) -> None:
    if not allowed:
        raise Forbidden(message or _("You may not do this here."), code="forbidden")
