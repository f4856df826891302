"""Admin for repairs (DESIGN §3: the back office of last resort) of teams, activities, interest
groups and the talent pool (seeds 000, 002).

What the ledgers depend on is read-only here: a service record's status, points and decision,
a sign-up's status, check-in, confirmation and points, and an activity's count of places taken.
Those change only through the services (a leader's confirmation, the organiser's confirmation,
sign-up and cancellation), which post to the points and hours ledgers once per key
(`team-service:<id>`, `activity:<sign-up id>`) and keep the wait list in order. A confirmed
record is never deleted here, nor an activity holding one (its ledger entries point at it), nor
a sign-up holding a place (the count would go wrong). Sign-ups and service records are not
added here either: the pages and the API do that."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from linju.core.admin_audit import AuditedAdmin

from .models import (
    Activity,
    ActivityPhoto,
    GroupMember,
    InterestGroup,
    Invitation,
    ServiceRecord,
    ServiceStatus,
    SignUp,
    SignUpStatus,
    Talent,
    Team,
    TeamMember,
)

CONFIRMED_HELP = _(
    "Status, points and confirmation change only when a team leader or an activity organiser "
    "confirms, which credits the points and hours ledgers once. A confirmed record is never "
    "deleted; a wrong credit is repaired by an adjustment with its reason at the points desk."
)


class RepairAdmin(AuditedAdmin):
    """Shows `help_text` above the list and on each record's page."""

    help_text = ""
    show_full_result_count = False

    def get_fieldsets(self, request, obj=None):
        fields = self.get_fields(request, obj)
        return [(None, {"fields": fields, "description": self.help_text})]

    def changelist_view(self, request, extra_context=None):
        extra = {"subtitle": self.help_text} if self.help_text else {}
        return super().changelist_view(request, {**extra, **(extra_context or {})})


class ConfirmedAdmin(RepairAdmin):
    """Records the ledgers point at: never added here, never deleted once confirmed (one by one
    or with the list's bulk delete), and what decides the credit is read-only."""

    help_text = CONFIRMED_HELP
    always_read_only: list = []
    read_only_once_confirmed: list = []

    def is_confirmed(self, obj) -> bool:
        raise NotImplementedError

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.is_confirmed(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # The bulk delete asks no record whether it may go: confirmed ones would.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.always_read_only)
        if obj is not None and self.is_confirmed(obj):
            fields += [f for f in self.read_only_once_confirmed if f not in fields]
        return fields


# --- Teams and interest groups ------------------------------------------------------------------


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Team)
class TeamAdmin(RepairAdmin):
    list_display = ["name", "kind", "place", "open_to_join", "active", "created_at"]
    list_filter = ["kind", "active", "open_to_join"]
    search_fields = ["=id", "name"]
    raw_id_fields = ["place", "created_by"]
    readonly_fields = ["path"]
    list_select_related = ["place"]
    inlines = [TeamMemberInline]


@admin.register(TeamMember)
class TeamMemberAdmin(RepairAdmin):
    list_display = ["team", "user", "role", "joined_at"]
    list_filter = ["role"]
    search_fields = ["=user__id", "=user__mobile", "team__name"]
    raw_id_fields = ["team", "user"]
    list_select_related = ["team", "user"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ConfirmedAdmin):
    list_display = ["served_on", "team", "user", "minutes", "what", "status", "points"]
    list_filter = ["status", "team__kind"]
    search_fields = ["=id", "=user__id", "=user__mobile", "team__name", "what"]
    date_hierarchy = "served_on"
    raw_id_fields = ["team", "user", "place", "submitted_by", "decided_by"]
    list_select_related = ["team", "user"]
    always_read_only = [
        "path",
        "status",
        "points",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "reminded_at",
    ]
    # Once credited, the hours entry says who served when and how long.
    read_only_once_confirmed = ["team", "user", "place", "served_on", "minutes"]

    def is_confirmed(self, obj) -> bool:
        return obj.status == ServiceStatus.CONFIRMED


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    raw_id_fields = ["user"]
    extra = 0


@admin.register(InterestGroup)
class InterestGroupAdmin(RepairAdmin):
    list_display = ["name", "place", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["=id", "name"]
    raw_id_fields = ["place", "created_by"]
    readonly_fields = ["path"]
    list_select_related = ["place"]
    inlines = [GroupMemberInline]


@admin.register(GroupMember)
class GroupMemberAdmin(RepairAdmin):
    list_display = ["group", "user", "role", "joined_at"]
    list_filter = ["role"]
    search_fields = ["=user__id", "=user__mobile", "group__name"]
    raw_id_fields = ["group", "user"]
    list_select_related = ["group", "user"]


# --- Activities -----------------------------------------------------------------------------


@admin.register(Activity)
class ActivityAdmin(RepairAdmin):
    list_display = ["title", "kind", "place", "starts_at", "capacity", "signed", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["=id", "title", "venue"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["place", "team", "group", "organiser", "created_by"]
    list_select_related = ["place"]
    # `signed` counts the places taken: the sign-up services keep it and the wait list together.
    readonly_fields = ["path", "signed", "check_in_code", "reminded_at"]

    def has_delete_permission(self, request, obj=None):
        # Deleting an activity would take its confirmed sign-ups with it.
        if obj is not None and obj.sign_ups.filter(confirmed_at__isnull=False).exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(SignUp)
class SignUpAdmin(ConfirmedAdmin):
    list_display = ["activity", "user", "status", "signed_at", "checked_in_at", "confirmed_at"]
    list_filter = ["status"]
    search_fields = ["=activity__id", "=user__id", "=user__mobile", "activity__title"]
    date_hierarchy = "signed_at"
    raw_id_fields = ["activity", "user", "checked_in_by", "confirmed_by"]
    list_select_related = ["activity", "user"]
    always_read_only = ["status", "points", "confirmed_at", "confirmed_by", "signed_at"]
    read_only_once_confirmed = ["activity", "user", "checked_in_at", "checked_in_by"]

    def is_confirmed(self, obj) -> bool:
        return obj.confirmed_at is not None

    def has_delete_permission(self, request, obj=None):
        # A sign-up holding a place is counted in the activity's `signed`: it is cancelled
        # through the service, which frees the place and moves the wait list up.
        if obj is not None and obj.status == SignUpStatus.SIGNED:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(RepairAdmin):
    list_display = ["activity", "caption", "uploaded_by", "created_at"]
    search_fields = ["=activity__id", "activity__title", "caption"]
    raw_id_fields = ["activity", "uploaded_by"]
    list_select_related = ["activity"]


# --- Talent pool ----------------------------------------------------------------------------


@admin.register(Talent)
class TalentAdmin(RepairAdmin):
    list_display = ["user", "skill", "place", "visibility", "updated_at"]
    list_filter = ["skill", "visibility"]
    search_fields = ["=user__id", "=user__mobile", "note"]
    raw_id_fields = ["user", "place"]
    readonly_fields = ["path"]
    list_select_related = ["user", "place"]


@admin.register(Invitation)
class InvitationAdmin(RepairAdmin):
    list_display = ["talent", "activity", "project", "status", "sent_at", "answered_at"]
    list_filter = ["status"]
    search_fields = ["=talent__user__mobile", "project", "message"]
    date_hierarchy = "sent_at"
    raw_id_fields = ["talent", "activity", "place", "sent_by"]
    readonly_fields = ["path"]
    list_select_related = ["talent", "activity"]
