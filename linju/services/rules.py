"""Who may do what with assisted services (帮办代办) and the mobile desk (流动办公桌), seed 002.

Staff of a scope read its requests, slots and mobile desk schedule (services.view). A request
is handled by the staff holding the item's handling role at a scope containing the household,
and by community staff and the subdistrict (services.manage), who also keep the catalogue,
publish slots and schedule the desk. Residents request the items of the community they live in
for their own household, follow and cancel their own requests, and see the mobile desk of the
estate they live in."""

from django.utils.translation import gettext as _

from linju.core import access
from linju.core.errors import Forbidden
from linju.people.roles import Role

access.register("services.view", list(access.STAFF_ROLES))
access.register("services.handle", list(access.HANDLERS))
access.register("services.manage", list(access.COMMUNITY_ADMINS))


def homes(user) -> tuple[str, ...]:
    return access.role_scopes(user).get(Role.RESIDENT.value, ())


def lives_in(user, obj) -> bool:
    path = access.scope_path_of(obj)
    return any(h.startswith(path) for h in homes(user))


def can_view(user, obj) -> bool:
    return access.can(user, "services.view", obj)


def can_manage(user, obj) -> bool:
    return access.can(user, "services.manage", obj)


def can_handle(user, request) -> bool:
    """The item's handling role at a scope containing the household, or community staff."""
    if can_manage(user, request):
        return True
    if not access.can(user, "services.handle", request):
        return False
    paths = access.role_scopes(user).get(request.item.handling_role, ())
    return any(request.path.startswith(p) for p in paths)


def may_see_request(user, request) -> bool:
    return request.requester_id == user.pk or can_view(user, request)


def may_request(user, item) -> bool:
    return item.active and lives_in(user, item)


def may_use_desk(user) -> bool:
    return access.has_anywhere(user, "services.view")


def may_manage_somewhere(user) -> bool:
    return access.has_anywhere(user, "services.manage")


def require(allowed: bool, message=None) -> None:
    if not allowed:
        raise Forbidden(message or _("You may not do this here."), code="forbidden")
