"""Reads of micro-projects and elevator retrofits. Projects are public (凡结果必公开): anyone reads
them, filtered by community and stage. Staff lists and retrofits are scoped by `projects.view`
through core.access. The retrofit figures per community (seed 002: x个单元协议签订, x个单元正在施工,
x个单元已完成安装) come from one aggregate query."""

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Substr

from linju.core import access
from linju.deliberation.models import Ballot, Topic
from linju.places.models import KIND_ORDER, PATH_WIDTH, Place, PlaceKind

from .models import (
    BudgetLine,
    ElevatorRetrofit,
    Milestone,
    Need,
    NeedStatus,
    Partner,
    ProgressUpdate,
    Project,
    ProjectRating,
    ProjectTask,
    Resource,
    ResourceStatus,
    ResourceUse,
    RetrofitStage,
    StageChange,
    UpdatePhoto,
)

# A path segment is the zero-padded id and its slash; a kind's depth is fixed.
SEGMENT = PATH_WIDTH + 1
COMMUNITY_PATH_LENGTH = (KIND_ORDER.index(PlaceKind.COMMUNITY) + 1) * SEGMENT

SIGNED_OR_LATER = [
    RetrofitStage.SIGNED,
    RetrofitStage.APPROVED,
    RetrofitStage.CONSTRUCTION,
    RetrofitStage.IN_USE,
]


def communities():
    """The communities a public filter offers."""
    return Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("path")


def home_community(user):
    """The community a person's homes and roles lie in, which the public list opens on; None
    for someone with none or with a scope wider than one community (the subdistrict)."""
    paths = [p for ps in access.role_scopes(user).values() for p in ps]
    if not paths or any(len(p) < COMMUNITY_PATH_LENGTH for p in paths):
        return None
    first = sorted({p[:COMMUNITY_PATH_LENGTH] for p in paths})[0]
    return Place.objects.filter(path=first, kind=PlaceKind.COMMUNITY).first()


def _filtered(qs, *, place=None, stage=None):
    if place is not None:
        qs = qs.filter(path__startswith=place.path)
    if stage:
        qs = qs.filter(stage=stage)
    return qs


def public_projects(*, place=None, stage=None):
    """Every project, newest first, with its place: public by design."""
    qs = Project.objects.select_related("place")
    return _filtered(qs, place=place, stage=stage).order_by("-created_at", "-id")


def projects_for(user, *, place=None, stage=None):
    """The projects of the user's `projects.view` scope (the desk)."""
    qs = access.filter_queryset(user, "projects.view", Project.objects.select_related("place"))
    return _filtered(qs, place=place, stage=stage).order_by("-created_at", "-id")


def project(pk):
    """One project, public, with what its page shows loaded in a fixed number of queries."""
    return (
        Project.objects.select_related("place", "topic", "ballot", "lead")
        .prefetch_related(
            "needs",
            "partners",
            Prefetch("stage_changes", queryset=StageChange.objects.order_by("at", "id")),
            Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("partner")),
            Prefetch("milestones", queryset=Milestone.objects.all()),
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.prefetch_related(
                    Prefetch("photos", queryset=UpdatePhoto.objects.order_by("id"))
                ),
            ),
            Prefetch("resource_uses", queryset=_resource_uses()),
        )
        .filter(pk=pk)
        .first()
    )


def _resource_uses():
    return ResourceUse.objects.select_related("resource").order_by("id")


def project_for(user, pk):
    """A project of the user's `projects.view` scope, or None."""
    found = project(pk)
    if found is None or not access.can(user, "projects.view", found):
        return None
    return found


def tasks_of(project_obj):
    return (
        ProjectTask.objects.filter(project=project_obj)
        .select_related("owner", "partner", "milestone")
        .order_by("status", "due_on", "id")
    )


def budget_totals(lines) -> dict:
    """Money by source (fen) and labour hours, from the lines already loaded."""
    by_source: dict[str, int] = {}
    hours = 0
    for line in lines:
        if line.source == "labour":
            hours += line.hours
        else:
            by_source[line.source] = by_source.get(line.source, 0) + line.amount_fen
    return {"by_source": by_source, "money_fen": sum(by_source.values()), "hours": hours}


