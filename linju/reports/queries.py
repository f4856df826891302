"""Reads about reports, scoped by core.access: staff queues, a resident's own reports, the
public estate page, similar reports, who handles and who follows a report."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from linju.core import access
from linju.people import queries as people_queries
from linju.people.models import RoleGrant, User
from linju.people.roles import Role
from linju.places.models import PlaceKind
from linju.places.paths import prefixes_of

from .models import HANDLER_ROLES, OPEN_STATUSES, Level, Photo, Report, Status, Supporter

SIMILAR_DAYS = 30
SIMILAR_LIMIT = 5


def _live_grants():
    return RoleGrant.objects.filter(revoked_at__isnull=True, user__is_active=True)


def _at_ancestors(report, roles):
    """Grants of `roles` at the report's place or one of its ancestors."""
    return (
        _live_grants()
        .filter(role__in=roles, place__isnull=False)
        .filter(scope_path__in=prefixes_of(report.path))
    )


def _users(grants):
    return list(User.objects.filter(pk__in=grants.values("user_id")).order_by("pk"))


def level_staff(report) -> list[User]:
    ids = level_staff_ids([report])[report.pk]
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def level_staff_ids(reports) -> dict[int, list[int]]:
    """Who takes each report on at its current level: the grid's workers (the community's staff
    when the building has no grid or the grid no worker), the community's staff, or the
    subdistrict's administrators (also for a case handed over to the district). Three queries
    for any number of reports (the overdue sweep escalates thousands at a time)."""
    grids = {r.grid_id for r in reports if r.level == Level.GRID and r.grid_id}
    workers: dict[int, list[int]] = {}
    for grid_id, user_id in (
        _live_grants()
        .filter(role=Role.GRID_WORKER, grid_id__in=grids)
        .values_list("grid_id", "user_id")
    ):
        workers.setdefault(grid_id, []).append(user_id)
    prefixes = {p for r in reports for p in prefixes_of(r.path)}
    at_places: dict[tuple[str, str], list[int]] = {}
    for role, path, user_id in (
        _live_grants()
        .filter(role__in=[Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN], scope_path__in=prefixes)
        .values_list("role", "scope_path", "user_id")
    ):
        at_places.setdefault((role, path), []).append(user_id)

    def above(report, role):
        found = []
        for p in prefixes_of(report.path):
            found.extend(at_places.get((role, p), ()))
        return sorted(set(found))

    result = {}
    for r in reports:
        staff = workers.get(r.grid_id, []) if r.level == Level.GRID else []
        if not staff and r.level <= Level.COMMUNITY:
            staff = above(r, Role.COMMUNITY_STAFF)
        if not staff:
            staff = above(r, Role.SUBDISTRICT_ADMIN)
        result[r.pk] = sorted(set(staff))
    return result


def followers_of(reports) -> dict[int, list[int]]:
    """followers() for many reports in one query."""
    result = {r.pk: [r.reporter_id] if r.reporter_id else [] for r in reports}
    for report_id, user_id in Supporter.objects.filter(report__in=list(result)).values_list(
        "report_id", "user_id"
    ):
        result[report_id].append(user_id)
    return result


def handler_grants(report):
    """Live grants that make someone a possible handler of the report (派遣 targets)."""
    return (
        _live_grants()
        .filter(role__in=HANDLER_ROLES)
        .filter(
            Q(place__isnull=False, scope_path__in=prefixes_of(report.path))
            | Q(grid_id=report.grid_id, grid__isnull=False)
        )
    )


def handler_candidates(report) -> list[tuple[User, str]]:
    """(user, role) pairs the report can be dispatched to, one per user: first those of the
    category's handling role (the property company for a broken lift), then in role order."""
    order = {r.value: i for i, r in enumerate(HANDLER_ROLES)}
    best: dict[int, tuple[User, str]] = {}
    for grant in handler_grants(report).select_related("user"):
        held = best.get(grant.user_id)
        if held is None or order[grant.role] < order[held[1]]:
            best[grant.user_id] = (grant.user, grant.role)
    suggested = report.category.handler_role
    return sorted(
        best.values(), key=lambda ur: (ur[1] != suggested, order[ur[1]], ur[0].name, ur[0].pk)
    )


def handler_role(report, user) -> str | None:
    roles = set(handler_grants(report).filter(user=user).values_list("role", flat=True))
    return next((r.value for r in HANDLER_ROLES if r.value in roles), None)


