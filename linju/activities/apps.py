from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "linju.activities"
    label = "activities"
    verbose_name = _("Teams, activities and talents")

    def ready(self):
        from linju.core.notifications import register_kind

        from . import rules  # noqa: F401  (rules registers permissions)

        register_kind("activities.activity", _("Activities"))
        register_kind("activities.team", _("Volunteer teams"))
        register_kind("activities.talent", _("Talent pool"))
