from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "linju.services"
    label = "services"
    verbose_name = _("Assisted services")

    def ready(self):
        from django.urls import reverse_lazy

        from linju.core import modules
        from linju.core import privacy as core_privacy
        from linju.core.notifications import register_kind

        from . import privacy, rules  # noqa: F401  (rules registers permissions)

        core_privacy.register(section="services", export=privacy.export, erase=privacy.erase)
        modules.register_module("services", reverse_lazy("services:home"))
        register_kind("services.request", _("Assisted services"))
