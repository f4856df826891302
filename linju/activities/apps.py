from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "linju.activities"
    label = "activities"
    verbose_name = _("Teams, activities and talents")

    def ready(self):
        from django.urls import reverse_lazy

        from linju.core import modules
        from linju.core import privacy as core_privacy
        from linju.core.notifications import register_kind

        from . import privacy, queries, rules  # noqa: F401  (rules registers permissions)

        core_privacy.register(section="activities", export=privacy.export, erase=privacy.erase)
        modules.register_module("activities", reverse_lazy("activities:home"))
        modules.register_desk_panel(
            template="activities/_desk_panel.html", context=queries.desk_counts
        )
        register_kind("activities.activity", _("Activities"))
        register_kind("activities.team", _("Volunteer teams"))
        register_kind("activities.talent", _("Talent pool"))
