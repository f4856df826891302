"""Django admin for surveys: the back office of last resort (staff use the pages)."""

from django.contrib import admin

from linju.core.admin_audit import AuditedAdmin

from .models import Survey


@admin.register(Survey)
class SurveyAdmin(AuditedAdmin):
    list_display = ["title", "place", "status", "opens_on", "closes_on", "response_count"]
    list_filter = ["status", "audience"]
    search_fields = ["title"]
    raw_id_fields = ["place", "created_by"]
