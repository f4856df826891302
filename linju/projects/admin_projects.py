"""Django admin for micro-projects (with their rows inline) and elevator retrofits: repair only,
every change audited (core.admin_audit)."""

from django.contrib import admin

from linju.core.admin_audit import AuditedAdmin

from .models import (
    BudgetLine,
    ElevatorRetrofit,
    Milestone,
    Project,
    ProjectTask,
    ResourceUse,
    RetrofitStageChange,
    StageChange,
)


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_stage", "to_stage", "note", "by", "at"]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    raw_id_fields = ["partner"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class TaskInline(admin.TabularInline):
    model = ProjectTask
    extra = 0
    fk_name = "project"
    raw_id_fields = ["owner", "partner", "milestone", "done_by"]


class ResourceUseInline(admin.TabularInline):
    model = ResourceUse
    extra = 0
    raw_id_fields = ["resource"]


@admin.register(Project)
class ProjectAdmin(AuditedAdmin):
    list_display = ["title", "stage", "path", "created_at"]
    list_filter = ["stage"]
    search_fields = ["title"]
    raw_id_fields = ["place", "topic", "ballot", "lead", "created_by"]
    filter_horizontal = ["needs", "partners"]
    readonly_fields = ["rating_count", "rating_sum"]
    inlines = [StageChangeInline, BudgetLineInline, MilestoneInline, TaskInline, ResourceUseInline]


class RetrofitStageChangeInline(admin.TabularInline):
    model = RetrofitStageChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_stage", "to_stage", "on", "note", "by", "at"]


@admin.register(ElevatorRetrofit)
class ElevatorRetrofitAdmin(AuditedAdmin):
    list_display = ["place", "stage", "signed_on", "construction_started_on", "in_use_on"]
    list_filter = ["stage"]
    raw_id_fields = ["place", "project", "ballot", "created_by"]
    inlines = [RetrofitStageChangeInline]
