from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "linju.points"
    label = "points"
    verbose_name = _("Points and love supermarket")

    def ready(self):
        from django.urls import reverse_lazy

        from linju.core import modules
        from linju.core import privacy as core_privacy
        from linju.core.notifications import register_kind

        from . import privacy, queries, rules  # noqa: F401  (rules registers permissions)

        core_privacy.register(section="points", export=privacy.export, erase=privacy.erase)
        modules.register_module("points", reverse_lazy("points:home"))
        modules.register_desk_panel(template="points/_desk_panel.html", context=queries.desk_counts)
        register_kind("points.store", _("Love supermarket"))
