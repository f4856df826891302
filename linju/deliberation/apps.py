from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "linju.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation")

    def ready(self):
        from django.urls import reverse_lazy

        from linju.core import modules
        from linju.core import privacy as core_privacy
        from linju.core.notifications import register_kind

        from . import privacy, queries_topics, rules  # noqa: F401  (rules registers permissions)

        core_privacy.register(section="deliberation", export=privacy.export, erase=privacy.erase)
        modules.register_module("topics", reverse_lazy("deliberation:home"))
        modules.register_desk_panel(
            template="deliberation/_desk_panel.html", context=queries_topics.desk_counts
        )
        register_kind("deliberation.update", _("Progress on topics I follow"))
        register_kind("deliberation.agenda", _("Topics reaching the agenda"))
        register_kind("deliberation.task", _("Deliberation tasks for me"))
        register_kind("deliberation.overdue", _("Overdue deliberation tasks (supervision)"))
        register_kind("deliberation.meeting", _("Meeting notices"))
        register_kind("deliberation.ballot", _("Ballots I vote in"))
