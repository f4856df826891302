"""Admin for the cross-cutting records. The audit log can be read here but never written."""

from django.contrib import admin

from .admin_audit import AuditedAdmin
from .models import ApiToken, AuditEvent, Notification, NotificationPreference


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedAdmin):
    """Append-only: no add, change or delete, even for superusers (DESIGN §4 Audit)."""

    list_display = ["created_at", "actor", "verb", "object_type", "object_id", "object_repr"]
    list_filter = ["object_type"]
    search_fields = ["verb", "object_id", "object_repr", "actor__mobile", "scope_path"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # the log grows without bound; skip the second COUNT(*)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(AuditedAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__mobile", "recipient__name"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AuditedAdmin):
    list_display = ["user", "email", "webhook"]
    list_filter = ["email", "webhook"]
    search_fields = ["user__mobile", "user__name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Tokens are created on the user's token page, the only place the secret is ever shown;
    here they can only be inspected or revoked (set `revoked at`)."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix", "user__mobile"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
