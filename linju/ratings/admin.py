"""Admin for repairs. Rubrics, contests and rounds move through the staff pages, which check
scope, keep a round's order (open → scoring → review → published → locked), rank it and write
the audit log; an edit here does none of that. An adopted rubric never changes (its rounds
were scored with it), and corrections and awards are append-only records: they are shown
read-only."""

from django.contrib import admin

from linju.core.admin_audit import AuditedAdmin

from .models import (
    Appraisal,
    AppraisalScore,
    Award,
    Contest,
    Correction,
    Entry,
    HeadDuty,
    Panellist,
    Round,
    RoundPanellist,
    Rubric,
    RubricComment,
    RubricItem,
    Sheet,
    StarBand,
    Target,
)


class ReadOnlyAdmin(AuditedAdmin):
    """Append-only records: viewed here, never added, changed or deleted."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FrozenWhenAdopted:
    """An inline of a rubric's content: editable while the rubric is a draft only."""

    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.editable) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.editable) and super().has_delete_permission(request, obj)


class RubricItemInline(FrozenWhenAdopted, admin.TabularInline):
    model = RubricItem
    extra = 0
    fields = [
        "position",
        "code",
        "title",
        "kind",
        "max_points",
        "exemptions",
        "evidence_required",
        "tiebreak",
    ]


class StarBandInline(FrozenWhenAdopted, admin.TabularInline):
    model = StarBand
    extra = 0


@admin.register(Rubric)
class RubricAdmin(AuditedAdmin):
    list_display = ["name", "version", "purpose", "status", "place", "created_at", "adopted_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["=id", "name", "code"]
    raw_id_fields = ["place", "based_on", "topic", "created_by", "adopted_by"]
    readonly_fields = ["path"]
    inlines = [RubricItemInline, StarBandInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.editable:
            # An adopted (or retired) version is the record its rounds were scored with.
            return [
                "path",
                "purpose",
                "code",
                "version",
                "name",
                "description",
                "place",
                "status",
                "based_on",
                "adopted_by",
                "adopted_at",
            ]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.editable) and super().has_delete_permission(request, obj)


@admin.register(RubricComment)
class RubricCommentAdmin(AuditedAdmin):
    list_display = ["rubric", "item", "user", "created_at"]
    raw_id_fields = ["rubric", "item", "user"]
    search_fields = ["text"]
    show_full_result_count = False


class PanellistInline(admin.TabularInline):
    model = Panellist
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Contest)
class ContestAdmin(AuditedAdmin):
    list_display = ["name", "purpose", "target_kind", "period", "place", "rubric", "active"]
    list_filter = ["purpose", "period", "active"]
    search_fields = ["=id", "name"]
    raw_id_fields = ["place", "rubric", "party_organisation", "created_by"]
    readonly_fields = ["path"]
    inlines = [PanellistInline]


class RoundPanellistInline(admin.TabularInline):
    model = RoundPanellist
    extra = 0
    raw_id_fields = ["user"]


class TargetInline(admin.TabularInline):
    """The ranking as computed (`ranking.rank_round`): read-only, it is redone from the sheets."""

    model = Target
    extra = 0
    fields = ["position", "label", "sheets", "total", "lost", "vetoed", "rank", "flag", "stars"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Round)
class RoundAdmin(AuditedAdmin):
    list_display = ["contest", "period_start", "status", "due_on", "published_at", "locked_at"]
    list_filter = ["status", "contest__purpose"]
    search_fields = ["=id", "contest__name"]
    date_hierarchy = "period_start"
    raw_id_fields = ["contest", "place", "rubric", "opened_by", "published_by"]
    # The frozen settings are the round's record: not edited here.
    readonly_fields = ["path", "aggregation", "trim", "flags", "ranked_at"]
    show_full_result_count = False
    inlines = [RoundPanellistInline, TargetInline]


@admin.register(Target)
class TargetAdmin(AuditedAdmin):
    list_display = ["label", "round", "rank", "total", "lost", "vetoed", "flag", "stars"]
    list_filter = ["flag", "vetoed"]
    search_fields = ["=id", "label"]
    raw_id_fields = ["round", "place", "member"]
    readonly_fields = ["sheets", "total", "lost", "tiebreak", "vetoed", "rank", "flag", "stars"]
    show_full_result_count = False


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    fields = ["item", "points", "exempt", "vetoed", "note", "photo", "value", "lost"]
    # What the mark counts for is derived by `scoring.effect` when a service saves it.
    readonly_fields = ["value", "lost"]
    raw_id_fields = ["item"]


@admin.register(Sheet)
class SheetAdmin(AuditedAdmin):
    list_display = ["target", "round", "panellist", "total", "lost", "vetoed", "submitted_at"]
    list_filter = ["vetoed", "round__status"]
    search_fields = ["=id", "target__label"]
    raw_id_fields = ["round", "target", "panellist"]
    readonly_fields = ["total", "lost", "tiebreak", "vetoed"]
    show_full_result_count = False
    inlines = [EntryInline]


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    list_display = ["round", "entry", "reason", "corrected_by", "corrected_at"]
    search_fields = ["reason"]
    raw_id_fields = ["round", "entry", "corrected_by"]


@admin.register(HeadDuty)
class HeadDutyAdmin(AuditedAdmin):
    list_display = ["contest", "year", "user", "fulfilled", "decided_at"]
    list_filter = ["year", "fulfilled"]
    raw_id_fields = ["contest", "user", "decided_by"]


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["contest", "year", "kind", "unit", "household", "percent", "amount_fen"]
    list_filter = ["year", "kind"]
    raw_id_fields = ["contest", "household", "unit", "user", "confirmed_by"]
    show_full_result_count = False


class AppraisalScoreInline(admin.TabularInline):
    model = AppraisalScore
    extra = 0
    raw_id_fields = ["item"]


@admin.register(Appraisal)
class AppraisalAdmin(AuditedAdmin):
    list_display = ["subject", "rubric", "user", "created_at"]
    search_fields = ["subject"]
    raw_id_fields = ["rubric", "user"]
    readonly_fields = ["path"]
    show_full_result_count = False
    inlines = [AppraisalScoreInline]
