"""Admin for repairs (DESIGN §3: the back office of last resort) of assisted services (帮办代办)
and the mobile desk (流动办公桌). The catalogue and the desk schedule may be repaired here. A
request's status and a slot's bookings move only through the services (which keep `booked`
equal to the open requests and tell the resident), so they are shown read-only."""

from django.contrib import admin

from linju.core.admin_audit import AuditedAdmin

from .models import DeskSession, ServiceItem, ServiceRequest, ServiceSlot


class ReadOnlyAdmin(AuditedAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlacedAdmin(AuditedAdmin):
    """The place is fixed once made: the row's scope path is copied from it."""

    def get_readonly_fields(self, request, obj=None):
        return ["place"] if obj else []


@admin.register(ServiceItem)
class ServiceItemAdmin(PlacedAdmin):
    list_display = ["name", "place", "handling_role", "time_limit_days", "active"]
    list_filter = ["active", "handling_role"]
    search_fields = ["name"]
    raw_id_fields = ["place"]


@admin.register(ServiceSlot)
class ServiceSlotAdmin(ReadOnlyAdmin):
    list_display = ["day", "starts", "ends", "place", "capacity", "booked"]
    list_select_related = ["place"]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "item", "status", "due_on", "created_at"]
    list_filter = ["status"]
    list_select_related = ["item"]


@admin.register(DeskSession)
class DeskSessionAdmin(PlacedAdmin):
    list_display = ["day", "starts", "ends", "location", "place"]
    raw_id_fields = ["place"]
    list_select_related = ["place"]
