"""Reads of the needs and resources lists (需求清单, 资源清单) and the partners (共建单位): every
list scoped with `access.filter_queryset` (`projects.view`) or by the reader's own homes and
offers, with what each row shows fetched in a fixed number of queries (no N+1)."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from linju.core import access
from linju.people.models import RoleGrant, User
from linju.people.roles import Role
from linju.places.models import Place
from linju.places.paths import prefixes_of

from . import rules
from .models import (
    Agreement,
    Delivery,
    Need,
    NeedStatus,
    NeedSupport,
    Partner,
    Project,
    ProjectStage,
    Resource,
    ResourceStatus,
    ResourceUse,
)

VIEW = "projects.view"
MAX_PLACES = 200
LIVE = ~Q(stage=ProjectStage.CANCELLED)


def _projects():
    return Project.objects.only("id", "title", "stage", "path", "created_at").order_by(
        "-created_at", "-id"
    )


# --- Places ---------------------------------------------------------------------------------------


def places_for(user, perm=VIEW, kinds=("community", "estate", "building", "unit")):
    """The places of the user's scope a list can be filtered by or a need recorded at."""
    qs = Place.objects.filter(kind__in=kinds)
    return access.filter_queryset(user, perm, qs).order_by("path")[:MAX_PLACES]


def communities_for(user, perm=VIEW):
    return places_for(user, perm, kinds=("community",))


def home_communities(user) -> list[str]:
    """The paths of the communities the user lives in (verified homes)."""
    prefixes = {p for home in rules.homes(user) for p in prefixes_of(home)}
    if not prefixes:
        return []
    return list(
        Place.objects.filter(kind="community", path__in=prefixes).values_list("path", flat=True)
    )


def home_places(user):
    """The places containing one of the user's homes, for a resident's offer."""
    prefixes = {p for home in rules.homes(user) for p in prefixes_of(home)}
    return Place.objects.filter(path__in=prefixes).exclude(kind__in=("district", "subdistrict"))


def place_in_scope(user, place_id, perm=VIEW):
    return access.filter_queryset(user, perm, Place.objects.filter(pk=place_id)).first()


# --- Needs ----------------------------------------------------------------------------------------


def _with_projects(qs):
    return qs.select_related("place").prefetch_related(Prefetch("projects", queryset=_projects()))


def staff_needs(user, *, status=None, source=None, place=None):
    """The needs of the user's scope, newest first, with the projects answering each."""
    qs = access.filter_queryset(user, VIEW, Need.objects.all())
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if place is not None:
        qs = qs.filter(path__startswith=place.path)
    return _with_projects(qs)


def _home_open(user) -> Q:
    communities = home_communities(user)
    if not communities:
        return Q(pk__in=[])
    return access.Scope(prefixes=tuple(communities)).q() & Q(status=NeedStatus.OPEN)


def resident_needs(user):
    """The open needs of the communities the user lives in, with whether they support each."""
    return _supported(Need.objects.filter(_home_open(user)), user).select_related("place")


def _supported(qs, user):
    if not getattr(user, "is_authenticated", False):
        return qs
    return qs.annotate(supported=Exists(NeedSupport.objects.filter(need=OuterRef("pk"), user=user)))


def visible_needs(user, *, status=None, source=None, place=None):
    """Every need the user sees: those of their staff scope (any status) and the open needs of
    the communities they live in; newest first, with the projects answering each."""
    qs = Need.objects.filter(access.scope(user, VIEW).q() | _home_open(user))
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if place is not None:
        qs = qs.filter(path__startswith=place.path)
    return _with_projects(_supported(qs, user))


def need_for(user, pk):
    """A need the user sees (staff of its scope, or a resident of its community while it is
    open); None otherwise (404)."""
    return visible_needs(user).filter(pk=pk).first()


# --- Resources ------------------------------------------------------------------------------------


def _uses():
    return ResourceUse.objects.select_related("project").only(
        "id", "quantity", "resource_id", "project__id", "project__title", "project__stage"
    )


def _resource_rows(qs):
    return qs.select_related("place", "partner", "offered_by").prefetch_related(
        Prefetch("uses", queryset=_uses())
    )


def staff_resources(user, *, status=None, kind=None, place=None):
    """The resources of the user's scope, with the projects using each."""
    qs = access.filter_queryset(user, VIEW, Resource.objects.all())
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if place is not None:
        qs = qs.filter(path__startswith=place.path)
    return _resource_rows(qs)


def _mine(user) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(offered_by=user) | Q(partner__in=Partner.objects.filter(members=user).values("pk"))


def my_resources(user):
    """What the user offers themselves and what the partners they act for offer."""
    return _resource_rows(Resource.objects.filter(_mine(user)))


def visible_resources(user, *, status=None, kind=None, place=None):
    """The resources of the user's staff scope and their own offers (and their partner's)."""
    qs = Resource.objects.filter(access.scope(user, VIEW).q() | _mine(user))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if place is not None:
        qs = qs.filter(path__startswith=place.path)
    return _resource_rows(qs)


def resource_for(user, pk):
    return visible_resources(user).filter(pk=pk).first()


