"""Admin for repairs. Topics, meetings and ballots move through the staff pages, which check
scope, keep the procedure's order, freeze electorates and write the audit log; an edit here
does none of that. Procedures, stages, meeting kinds and support thresholds are ordinary data
and are kept here."""

from django.contrib import admin

from linju.core.admin_audit import AuditedAdmin

from .models import (
    AgendaItem,
    Ballot,
    BallotOption,
    Decision,
    Elector,
    Evaluation,
    Invitee,
    Meeting,
    MeetingKind,
    Procedure,
    Publication,
    Representative,
    Stage,
    StageCompletion,
    SupportRule,
    Task,
    TaskUpdate,
    Topic,
    Vote,
)


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ["order", "code", "name", "completer_roles", "needs", "meeting_kind", "publishes"]


@admin.register(Procedure)
class ProcedureAdmin(AuditedAdmin):
    list_display = ["code", "name", "active"]
    inlines = [StageInline]


@admin.register(MeetingKind)
class MeetingKindAdmin(AuditedAdmin):
    list_display = ["code", "name", "notice_days", "quorum_numerator", "quorum_denominator"]

    def get_readonly_fields(self, request, obj=None):
        # Stages and invitation rules name kinds by code: a saved kind keeps its code.
        return ["code"] if obj else []


@admin.register(SupportRule)
class SupportRuleAdmin(AuditedAdmin):
    list_display = ["place", "households", "percent"]
    raw_id_fields = ["place"]


@admin.register(Representative)
class RepresentativeAdmin(AuditedAdmin):
    list_display = ["user", "community", "since", "until"]
    raw_id_fields = ["user", "community"]
    list_filter = ["until"]


class CompletionInline(admin.TabularInline):
    model = StageCompletion
    extra = 0
    fields = ["stage", "completed_by", "completed_at", "note", "meeting", "ballot"]
    raw_id_fields = ["completed_by", "meeting", "ballot"]


@admin.register(Topic)
class TopicAdmin(AuditedAdmin):
    list_display = ["id", "title", "status", "source", "place", "support_count", "created_at"]
    list_filter = ["status", "source", "procedure"]
    search_fields = ["=id", "title"]
    raw_id_fields = ["place", "proposer", "current_stage"]
    readonly_fields = ["path"]
    show_full_result_count = False
    inlines = [CompletionInline]


class TaskUpdateInline(admin.TabularInline):
    model = TaskUpdate
    extra = 0
    raw_id_fields = ["author"]


@admin.register(Decision)
class DecisionAdmin(AuditedAdmin):
    list_display = ["topic", "decided_at", "meeting", "ballot"]
    raw_id_fields = ["topic", "meeting", "ballot", "decided_by"]


@admin.register(Task)
class TaskAdmin(AuditedAdmin):
    list_display = ["title", "topic", "owner", "due_on", "status", "progress"]
    list_filter = ["status"]
    raw_id_fields = ["decision", "topic", "owner", "created_by"]
    readonly_fields = ["path"]
    inlines = [TaskUpdateInline]


@admin.register(Evaluation)
class EvaluationAdmin(AuditedAdmin):
    list_display = ["topic", "user", "stars", "created_at"]
    raw_id_fields = ["topic", "user"]


@admin.register(Publication)
class PublicationAdmin(AuditedAdmin):
    list_display = ["title", "kind", "place", "published_at"]
    list_filter = ["kind"]
    raw_id_fields = ["place", "topic", "ballot", "meeting", "published_by"]
    readonly_fields = ["path"]


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["topic"]


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    list_display = ["title", "kind", "place", "starts_at", "status"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["place", "created_by"]
    readonly_fields = ["path", "checkin_token"]
    inlines = [AgendaInline]


@admin.register(Invitee)
class InviteeAdmin(AuditedAdmin):
    list_display = ["meeting", "user", "via", "rsvp", "checked_in_at"]
    raw_id_fields = ["meeting", "user", "checked_in_by"]


class OptionInline(admin.TabularInline):
    model = BallotOption
    extra = 0


@admin.register(Ballot)
class BallotAdmin(AuditedAdmin):
    list_display = ["title", "place", "electorate", "rule", "status", "closes_at", "passed"]
    list_filter = ["status", "rule", "electorate"]
    raw_id_fields = ["place", "topic", "meeting", "created_by"]
    # The frozen electorate and the result are the ballot's record: not edited here.
    readonly_fields = ["path", "electorate_heads", "electorate_area", "result", "passed"]
    inlines = [OptionInline]


@admin.register(Elector)
class ElectorAdmin(AuditedAdmin):
    list_display = ["ballot", "label", "area", "affected"]
    raw_id_fields = ["ballot"]
    search_fields = ["label"]
    show_full_result_count = False


@admin.register(Vote)
class VoteAdmin(AuditedAdmin):
    # The choice is left out: secret ballots stay secret in the back office too.
    list_display = ["ballot", "elector", "method", "cast_at", "confirmed_at"]
    list_filter = ["method"]
    raw_id_fields = ["ballot", "elector", "option", "cast_by", "confirmed_by"]
    exclude = ["option"]
    show_full_result_count = False
