"""Django admin for the notice board and the newsletter: the back office of last resort (staff
use the desk pages; the services apply the privacy guard and the disclosure rules, the admin
does not). Read receipts are evidence of who read what: they are shown, never written here."""

from django.contrib import admin

from linju.core.admin_audit import AuditedAdmin

from .models import Attachment, IssueItem, Newsletter, NewsletterIssue, Notice, Objection, Receipt


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["name", "file", "is_image", "added_at"]
    readonly_fields = ["added_at"]
    extra = 0


@admin.register(Notice)
class NoticeAdmin(AuditedAdmin):
    list_display = ["title", "kind", "status", "place", "important", "pinned", "published_at"]
    list_filter = ["kind", "status", "important", "pinned", "privacy", "source_app"]
    search_fields = ["=id", "title", "body", "source"]
    raw_id_fields = ["place", "author"]
    readonly_fields = ["path", "source", "source_app", "created_at"]
    list_select_related = ["place"]
    date_hierarchy = "created_at"
    inlines = [AttachmentInline]


@admin.register(Attachment)
class AttachmentAdmin(AuditedAdmin):
    list_display = ["name", "notice", "is_image", "added_at"]
    list_filter = ["is_image"]
    search_fields = ["=notice__id", "name", "notice__title"]
    raw_id_fields = ["notice"]
    list_select_related = ["notice"]


@admin.register(Receipt)
class ReceiptAdmin(AuditedAdmin):
    list_display = ["notice", "user", "read_at"]
    search_fields = ["=notice__id", "=user__id", "=user__mobile", "notice__title"]
    list_filter = ["notice__kind"]
    raw_id_fields = ["notice", "user"]
    list_select_related = ["notice", "user"]
    readonly_fields = ["notice", "user", "read_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Objection)
class ObjectionAdmin(AuditedAdmin):
    list_display = ["notice", "author", "created_at", "answered_at"]
    list_filter = ["answered_at"]
    search_fields = ["=notice__id", "=author__id", "=author__mobile", "text", "answer"]
    raw_id_fields = ["notice", "author", "answered_by"]
    list_select_related = ["notice", "author"]
    readonly_fields = ["created_at"]


@admin.register(Newsletter)
class NewsletterAdmin(AuditedAdmin):
    list_display = ["name", "place", "organisation", "created_at"]
    search_fields = ["=id", "name"]
    raw_id_fields = ["place", "organisation"]
    readonly_fields = ["path"]
    list_select_related = ["place", "organisation"]


class IssueItemInline(admin.TabularInline):
    model = IssueItem
    fields = ["section", "position", "title", "summary", "link", "included"]
    extra = 0


@admin.register(NewsletterIssue)
class NewsletterIssueAdmin(AuditedAdmin):
    list_display = ["newsletter", "year", "quarter", "number", "editor", "status", "published_at"]
    list_filter = ["status", "year", "quarter"]
    search_fields = ["=id", "newsletter__name", "foreword"]
    raw_id_fields = ["newsletter", "editor"]
    list_select_related = ["newsletter", "editor"]
    inlines = [IssueItemInline]


@admin.register(IssueItem)
class IssueItemAdmin(AuditedAdmin):
    list_display = ["title", "issue", "section", "position", "included"]
    list_filter = ["section", "included"]
    search_fields = ["=issue__id", "title", "summary", "source"]
    raw_id_fields = ["issue"]
    readonly_fields = ["source"]
    list_select_related = ["issue"]