COORDINATION_ROLES = [
    Role.COMMUNITY_STAFF,
    Role.OWNERS_COMMITTEE,
    Role.PROPERTY_MANAGER,
    Role.GRID_WORKER,
]


def coordinators(report) -> list[User]:
    """The parties of a joint case: the residents' committee (community staff), the owners'
    committee and the property company of the estate, the grid worker, and the handler."""
    grants = _live_grants().filter(
        Q(
            role__in=COORDINATION_ROLES,
            place__isnull=False,
            scope_path__in=prefixes_of(report.path),
        )
        | Q(role=Role.GRID_WORKER, grid_id=report.grid_id, grid__isnull=False)
    )
    ids = set(grants.values_list("user_id", flat=True))
    if report.handler_id:
        ids.add(report.handler_id)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def coordination_role(report, user) -> str:
    roles = set(
        _live_grants()
        .filter(user=user)
        .filter(
            Q(place__isnull=False, scope_path__in=prefixes_of(report.path))
            | Q(grid_id=report.grid_id, grid__isnull=False)
        )
        .values_list("role", flat=True)
    )
    if report.handler_id == user.pk and report.handler_role:
        roles.add(report.handler_role)
    order = [*COORDINATION_ROLES, Role.SUBDISTRICT_ADMIN, *HANDLER_ROLES]
    return next((r.value for r in order if r.value in roles), "")


def followers(report) -> list[int]:
    """The reporter and everyone who said "me too": they hear of every public step."""
    ids = list(Supporter.objects.filter(report=report).values_list("user_id", flat=True))
    if report.reporter_id:
        ids.insert(0, report.reporter_id)
    return ids


def may_manage_categories(user) -> bool:
    return access.has_anywhere(user, "reports.manage_categories")


# --- Lists ---------------------------------------------------------------------------------------


def visible_reports(user):
    """Reports the user may open: in their staff scope, dispatched to them, or their own."""
    staff = access.scope(user, "reports.view")
    q = staff.q("path") | Q(handler_id=user.pk) | Q(reporter_id=user.pk)
    return Report.objects.filter(q)


def staff_reports(user):
    """The staff queue's rows: reports in the user's scope and those dispatched to them.

    Every handler but a partner organisation views the place the report was dispatched in, so
    only partners need the OR (which would keep the planner off the path index)."""
    staff = access.scope(user, "reports.view")
    if not staff:
        return Report.objects.filter(handler_id=user.pk)
    if Role.PARTNER.value in access.roles_of(user):
        return Report.objects.filter(staff.q("path") | Q(handler_id=user.pk))
    return Report.objects.filter(staff.q("path"))


@dataclass
class QueueFilter:
    status: str = ""  # a Status value, "open" (default), "waiting", "final" or "all"
    category: str = ""  # a category code
    level: int | None = None
    overdue: bool = False
    mine: bool = False  # dispatched to me
    place: str = ""  # a path prefix inside the scope (e.g. one estate)
    q: str = ""


STATUS_GROUPS = {
    "open": OPEN_STATUSES,
    "waiting": [Status.RESOLVED],
    "final": [Status.REJECTED, Status.CLOSED, Status.MERGED],
}


def queue(user, f: QueueFilter, *, now=None):
    """A staff queue, newest first, filtered; rows carry what the list shows."""
    now = now or timezone.now()
    qs = staff_reports(user)
    if f.status in STATUS_GROUPS:
        qs = qs.filter(status__in=STATUS_GROUPS[f.status])
    elif f.status in Status.values:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.overdue:
        qs = qs.filter(due_at__lt=now)
    if f.mine:
        qs = qs.filter(handler_id=user.pk)
    if f.place:
        qs = qs.filter(path__startswith=f.place)
    if f.q:
        term = f.q.strip()
        number = term.lstrip("#")
        if number.isascii() and number.isdigit() and len(number) <= 18:
            qs = qs.filter(pk=int(number))
        else:
            qs = qs.filter(Q(title__icontains=term) | Q(description__icontains=term))
    return qs.select_related("category", "place__parent", "estate", "handler").order_by(
        "-created_at", "-id"
    )


