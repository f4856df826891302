"""The staff desk's co-creation panel (core.modules): what waits in the person's scope."""

from linju.core import access

from .models import Need, NeedStatus, Project, ProjectStage

CAP = 99  # the panel says "99" and no more: a count, not a report


def desk_counts(user) -> dict | None:
    """Open needs and live projects of the scope; None (no panel) for people of no
    co-creation scope."""
    if not access.has_anywhere(user, "projects.view"):
        return None
    needs = access.filter_queryset(user, "projects.view", Need.objects.all())
    live = access.filter_queryset(user, "projects.view", Project.objects.all()).exclude(
        stage__in=[ProjectStage.EVALUATED, ProjectStage.CANCELLED]
    )
    return {
        "projects_open_needs": needs.filter(status=NeedStatus.OPEN)[: CAP + 1].count(),
        "projects_live": live[: CAP + 1].count(),
    }