def campaign_of(project_obj):
    """The crowdfunding campaign of a project, once the funds part made one (None before)."""
    return getattr(project_obj, "campaign", None)


def photo(pk):
    """A progress photo of any project (progress is public)."""
    return UpdatePhoto.objects.filter(pk=pk).first()


# --- Retrofits -------------------------------------------------------------------------------


def retrofits_for(user, *, place=None, stage=None):
    qs = access.filter_queryset(
        user, "projects.view", ElevatorRetrofit.objects.select_related("place", "project")
    )
    return _filtered(qs, place=place, stage=stage).order_by("path", "-id")


def retrofit_for(user, pk):
    found = (
        ElevatorRetrofit.objects.select_related("place", "project", "ballot")
        .prefetch_related("stage_changes")
        .filter(pk=pk)
        .first()
    )
    if found is None or not access.can(user, "projects.view", found):
        return None
    return found


def retrofit_figures(user, *, place=None) -> list[dict]:
    """Per community of the user's scope (under `place` if given): units signed (signed or
    later), under construction, installed (in use). One aggregate query grouped by the
    community's part of the path, and one for the communities' names."""
    qs = access.filter_queryset(user, "projects.view", ElevatorRetrofit.objects.all())
    if place is not None:
        qs = qs.filter(path__startswith=place.path)
    rows = list(
        qs.exclude(stage=RetrofitStage.ABANDONED)
        .annotate(community_path=Substr("path", 1, COMMUNITY_PATH_LENGTH))
        .values("community_path")
        .annotate(
            units=Count("id"),
            signed=Count("id", filter=Q(stage__in=SIGNED_OR_LATER)),
            construction=Count("id", filter=Q(stage=RetrofitStage.CONSTRUCTION)),
            installed=Count("id", filter=Q(stage=RetrofitStage.IN_USE)),
        )
        .order_by("community_path")
    )
    found = Place.objects.filter(
        kind=PlaceKind.COMMUNITY, path__in=[r["community_path"] for r in rows]
    ).values_list("path", "pk", "name")
    communities_by_path = {path: {"id": pk, "name": name} for path, pk, name in found}
    return [
        {
            "community": communities_by_path.get(r["community_path"], {"id": 0, "name": ""}),
            "units": r["units"],
            "signed": r["signed"],
            "construction": r["construction"],
            "installed": r["installed"],
        }
        for r in rows
    ]


def figures_total(rows) -> dict:
    return {k: sum(r[k] for r in rows) for k in ("units", "signed", "construction", "installed")}


# --- Choices the desk's forms offer (the services check what is chosen) -----------------------

MAX_CHOICES = 200


def form_choices(user, place=None):
    """What the create and edit forms offer from the manager's scope."""
    scope = access.scope(user, "projects.manage")
    path = place.path if place is not None else None

    def within(qs):
        qs = qs.filter(scope.q())
        return qs.filter(path__startswith=path) if path else qs

    return {
        "needs": list(within(Need.objects.filter(status=NeedStatus.OPEN))[:MAX_CHOICES]),
        "topics": list(within(Topic.objects.all()).order_by("-created_at")[:MAX_CHOICES]),
        "partners": list(within(Partner.objects.filter(active=True))[:MAX_CHOICES]),
    }


def available_resources(user):
    return (
        Resource.objects.filter(status=ResourceStatus.AVAILABLE)
        .filter(access.scope(user, "projects.view").q())
        .order_by("-created_at")
    )


def ballots_within(path: str):
    """The ballots a project may be decided by: held inside its scope."""
    return Ballot.objects.filter(path__startswith=path).order_by("-created_at")


def unit_ballots(place_id):
    """The owners' ballots held over a unit, for its elevator retrofit."""
    return Ballot.objects.filter(place_id=place_id).order_by("-created_at")


def rating_of(project_obj, user):
    """The resident's own evaluation of the project, if they gave one."""
    return ProjectRating.objects.filter(project=project_obj, user=user).first()
