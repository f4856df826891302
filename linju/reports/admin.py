"""Admin for repairs of reports. Reports move through the staff pages, which check scope, write
the timeline and the audit log and notify; an edit here does none of that. Categories are
ordinary data and may be kept here too."""

from django.contrib import admin

from linju.core.admin_audit import AuditedAdmin

from .models import Category, CategoryAttribute, Message, Photo, Report, Step, Supporter


class AttributeInline(admin.TabularInline):
    model = CategoryAttribute
    extra = 0


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = [
        "code",
        "name",
        "group",
        "level",
        "handler_role",
        "accept_hours",
        "resolve_hours",
        "urgent",
        "is_public",
        "active",
    ]
    list_filter = ["level", "urgent", "is_public", "active"]
    search_fields = ["code", "name", "keywords"]
    inlines = [AttributeInline]


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["created_at", "kind", "status", "actor", "text", "public"]
    readonly_fields = ["actor"]


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = ["image", "width", "height", "step", "created_at"]
    readonly_fields = ["width", "height", "step"]


@admin.register(Report)
class ReportAdmin(AuditedAdmin):
    list_display = [
        "id",
        "category",
        "status",
        "level",
        "estate",
        "created_at",
        "due_at",
        "handler",
    ]
    list_filter = ["status", "level", "category", "joint", "source"]
    search_fields = ["=id", "title", "description"]
    date_hierarchy = "created_at"
    # Foreign keys to tables of millions of rows: an id box, not a select of every row.
    raw_id_fields = ["reporter", "place", "estate", "grid", "household", "handler", "merged_into"]
    list_select_related = ["category", "estate", "handler"]
    show_full_result_count = False
    readonly_fields = ["token", "path"]
    inlines = [StepInline, PhotoInline]


@admin.register(Supporter)
class SupporterAdmin(AuditedAdmin):
    list_display = ["report", "user", "created_at"]
    raw_id_fields = ["report", "user"]


@admin.register(Message)
class MessageAdmin(AuditedAdmin):
    list_display = ["report", "author", "role", "created_at"]
    raw_id_fields = ["report", "author"]
