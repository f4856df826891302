from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "linju.ratings"
    label = "ratings"
    verbose_name = _("Ratings")

    def ready(self):
        from django.urls import reverse_lazy

        from linju.core import modules
        from linju.core import privacy as core_privacy
        from linju.core.notifications import register_kind

        from . import privacy, queries, rules  # noqa: F401  (rules registers permissions)

        core_privacy.register(section="ratings", export=privacy.export, erase=privacy.erase)
        modules.register_module("contest", reverse_lazy("ratings:home"))
        modules.register_desk_panel(
            template="ratings/_desk_panel.html", context=queries.desk_counts
        )
        register_kind("ratings.panel", _("Rounds I score on a panel"))
        register_kind("ratings.result", _("Rankings, red flags and stars that concern me"))
