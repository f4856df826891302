"""Who may do what in deliberation (seeds 000–002: residents propose and support, staff run the
agenda, meetings and ballots, the owners' committee co-runs estate ballots, the community
supervises what was decided). Permissions are registered with core.access; the predicates below
combine them with an object's state, in one place."""

from django.utils.translation import gettext as _

from linju.core import access
from linju.core.errors import Forbidden
from linju.people.roles import Role
from linju.places.paths import prefixes_of

RESIDENTS = [Role.RESIDENT, Role.OWNER, Role.PARTY_LIAISON]
VIEWERS = [r for r in access.STAFF_ROLES]
ORGANISERS = [Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN]
MEETING_HOSTS = [
    Role.UNIT_HEAD,
    Role.BUILDING_HEAD,
    Role.GRID_WORKER,
    Role.OWNERS_COMMITTEE,
    *ORGANISERS,
]
BALLOT_RUNNERS = [Role.OWNERS_COMMITTEE, *ORGANISERS]

# Staff see everything deliberated inside their scope; residents see what covers their home
# (see `covers_home`), so neither permission is granted to residents.
access.register("deliberation.view", VIEWERS)
# Put topics on the agenda, decline them, start procedures, record decisions, tasks, results.
access.register("deliberation.organise", ORGANISERS)
access.register("deliberation.host_meeting", MEETING_HOSTS)
access.register("deliberation.run_ballot", BALLOT_RUNNERS)
# 督导: overdue tasks are flagged to these roles of the topic's scope.
access.register("deliberation.supervise", ORGANISERS)
access.register("deliberation.propose", [*RESIDENTS, *VIEWERS])


def home_paths(user) -> tuple[str, ...]:
    """The household paths of the user's verified residencies."""
    scopes = access.role_scopes(user)
    return tuple(dict.fromkeys(p for r in RESIDENTS for p in scopes.get(r.value, ())))


def covers_home(user, obj) -> bool:
    """The object's scope contains one of the user's households: their unit's, building's,
    estate's or community's topics, meetings, ballots and notices."""
    path = access.scope_path_of(obj)
    return any(h.startswith(path) for h in home_paths(user))


def home_prefixes(user) -> list[str]:
    """Every scope path that contains one of the user's homes (for `path__in` filters)."""
    return sorted({p for h in home_paths(user) for p in prefixes_of(h.split("h")[0])})


def can_view(user, obj) -> bool:
    return covers_home(user, obj) or access.can(user, "deliberation.view", obj)


def can_propose_in(user, place) -> bool:
    return covers_home(user, place) or access.can(user, "deliberation.propose", place)


def can_organise(user, obj) -> bool:
    return access.can(user, "deliberation.organise", obj)


def can_host(user, obj) -> bool:
    return access.can(user, "deliberation.host_meeting", obj)


def can_run_ballot(user, obj) -> bool:
    return access.can(user, "deliberation.run_ballot", obj)


def can_complete(user, topic, stage) -> bool:
    """A stage's completer roles, held at a scope containing the topic."""
    s = access.scope(user, "deliberation.organise")
    if s.everywhere:
        return True
    scopes = access.role_scopes(user)
    return any(
        topic.path.startswith(p) for role in stage.completer_roles for p in scopes.get(role, ())
    )


def may_use_desk(user) -> bool:
    return getattr(user, "is_superuser", False) or access.has_anywhere(user, "deliberation.view")


def require(allowed: bool, message=None) -> None:
    if not allowed:
        raise Forbidden(message or _("You may not do this here."), code="forbidden")
