from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MutualaidConfig(AppConfig):
    name = "linju.mutualaid"
    label = "mutualaid"
    verbose_name = _("Mutual aid")

    def ready(self):
        from django.urls import reverse_lazy

        from linju.core import modules
        from linju.core import privacy as core_privacy
        from linju.core.notifications import register_kind

        from . import privacy, queries, rules  # noqa: F401  (rules registers permissions)

        core_privacy.register(section="mutualaid", export=privacy.export, erase=privacy.erase)
        modules.register_module("mutualaid", reverse_lazy("mutualaid:home"))
        modules.register_desk_panel(
            template="mutualaid/_desk_panel.html", context=queries.desk_counts
        )
        register_kind("mutualaid.wish", _("Wish wall"))
        register_kind("mutualaid.sharing", _("Sharing and the book corner"))
