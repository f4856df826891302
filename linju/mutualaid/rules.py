"""Who may do what on the wish wall (心愿墙, seed 002). A wish sits at its poster's unit and is
shown on the wall of their community: the residents of that community and the staff whose
scope holds it see it; anyone who sees it may claim it (not its
poster) and flag it once; the poster marks it fulfilled; the poster or the claimant releases a
claim; the handlers of the scope moderate flags and help with the unclaimed. A hidden wish is
seen only by its two parties and the moderators."""

from django.conf import settings
from django.utils.translation import gettext as _

from linju.core import access
from linju.core.errors import Conflict, Forbidden, Invalid
from linju.people.roles import Role
from linju.places.models import Place
from linju.places.paths import prefixes_of

from .models import Visibility

# See the wish wall of the scope.
access.register("mutualaid.view", list(access.STAFF_ROLES))
# Moderate flags (hide, restore, dismiss) and follow up the unclaimed wishes.
access.register("mutualaid.moderate", list(access.HANDLERS))

COMMUNITY_DEPTH = 3  # district / subdistrict / community


def flags_to_hide() -> int:
    return max(1, int(settings.MUTUALAID_FLAGS_TO_HIDE))


def unclaimed_days() -> int:
    return max(0, int(settings.MUTUALAID_UNCLAIMED_DAYS))


def homes(user) -> dict[str, str]:
    """The user's verified homes: their unit's path → the path of its community."""
    out = {}
    for home in access.role_scopes(user).get(Role.RESIDENT.value, ()):
        prefixes = prefixes_of(home)
        if len(prefixes) > COMMUNITY_DEPTH + 1:
            out.setdefault(prefixes[-2], prefixes[COMMUNITY_DEPTH - 1])
    return out


def home_place(user, place_id, *, no_home: str):
    """Where a resident's post or item sits: their home's unit (so the heads and grid workers
    of their building see it too; the wall of the whole community shows it to the neighbours),
    in the community `place_id` names when they live in several. `no_home` is the refusal for
    a person with no verified home."""
    mine = homes(user)
    if not mine:
        raise Conflict(no_home, code="no_home")
    if place_id is None:
        path = next(iter(mine))
    else:
        community = Place.objects.filter(pk=place_id).first()
        path = next((u for u, c in mine.items() if community and c == community.path), None)
        if path is None:
            raise Invalid({"place": _("Choose the community you live in.")})
    return Place.objects.get(path=path)


def community_paths(user) -> list[str]:
    """The communities the user lives in (verified homes), as paths."""
    return list(dict.fromkeys(homes(user).values()))


def is_party(user, post) -> bool:
    return getattr(user, "pk", None) is not None and user.pk in (post.poster_id, post.claimant_id)


def can_moderate(user, post) -> bool:
    return access.can(user, "mutualaid.moderate", post)


def can_see(user, post) -> bool:
    if is_party(user, post) or can_moderate(user, post):
        return True
    if post.visibility != Visibility.SHOWN:
        return False
    lives_in = any(post.path.startswith(c) for c in community_paths(user))
    return lives_in or access.can(user, "mutualaid.view", post)


def may_use_desk(user) -> bool:
    return access.has_anywhere(user, "mutualaid.moderate")


def require(allowed: bool, message=None) -> None:
    if not allowed:
        raise Forbidden(message or _("You may not do this here."), code="forbidden")


# --- Sharing (闲置共享, 共享图书角) ------------------------------------------------------------


def is_owner(user, item) -> bool:
    return getattr(user, "pk", None) is not None and item.owner_id == user.pk


def can_see_item(user, item, *, borrower_id=None) -> bool:
    """Like a wish: the community's residents and the scope's staff; a hidden item only its
    owner, its borrower and the moderators."""
    if is_owner(user, item) or access.can(user, "mutualaid.moderate", item):
        return True
    if borrower_id is not None and borrower_id == getattr(user, "pk", None):
        return True
    if item.visibility != Visibility.SHOWN:
        return False
    lives_in = any(item.path.startswith(c) for c in community_paths(user))
    return lives_in or access.can(user, "mutualaid.view", item)
