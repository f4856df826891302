from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "linju.ratings"
    label = "ratings"
    verbose_name = _("Ratings")

    def ready(self):
        from django.urls import reverse_lazy

        from linju.core import modules
        from linju.core.notifications import register_kind

        from . import rules  # noqa: F401  (registers permissions)

        modules.register_module("contest", reverse_lazy("ratings:home"))
        register_kind("ratings.panel", _("Rounds I score on a panel"))
