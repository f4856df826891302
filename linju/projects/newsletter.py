"""The projects' part of the quarterly newsletter (睦邻服务报, seed 003; seed 002:
定期发布共同缔造项目进展情况): the progress updates of the quarter of the projects inside the
paper's place, each linking to its public project page. Registered in ProjectsConfig.ready()."""

from django.urls import reverse

from linju.notices.sources import shorten

from .models import ProgressUpdate


def progress(path, start, end) -> list[dict]:
    updates = (
        ProgressUpdate.objects.filter(
            project__path__startswith=path, created_at__gte=start, created_at__lt=end
        )
        .select_related("project")
        .order_by("created_at", "pk")
    )
    return [
        {
            "title": u.project.title,
            "summary": shorten(u.text),
            "link": reverse("projects:project", args=[u.project_id]),
            "source": f"projects.update:{u.pk}",
        }
        for u in updates
    ]
