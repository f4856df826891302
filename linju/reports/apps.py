from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "linju.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from django.urls import reverse_lazy

        from linju.core import modules
        from linju.core import privacy as core_privacy
        from linju.core.notifications import register_kind

        from . import privacy, queries, rules  # noqa: F401  (rules registers the permissions)

        core_privacy.register(section="reports", export=privacy.export, erase=privacy.erase)
        modules.register_module("report", reverse_lazy("reports:mine"))
        modules.register_desk_panel(
            template="reports/_desk_panel.html", context=queries.desk_counts
        )

        register_kind("report.update", _("Progress on my reports"))
        register_kind("report.task", _("Reports waiting for me"))
        register_kind("report.coordination", _("Joint case messages"))