def may_edit_resource(user, resource) -> bool:
    """A partner's offer: its own people or managers; a resident's: themselves or managers."""
    if resource.partner_id:
        return rules.acts_for(user, resource.partner) or rules.can_manage(user, resource)
    return resource.offered_by_id == getattr(user, "pk", None) or rules.can_manage(user, resource)


# --- Partners -------------------------------------------------------------------------------------


def partners(user, *, active=None, kind=None):
    qs = access.filter_queryset(user, VIEW, Partner.objects.all())
    if active is not None:
        qs = qs.filter(active=active)
    if kind:
        qs = qs.filter(kind=kind)
    return (
        qs.select_related("place")
        .annotate(
            agreement_count=Count("agreements", distinct=True),
            resource_count=Count("resources", distinct=True),
        )
        .order_by("name", "id")
    )  # an aggregate drops Meta.ordering


def partner_for(user, pk):
    return (
        access.filter_queryset(user, VIEW, Partner.objects.filter(pk=pk))
        .select_related("place")
        .prefetch_related("members")
        .first()
    )


def partner_agreements(partner):
    return Agreement.objects.filter(partner=partner).order_by("-starts_on", "-id")


def partner_deliveries(partner):
    return (
        Delivery.objects.filter(partner=partner)
        .select_related("agreement", "project")
        .order_by("-delivered_on", "-id")
    )


def partner_resources(partner):
    return _resource_rows(Resource.objects.filter(partner=partner))


def partner_projects(partner):
    return _projects().filter(partners=partner)


def agreement_for(user, pk):
    qs = Agreement.objects.filter(pk=pk).select_related("partner")
    return access.filter_queryset(user, VIEW, qs, field="partner__path").first()


def may_read_documents(user, partner) -> bool:
    """A partner's signed agreements: staff of its scope (the roles that see the place tree,
    `places.view`) and its own people; not other partners' people."""
    return access.can(user, "places.view", partner) or rules.acts_for(user, partner)


# --- The overview (三张清单) ----------------------------------------------------------------------


def unmatched_needs(path: str):
    """Open needs of the scope that no live (not cancelled) project answers."""
    live = Project.objects.filter(LIVE, needs=OuterRef("pk"))
    return (
        Need.objects.filter(path__startswith=path, status=NeedStatus.OPEN)
        .exclude(Exists(live))
        .select_related("place")
    )


def unused_resources(path: str):
    """Available resources of the scope that no live project uses."""
    used = ResourceUse.objects.filter(resource=OuterRef("pk")).exclude(
        project__stage=ProjectStage.CANCELLED
    )
    return (
        Resource.objects.filter(path__startswith=path, status=ResourceStatus.AVAILABLE)
        .exclude(Exists(used))
        .select_related("place", "partner")
    )


def overview(place) -> dict:
    """The three lists of a scope in figures: three queries whatever the scope's size."""
    inside = Q(path__startswith=place.path)
    needs = Need.objects.filter(inside).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=NeedStatus.OPEN)),
        answered=Count("pk", filter=Q(status=NeedStatus.ANSWERED)),
        closed=Count("pk", filter=Q(status=NeedStatus.CLOSED)),
    )
    resources = Resource.objects.filter(inside).aggregate(
        total=Count("pk"), available=Count("pk", filter=Q(status=ResourceStatus.AVAILABLE))
    )
    projects = Project.objects.filter(inside).aggregate(
        total=Count("pk"), live=Count("pk", filter=LIVE)
    )
    return {
        "needs": needs,
        "resources": resources,
        "projects": projects,
        "unmatched_needs": unmatched_needs(place.path).count(),
        "unused_resources": unused_resources(place.path).count(),
    }


# --- Choices the pages offer (the services check what is chosen) ------------------------------

MAX_PEOPLE = 200


def offering_partners(user):
    """The active partners the user may offer for: those they manage and those they act for."""
    managed = access.filter_queryset(user, "projects.manage", Partner.objects.filter(active=True))
    wanted = Q(pk__in=managed.values("pk"))
    if Role.PARTNER.value in access.roles_of(user):
        own = access.filter_queryset(user, VIEW, Partner.objects.filter(members=user))
        wanted |= Q(pk__in=own.values("pk"))
    return Partner.objects.filter(wanted, active=True).only("pk", "name").order_by("name", "pk")


def partner_people(grants, current=()):
    """People holding the partner role where `grants` says (services_lists._members is the
    rule), and those acting for the partner now, so that unticking them is possible."""
    ids = Q(pk__in=grants.values("user_id")) | Q(pk__in=[u.pk for u in current])
    return list(
        User.objects.filter(ids, is_active=True)
        .only("pk", "name")
        .order_by("name", "pk")[:MAX_PEOPLE]
    )


def partner_grants():
    return RoleGrant.objects.filter(role=Role.PARTNER, revoked_at__isnull=True, place__isnull=False)


def delivery_projects(user, partner):
    """The live projects of the partner's scope a delivery may be for."""
    live = Project.objects.filter(path__startswith=partner.path).exclude(
        stage=ProjectStage.CANCELLED
    )
    return (
        access.filter_queryset(user, VIEW, live).only("pk", "title").order_by("-created_at", "-pk")
    )
