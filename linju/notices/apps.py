from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "linju.notices"
    label = "notices"
    verbose_name = _("Notices and newsletter")

    def ready(self):
        from django.urls import reverse_lazy

        from linju.core import modules
        from linju.core import privacy as core_privacy
        from linju.core.notifications import register_kind

        from . import privacy, queries, rules, sources  # noqa: F401  (rules registers permissions)

        core_privacy.register(section="notices", export=privacy.export, erase=privacy.erase)
        modules.register_module("notices", reverse_lazy("notices:board"))
        modules.register_desk_panel(
            template="notices/_desk_panel.html", context=queries.desk_counts
        )
        register_kind("notices.notice", _("Notices"))
        register_kind("notices.newsletter", _("Neighbourhood newsletter"))
        sources.install()
