"""Who may do what on the notice board and with the newsletter (seeds 002, 003).

- A published notice is seen by the residents whose home lies in its scope and by staff whose
  scope holds it or lies inside it (a community-wide notice reaches the building heads too).
- Handlers of a scope (the "three heads", grid workers, community staff, the subdistrict)
  publish notices there (`notices.publish`): the heads relay notices to their buildings
  (DESIGN §1). Results of other modules are published by those modules' services.
- The publishers of a scope see its drafts, read coverage and objections, and answer them.
- A resident raises an objection against a public notice during its disclosure period.
- A newsletter is run by community staff (`notices.newsletter`); its issue is edited by the
  issue's editor (a party member of the newsletter's organisation, in turn) or by them."""

from django.utils.translation import gettext as _

from linju.core import access
from linju.core.errors import Forbidden
from linju.people.roles import Role
from linju.places.paths import prefixes_of

from .models import NoticeStatus

access.register("notices.view", list(access.STAFF_ROLES))
access.register("notices.publish", list(access.HANDLERS))
access.register("notices.newsletter", list(access.COMMUNITY_ADMINS))


def home_paths(user) -> tuple[str, ...]:
    """The households the user verifiably lives in (their resident scope paths)."""
    return access.role_scopes(user).get(Role.RESIDENT.value, ())


def reader_prefixes(user) -> list[str]:
    """Every scope path whose notices reach the user: the scopes containing their homes, and
    the scopes containing (or equal to) their staff scopes."""
    paths = set()
    for home in home_paths(user):
        paths.update(prefixes_of(home))
    staff = access.scope(user, "notices.view")
    for p in staff.prefixes:
        paths.update(prefixes_of(p))
    return sorted(paths)


def can_read(user, notice) -> bool:
    """A published notice: its audience; a draft or a withdrawn one: its publishers only."""
    if can_publish(user, notice):
        return True
    if notice.status != NoticeStatus.PUBLISHED:
        return False
    if notice.path in reader_prefixes(user):
        return True
    return access.can(user, "notices.view", notice)


def can_publish(user, obj) -> bool:
    return access.can(user, "notices.publish", obj)


def lives_under(user, notice) -> bool:
    """The notice's scope holds one of the user's homes (they are its audience as a resident)."""
    return any(h.startswith(notice.path) for h in home_paths(user))


def can_run_newsletter(user, obj) -> bool:
    return access.can(user, "notices.newsletter", obj)


def can_edit_issue(user, issue) -> bool:
    editor = issue.editor_id is not None and issue.editor_id == getattr(user, "pk", None)
    return editor or can_run_newsletter(user, issue.newsletter)


def can_read_newsletter(user, newsletter) -> bool:
    """Those who run it, and its audience: residents and staff of a place it covers."""
    if can_run_newsletter(user, newsletter):
        return True
    path = newsletter.path
    return path in reader_prefixes(user) or access.can(user, "notices.view", newsletter)


def can_read_issue(user, issue) -> bool:
    """A published issue reaches the newsletter's audience like a notice of its scope."""
    if can_edit_issue(user, issue):
        return True
    if issue.status != "published":
        return False
    path = issue.newsletter.path
    return path in reader_prefixes(user) or access.can(user, "notices.view", issue.newsletter)


def require(allowed: bool, message=None) -> None:
    if not allowed:
        raise Forbidden(message or _("You may not do this here."), code="forbidden")
