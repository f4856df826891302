"""Django admin for the wish wall (the back office of last resort; staff use the desk)."""

from django.contrib import admin

from linju.core.admin_audit import AuditedAdmin

from .models import Flag, Item, ItemFlag, Loan, Post


@admin.register(Post)
class PostAdmin(AuditedAdmin):
    list_display = ["title", "kind", "status", "visibility", "place", "created_at"]
    list_filter = ["kind", "status", "visibility"]
    search_fields = ["title"]
    raw_id_fields = ["place", "poster", "claimant"]


@admin.register(Flag)
class FlagAdmin(AuditedAdmin):
    list_display = ["post", "reason", "created_at", "dismissed_at"]
    raw_id_fields = ["post", "user"]


@admin.register(Item)
class ItemAdmin(AuditedAdmin):
    list_display = ["title", "kind", "status", "visibility", "place", "created_at"]
    list_filter = ["kind", "status", "visibility"]
    search_fields = ["title"]
    raw_id_fields = ["place", "owner"]


@admin.register(Loan)
class LoanAdmin(AuditedAdmin):
    list_display = ["item", "status", "requested_at", "handed_at", "returned_at"]
    raw_id_fields = ["item", "borrower"]


@admin.register(ItemFlag)
class ItemFlagAdmin(AuditedAdmin):
    list_display = ["item", "reason", "created_at", "dismissed_at"]
    raw_id_fields = ["item", "user"]
