"""Django admin is for repair. A repair of a governance record is itself a change of governance
weight (DESIGN §4 Audit), so every add, change and delete made there writes an audit event
beside Django's own admin log, which is neither scoped nor append-only. Every ModelAdmin of
Linju derives from AuditedAdmin (checked by core/tests/test_admin.py)."""

from django.contrib import admin

from . import audit
from .access import scope_path_of


class AuditedAdmin(admin.ModelAdmin):
    def log_addition(self, request, obj, message):
        _record(request, "admin.add", obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        _record(request, "admin.change", obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        # Called before the rows go, while they can still name their scope.
        for obj in queryset:
            _record(request, "admin.delete", obj, [])
        return super().log_deletions(request, queryset)


def _record(request, verb, obj, message):
    try:
        scope_path = scope_path_of(obj)
    except TypeError:  # a setting with no place (a category, a procedure): city-wide
        scope_path = ""
    audit.record(
        actor=request.user, verb=verb, obj=obj, scope_path=scope_path, data={"changes": message}
    )
