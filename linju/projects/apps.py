from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "linju.projects"
    label = "projects"
    verbose_name = _("Co-creation")

    def ready(self):
        from django.urls import reverse_lazy

        from linju.core import modules
        from linju.core import privacy as core_privacy
        from linju.core.notifications import register_kind

        from . import privacy, queries_desk, rules  # noqa: F401  (rules registers permissions)

        core_privacy.register(section="projects", export=privacy.export, erase=privacy.erase)
        modules.register_module("projects", reverse_lazy("projects:home"))
        modules.register_desk_panel(
            template="projects/_desk_panel.html", context=queries_desk.desk_counts
        )
        register_kind("projects.project", _("Co-creation projects"))
        register_kind("projects.campaign", _("Crowdfunding"))
        # The quarterly newsletter's "project progress" section (notices.sources).
        from linju.notices import sources

        from .newsletter import progress

        sources.register(sources.Section.PROJECTS, progress)
