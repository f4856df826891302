"""Who may do what with surveys (民意调查, 诉求调查表; seeds 002, 003; DESIGN §1).

- Staff of a scope read its surveys and their results (`surveys.view`).
- Community staff and the subdistrict build, open and close them, export the answers and turn
  the top demands into needs of the co-creation list (`surveys.manage`).
- The first-line handlers who go door to door enter paper questionnaires (`surveys.enter_paper`).
- Residents answer the open surveys whose scope holds their verified home (`lives_in`).
"""

from django.utils.translation import gettext as _

from linju.core import access
from linju.core.errors import Forbidden
from linju.people.roles import Role

access.register("surveys.view", access.STAFF_ROLES)
access.register("surveys.manage", [Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN])
access.register("surveys.enter_paper", access.HANDLERS)


def can_view(user, obj) -> bool:
    return access.can(user, "surveys.view", obj)


def can_manage(user, obj) -> bool:
    return access.can(user, "surveys.manage", obj)


def can_enter_paper(user, obj) -> bool:
    return access.can(user, "surveys.enter_paper", obj) or can_manage(user, obj)


def homes(user) -> tuple[str, ...]:
    """The household paths of the user's verified residencies."""
    return access.role_scopes(user).get(Role.RESIDENT.value, ())


def homes_inside(user, obj) -> list[str]:
    path = access.scope_path_of(obj)
    return sorted(h for h in homes(user) if h.startswith(path))


def lives_in(user, obj) -> bool:
    return bool(homes_inside(user, obj))


def require(allowed: bool, message=None) -> None:
    if not allowed:
        raise Forbidden(message or _("You may not do this here."), code="forbidden")
