from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "linju.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from linju.core import privacy as core_privacy
        from linju.core.notifications import register_kind

        from . import privacy, rules  # noqa: F401  (rules registers the reports permissions)

        core_privacy.register(section="reports", export=privacy.export, erase=privacy.erase)

        register_kind("report.update", _("Progress on my reports"))
        register_kind("report.task", _("Reports waiting for me"))
        register_kind("report.coordination", _("Joint case messages"))
