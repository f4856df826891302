from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "linju.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation")

    def ready(self):
        from . import rules  # noqa: F401  (rules registers the permissions)