def my_reports(user):
    """A resident's own reports and those they back, newest first."""
    # The ids as a list, not a subquery: `reporter = X OR id = ANY(list)` is a BitmapOr of two
    # index scans, where `OR id IN (subquery)` made PostgreSQL scan every report (1.1 s at
    # city scale, for the count and again for the page).
    backed = list(Supporter.objects.filter(user=user).values_list("report_id", flat=True))
    return (
        Report.objects.filter(Q(reporter=user) | Q(pk__in=backed))
        .select_related("category", "place__parent", "estate")
        .order_by("-created_at", "-id")
    )


def public_reports(estate):
    """The estate's public page: reports of public categories, never merged duplicates."""
    return (
        Report.objects.filter(path__startswith=estate.path, is_public=True)
        .exclude(status=Status.MERGED)
        .select_related("category", "place__parent", "reporter")
        .order_by("-created_at", "-id")
    )


def is_public_to(user, report) -> bool:
    """A public report is seen (anonymised) by anyone; its private details are not."""
    return report.is_public and report.status != Status.MERGED


PUBLIC_PHOTO = Q(step__isnull=True) | Q(step__public=True)


def public_photos():
    """Photos the public may see on a public report: the problem and the fix, never those of an
    internal step."""
    return Photo.objects.filter(PUBLIC_PHOTO)


def is_public_photo(photo) -> bool:
    return photo.step_id is None or photo.step.public


def similar_reports(*, category, place, user=None, now=None):
    """Open public reports of the same category about the same building in the last 30 days:
    offered before submitting, so a neighbour can say "me too" instead of filing a duplicate.
    A private category's reports (a neighbour dispute) are shown to their reporter only."""
    now = now or timezone.now()
    building = place.parent if place.kind == "unit" else place
    return (
        Report.objects.filter(
            Q(is_public=True) | Q(reporter_id=getattr(user, "pk", None)),
            category=category,
            path__startswith=building.path,
            created_at__gte=now - timedelta(days=SIMILAR_DAYS),
            status__in=[*OPEN_STATUSES, Status.RESOLVED],
        )
        .select_related("category", "place__parent", "reporter")
        .order_by("-created_at")[:SIMILAR_LIMIT]
    )


def timeline(report, user):
    """The steps the user may see: staff and the handler see internal notes too."""
    steps = report.steps.select_related("actor").prefetch_related("photos")
    if not (access.can(user, "reports.view", report) or report.handler_id == user.pk):
        steps = steps.filter(public=True)
    return steps


DESK_COUNT_CAP = 999


def desk_counts(user) -> dict | None:
    """The open and overdue reports of the user's queue for the staff desk: two counts, each
    stopped at DESK_COUNT_CAP rows so a subdistrict's desk never counts a city."""
    from . import rules

    if not rules.may_use_queue(user):
        return None
    # Unordered: a capped count needs any cap + 1 rows, not the newest (an ordered count sorted
    # a subdistrict's 40,000 overdue reports: 160 ms).
    open_reports = staff_reports(user).filter(status__in=OPEN_STATUSES).order_by()
    overdue = open_reports.filter(due_at__lt=timezone.now())
    cap = DESK_COUNT_CAP
    n_open, n_overdue = open_reports[: cap + 1].count(), overdue[: cap + 1].count()
    return {
        "open": f"{cap}+" if n_open > cap else n_open,
        "overdue": f"{cap}+" if n_overdue > cap else n_overdue,
    }


# Staff who report what they find on their rounds choose among this many places of their scope.
STAFF_PLACES_SHOWN = 500


def reporting_estates(user):
    """The estates the user reports in, home estates first, and the home unit in each: their
    verified households' estates; for staff also the estates of their scope."""
    estates, homes = {}, {}
    for residency in people_queries.my_residencies(user):
        if residency.status != "verified":
            continue
        unit = residency.household.unit
        estate = unit.parent.parent
        estates.setdefault(estate.pk, estate)
        homes.setdefault(estate.pk, unit)
    if access.has_anywhere(user, "reports.view"):
        in_scope = people_queries.places_in_scope(
            user, "reports.view", [PlaceKind.ESTATE, PlaceKind.BUILDING, PlaceKind.UNIT]
        ).select_related("parent__parent")
        for place in in_scope[:STAFF_PLACES_SHOWN]:
            estate = {
                PlaceKind.ESTATE: place,
                PlaceKind.BUILDING: place.parent,
                PlaceKind.UNIT: place.parent.parent if place.parent else None,
            }.get(place.kind)
            if estate is not None:
                estates.setdefault(estate.pk, estate)
    return list(estates.values()), homes
