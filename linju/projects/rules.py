"""Who may do what in co-creation (seeds 000, 002, 004; DESIGN §1).

- Staff of a scope read its lists, partners, projects and campaigns (`projects.view`); the
  owners' committee, which supervises funds (业委会监督), is among them.
- Community staff and the subdistrict run co-creation (`projects.manage`): partners and their
  agreements, projects and their stages, campaigns and their fund rules.
- The first-line handlers who meet residents record needs (`projects.record_need`).
- A partner's people publish its resources and mark its tasks done, for their own partner only.
- The fund's own rules name the treasurer, who records payments and asks for expenses, and the
  approvers; a payment above the threshold is confirmed by a second person (an approver or a
  manager, never its recorder), an expense above the other threshold by two approvers.
- Everyone, signed in or not, reads the public project pages and public accounts (凡结果必公开);
  residents support needs, pledge and evaluate in the scope they live in.
"""

from django.utils.translation import gettext as _

from linju.core import access
from linju.core.errors import Forbidden
from linju.people.roles import Role

MANAGERS = [Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN]

access.register("projects.view", [*access.STAFF_ROLES, Role.PARTNER])
access.register("projects.manage", MANAGERS)
access.register("projects.record_need", access.HANDLERS)


def can_view(user, obj) -> bool:
    return access.can(user, "projects.view", obj)


def can_manage(user, obj) -> bool:
    return access.can(user, "projects.manage", obj)


def can_record_need(user, obj) -> bool:
    return access.can(user, "projects.record_need", obj) or can_manage(user, obj)


def may_use_desk(user) -> bool:
    return getattr(user, "is_superuser", False) or access.has_anywhere(user, "projects.view")


def homes(user) -> tuple[str, ...]:
    """The household paths of the user's verified residencies."""
    return access.role_scopes(user).get(Role.RESIDENT.value, ())


def lives_in(user, obj) -> bool:
    """A resident whose home lies inside the object's scope."""
    path = access.scope_path_of(obj)
    return any(h.startswith(path) for h in homes(user))


def acts_for(user, partner) -> bool:
    """One of the partner's own people, holding the partner role where the partner is."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        access.can(user, "projects.view", partner)
        and Role.PARTNER.value in access.roles_of(user)
        and partner.members.filter(pk=user.pk).exists()
    )


def is_treasurer(user, campaign) -> bool:
    return getattr(user, "pk", None) == campaign.treasurer_id


def is_approver(user, campaign) -> bool:
    return (
        getattr(user, "is_authenticated", False) and campaign.approvers.filter(pk=user.pk).exists()
    )


def can_confirm_payment(user, payment) -> bool:
    """The second person: an approver of the fund or a manager of its scope, not the
    recorder."""
    if getattr(user, "pk", None) == payment.recorded_by_id:
        return False
    campaign = payment.campaign
    return is_approver(user, campaign) or can_manage(user, campaign)


def require(allowed: bool, message=None) -> None:
    if not allowed:
        raise Forbidden(message or _("You may not do this here."), code="forbidden")
