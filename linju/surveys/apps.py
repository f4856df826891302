from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "linju.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        from django.urls import reverse_lazy

        from linju.core import modules
        from linju.core import privacy as core_privacy

        from . import privacy, rules  # noqa: F401  (rules registers permissions)

        core_privacy.register(section="surveys", export=privacy.export, erase=privacy.erase)

        modules.register_module("surveys", reverse_lazy("surveys:home"))
