from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "linju.people"
    label = "people"
    verbose_name = _("People")

    def ready(self):
        from linju.core.notifications import register_kind

        from . import signals  # noqa: F401  (connects the scope cache's receivers)

        register_kind("residency.request", _("Requests to join a household"))
        register_kind("residency.decision", _("Decisions on my household requests"))
        register_kind("role.grant", _("Roles given to me"))
        register_kind("party.liaison", _("Households I serve as a party liaison"))
        register_kind("account.security", _("Changes to my password"))
