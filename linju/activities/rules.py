"""Who may do what with teams, activities, interest groups and the talent pool (seeds 000, 002,
004). Residents take part where they live: the activities, teams and groups of their building,
estate or community. The building group's heads, grid workers and community staff organise
activities in their scope; community staff run the teams and groups and appoint their
leaders; a team's leader confirms its members' service; an activity's organiser (or its team's
or group's leader) confirms who came. Staff of a scope read its figures; the handlers of a
scope search its talent pool."""

from django.db.models import Q
from django.utils.translation import gettext as _

from linju.core import access
from linju.core.errors import Forbidden
from linju.people.roles import Role

from .models import GroupMember, MemberRole, Team, TeamMember, Visibility

# Calendars, sign-up lists, figures of the scope.
access.register("activities.view", list(access.STAFF_ROLES))
# Create and run activities, check people in, confirm attendance, search the talent pool.
access.register("activities.organise", list(access.HANDLERS))
# Teams and interest groups: create, appoint leaders; confirm any team's service.
access.register("activities.manage", list(access.COMMUNITY_ADMINS))


def can_view(user, obj) -> bool:
    return access.can(user, "activities.view", obj)


def can_manage(user, obj) -> bool:
    return access.can(user, "activities.manage", obj)


def can_organise_at(user, obj) -> bool:
    return access.can(user, "activities.organise", obj)


def homes(user) -> tuple[str, ...]:
    """The household paths of the user's verified residencies."""
    return access.role_scopes(user).get(Role.RESIDENT.value, ())


def lives_in(user, obj) -> bool:
    """The user lives inside the object's scope (an activity of their building, estate or
    community; a team or group of their community)."""
    path = access.scope_path_of(obj)
    return any(h.startswith(path) for h in homes(user))


def may_take_part(user, obj) -> bool:
    return lives_in(user, obj) or can_view(user, obj)


def leads_team(user, team) -> bool:
    return TeamMember.objects.filter(team=team, user=user, role=MemberRole.LEADER).exists()


def leads_group(user, group) -> bool:
    return GroupMember.objects.filter(group=group, user=user, role=MemberRole.LEADER).exists()


def leads_a_team(user) -> bool:
    return TeamMember.objects.filter(user=user, role=MemberRole.LEADER).exists()


def can_confirm_service(user, team) -> bool:
    return leads_team(user, team) or can_manage(user, team)


def can_run(user, activity) -> bool:
    """Organise an activity: check people in, confirm attendance, change or cancel it."""
    # Not "its organiser" as such: whoever created it runs it while they hold the right to (an
    # organising role there, or the lead of its team or group), not after losing it.
    return (
        can_organise_at(user, activity)
        or (activity.team_id is not None and leads_team(user, activity.team))
        or (activity.group_id is not None and leads_group(user, activity.group))
    )


def may_organise_somewhere(user) -> bool:
    """Open the form for a new activity: an organising role anywhere, or the lead of a team or
    an interest group (for the team's or group's activities)."""
    return (
        access.has_anywhere(user, "activities.organise")
        or leads_a_team(user)
        or GroupMember.objects.filter(user=user, role=MemberRole.LEADER).exists()
    )


def may_see_members(user, owner) -> bool:
    """The member list of a team or group: its leaders and the staff of its scope."""
    leads = leads_team if isinstance(owner, Team) else leads_group
    return leads(user, owner) or can_view(user, owner)


def may_add_photos(user, activity, *, took_part: bool) -> bool:
    """人人有展示: those who run the activity and those who checked in."""
    return took_part or can_run(user, activity)


def talent_scope_q(user):
    """The talents a user may find and invite (楼组达人库): those shown to neighbours, in their
    organising scope; those kept for the community staff, in their managing scope only."""
    organise = access.scope(user, "activities.organise").q("path")
    manage = access.scope(user, "activities.manage").q("path")
    return (organise & Q(visibility=Visibility.NEIGHBOURS)) | manage


def may_use_desk(user) -> bool:
    return getattr(user, "is_superuser", False) or access.has_anywhere(user, "activities.view")


def require(allowed: bool, message=None) -> None:
    if not allowed:
        raise Forbidden(message or _("You may not do this here."), code="forbidden")
