"""Reads behind the Open311 endpoint. Everything here is what the public may see of every
estate at once: public categories, public reports that are not merged duplicates (the
semantics of reports.queries.public_reports, across all estates), public timeline steps."""

from django.db.models import Exists, Max, OuterRef

from linju.core.models import AuditEvent
from linju.people.models import Residency, ResidencyStatus
from linju.places.models import Household, Place, PlaceKind

from .. import queries as report_queries
from ..models import Category, CategoryAttribute, Photo, Report, Status, Step

# The verbs services.save_category / save_attribute / delete_attribute audit: the service list
# and definitions change only through them.
CATEGORY_VERBS = [
    "report.category.save",
    "report.category.attribute",
    "report.category.attribute_delete",
]
# Place kinds named in an address, most specific first (the district and subdistrict are the
# same for a whole jurisdiction and only lengthen every address).
ADDRESS_KINDS = [PlaceKind.UNIT, PlaceKind.BUILDING, PlaceKind.ESTATE, PlaceKind.COMMUNITY]


def services():
    """Categories open for new reports and shown to the public (neighbour disputes are not)."""
    return (
        Category.objects.filter(active=True, is_public=True)
        .annotate(has_attributes=Exists(CategoryAttribute.objects.filter(category=OuterRef("pk"))))
        .order_by("sort_order", "code")
    )


def service(code: str) -> Category | None:
    return Category.objects.filter(active=True, is_public=True, code=code).first()


def last_category_change():
    return AuditEvent.objects.filter(verb__in=CATEGORY_VERBS).aggregate(at=Max("created_at"))["at"]


def public_reports():
    """Public reports of every estate, never merged duplicates. A category made private later
    hides its old reports too."""
    return Report.objects.filter(is_public=True, category__is_public=True).exclude(
        status=Status.MERGED
    )


def report_rows(queryset):
    return queryset.select_related("category").order_by("-created_at", "-id")


def public_steps():
    """Timeline steps the public sees (Step.public), of public reports."""
    return (
        Step.objects.filter(public=True, report__is_public=True, report__category__is_public=True)
        .exclude(report__status=Status.MERGED)
        .order_by("created_at", "id")
    )


def first_photos(*, report_ids=(), step_ids=()) -> dict[int, int]:
    """report id (or step id) → id of its first photo the public may see (the photo page,
    reports:photo, shows a public report's photos of no step or of a public step), in one
    query."""
    if report_ids:
        rows = (
            report_queries.public_photos()
            .filter(report_id__in=list(report_ids))
            .values_list("report_id", "id")
        )
    elif step_ids:
        rows = Photo.objects.filter(step_id__in=list(step_ids)).values_list("step_id", "id")
    else:
        return {}
    first: dict[int, int] = {}
    for owner, photo_id in rows.order_by("created_at", "id"):
        first.setdefault(owner, photo_id)
    return first


def request_id_for_token(token) -> int | None:
    return Report.objects.filter(token=token).values_list("pk", flat=True).first()


def place_names(paths) -> dict[int, tuple[str, str]]:
    """place id → (kind, name) for every place on the given paths, in one query."""
    ids = {int(seg) for path in paths for seg in path.strip("/").split("/") if seg}
    rows = Place.objects.filter(pk__in=ids, kind__in=ADDRESS_KINDS).values_list(
        "pk", "kind", "name"
    )
    return {pk: (kind, name) for pk, kind, name in rows}


def address_of(path: str, names: dict[int, tuple[str, str]]) -> list[str]:
    """The place's names from the most specific to the most general (GeoReport v2: "address
    number or cross streets, street name, neighborhood/district, city…")."""
    ids = [int(seg) for seg in path.strip("/").split("/") if seg]
    return [names[i][1] for i in reversed(ids) if i in names]


def home_building(user) -> Place | None:
    """The building of the user's first verified household, where an Open311 client that sends
    no address_id reports."""
    household = (
        Household.objects.filter(
            pk__in=Residency.objects.filter(user=user, status=ResidencyStatus.VERIFIED).values(
                "household_id"
            )
        )
        .select_related("unit")
        .order_by("path")
        .first()
    )
    if household is None:
        return None
    return Place.objects.filter(pk=household.unit.parent_id).first()
