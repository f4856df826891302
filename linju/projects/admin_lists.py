"""Admin of the needs and resources lists and the partners (the back office of last resort):
staff record and change them on their pages, where the services check scopes and audit each
change. Here a repair is audited as admin.* (AuditedAdmin). A need's supporters are counted
under its lock by the service: the count and the supporters are shown read-only."""

from django.contrib import admin

from linju.core.admin_audit import AuditedAdmin

from .models import Agreement, Delivery, Need, Partner, Resource


class AgreementInline(admin.TabularInline):
    model = Agreement
    extra = 0
    fields = ("title", "starts_on", "ends_on", "signed_on", "document")


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ("delivered_on", "what", "value_fen", "agreement", "project")
    raw_id_fields = ("agreement", "project")


@admin.register(Partner)
class PartnerAdmin(AuditedAdmin):
    list_display = ("name", "kind", "place", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "contact_name")
    raw_id_fields = ("place", "members", "created_by")
    readonly_fields = ("path", "created_at")
    inlines = [AgreementInline, DeliveryInline]
    list_select_related = ("place",)


@admin.register(Need)
class NeedAdmin(AuditedAdmin):
    list_display = ("title", "place", "source", "status", "support_count", "households")
    list_filter = ("status", "source")
    search_fields = ("title", "source_ref")
    raw_id_fields = ("place", "created_by")
    readonly_fields = ("path", "support_count", "created_at")
    list_select_related = ("place",)


@admin.register(Resource)
class ResourceAdmin(AuditedAdmin):
    list_display = ("title", "kind", "place", "partner", "quantity", "unit", "status")
    list_filter = ("kind", "status")
    search_fields = ("title",)
    raw_id_fields = ("place", "partner", "offered_by", "created_by")
    readonly_fields = ("path", "created_at")
    list_select_related = ("place", "partner")
