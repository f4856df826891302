"""Who may do what to a report (seeds 002/003: solved in the grid where possible, coordinated
by the three parties where needed, escalated otherwise). Permissions are registered with
core.access; the predicates below combine them with the report's state, in one place."""

from django.utils.translation import gettext as _

from linju.core import access
from linju.core.errors import Forbidden
from linju.core.masking import mask_name
from linju.people.roles import Role

from .models import Level

VIEWERS = [
    Role.UNIT_HEAD,
    Role.BUILDING_HEAD,
    Role.FLOOR_HEAD,
    Role.GRID_WORKER,
    Role.COMMUNITY_STAFF,
    Role.PROPERTY_MANAGER,
    Role.OWNERS_COMMITTEE,
    Role.SUBDISTRICT_ADMIN,
]
# Who takes decisions (accept, reject, dispatch, escalate, merge) at each level: the level's own
# staff and those above it.
LEVEL_STAFF = {
    Level.GRID: [Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN],
    Level.COMMUNITY: [Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN],
    Level.SUBDISTRICT: [Role.SUBDISTRICT_ADMIN],
    Level.DISTRICT: [Role.SUBDISTRICT_ADMIN],
}
# The three parties of a joint case (三方协调), with the grid worker and the subdistrict.
COORDINATORS = [
    Role.GRID_WORKER,
    Role.COMMUNITY_STAFF,
    Role.PROPERTY_MANAGER,
    Role.OWNERS_COMMITTEE,
    Role.SUBDISTRICT_ADMIN,
]

access.register("reports.view", VIEWERS)
for _level, _roles in LEVEL_STAFF.items():
    access.register(f"reports.decide_{_level}", _roles)
access.register("reports.coordinate", COORDINATORS)
access.register("reports.view_figures", [Role.GRID_WORKER, *LEVEL_STAFF[Level.COMMUNITY]])
access.register("reports.report", [Role.RESIDENT, Role.OWNER, *VIEWERS])
# Categories are city-wide data; subdistrict administrators keep them.
access.register("reports.manage_categories", [Role.SUBDISTRICT_ADMIN])


def decide_perm(level: int) -> str:
    return f"reports.decide_{int(level)}"


def is_reporter(user, report) -> bool:
    return user.is_authenticated and report.reporter_id == user.pk


def is_handler(user, report) -> bool:
    return user.is_authenticated and report.handler_id == user.pk


def can_view(user, report) -> bool:
    """The reporter, the handler, staff in scope; everyone else only sees a public report's
    anonymised card (see queries.public_reports)."""
    return (
        is_reporter(user, report)
        or is_handler(user, report)
        or access.can(user, "reports.view", report)
    )


def sees_reporter_in_full(user, report) -> bool:
    """PIPL (DESIGN §4): the reporter's name and phone in full for themselves, for the handler
    the report was dispatched to (who calls them back), and for staff whose personal-data scope
    holds the report's place; masked for everyone else."""
    return (
        is_reporter(user, report)
        or is_handler(user, report)
        or access.scope(user, "people.view_personal_data").covers(report.path)
    )


def public_name(report) -> str:
    """The reporter as the public sees them: the name masked (张*明), or "" if they hid it."""
    if report.hide_name:
        return ""
    name = report.reporter.name if report.reporter_id else report.contact_name
    return mask_name(name) if name else ""


def can_decide(user, report) -> bool:
    return access.can(user, decide_perm(report.level), report)


def can_work(user, report) -> bool:
    """Start and resolve: the handler it was dispatched to, or staff deciding at its level."""
    return is_handler(user, report) or can_decide(user, report)


def may_use_queue(user) -> bool:
    """The staff queue: staff who view reports in a scope, and the handlers reports are
    dispatched to (a partner organisation views no place, only what it was given)."""
    from .models import HANDLER_ROLES

    handler_roles = {r.value for r in HANDLER_ROLES}
    return (
        getattr(user, "is_superuser", False)
        or access.has_anywhere(user, "reports.view")
        or bool(access.roles_of(user) & handler_roles)
    )


def can_coordinate(user, report) -> bool:
    return is_handler(user, report) or access.can(user, "reports.coordinate", report)


def may_report_at(user, place, estate) -> bool:
    """Residents report in the estates they live in; staff anywhere they may view."""
    if access.can(user, "reports.view", place):
        return True
    resident = access.scope(user, "reports.report")
    return resident.everywhere or any(p.startswith(estate.path) for p in resident.prefixes)


def require(allowed: bool) -> None:
    if not allowed:
        raise Forbidden(_("You may not do this to this report."), code="forbidden")
