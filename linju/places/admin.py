"""Admin for repairs of the governance tree. Staff build the tree with pages and the roster
import; the admin is the back office of last resort (DESIGN §3)."""

from django.contrib import admin

from linju.core.admin_audit import AuditedAdmin

from .models import Grid, Household, Place


@admin.register(Place)
class PlaceAdmin(AuditedAdmin):
    """A place's parent is fixed once created: `save()` recomputes only the place's own path, so
    moving it here would leave its descendants' paths (and every scope filter) wrong."""

    list_display = ["name", "kind", "code", "parent", "path"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path"]
    ordering = ["path"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "parent"] if obj else self.readonly_fields


@admin.register(Grid)
class GridAdmin(AuditedAdmin):
    list_display = ["name", "code", "community"]
    search_fields = ["name", "code", "community__name"]
    list_select_related = ["community"]
    autocomplete_fields = ["community", "buildings"]


@admin.register(Household)
class HouseholdAdmin(AuditedAdmin):
    """As with places, a household's unit is fixed once created (its path derives from it)."""

    list_display = ["room", "unit", "floor", "area", "owner_name", "invite_code"]
    search_fields = ["room", "invite_code", "unit__name", "owner_mobile"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit"]
    readonly_fields = ["path", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "unit"] if obj else self.readonly_fields
