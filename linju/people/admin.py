"""Admin for repairs of people records. Residencies and role grants are normally decided on the
verification and roles pages, which check scope, notify and write the audit log; an edit here
does none of that, so use it only to repair data."""

from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from linju.core.admin_audit import AuditedAdmin

from .models import (
    LiaisonHousehold,
    PartyMembership,
    PartyOrganisation,
    Residency,
    RoleGrant,
    SmsCode,
    User,
)


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("mobile", "name")
        field_classes = {}


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {}


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    """Django's user admin, keyed by mobile number instead of a username."""

    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("mobile", "password")}),
        (_("Person"), {"fields": ("name", "email", "language", "elder_mode")}),
        (_("Privacy consent"), {"fields": ("privacy_consent_at", "privacy_consent_version")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("mobile", "name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ["mobile", "name", "email", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "elder_mode"]
    search_fields = ["mobile", "name", "email"]
    ordering = ["-date_joined"]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Residency)
class ResidencyAdmin(AuditedAdmin):
    """Normally asked for by the resident and decided on the verification queue page."""

    list_display = ["id", "user", "household_label", "relation", "status", "source", "requested_at"]
    list_filter = ["status", "relation", "source"]
    search_fields = ["user__mobile", "user__name", "household__room", "household__invite_code"]
    list_select_related = ["user", "household__unit__parent"]
    raw_id_fields = ["user", "household", "decided_by"]
    date_hierarchy = "requested_at"

    @admin.display(description=_("household"), ordering="household__path")
    def household_label(self, obj):
        unit = obj.household.unit
        return f"{unit.parent.name} {unit.name} {obj.household.room}"


class LiveFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return [("1", _("Live")), ("0", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(revoked_at__isnull=self.value() == "1")
        return queryset


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedAdmin):
    """Normally granted and revoked on the roles page, which checks the granter's scope."""

    list_display = ["user", "role", "place", "grid", "granted_at", "revoked_at"]
    list_filter = ["role", LiveFilter]
    search_fields = ["user__mobile", "user__name", "place__name", "grid__name"]
    list_select_related = ["user", "place", "grid"]
    raw_id_fields = ["user", "place", "grid", "granted_by", "revoked_by"]


class PartyMembershipInline(admin.TabularInline):
    model = PartyMembership
    raw_id_fields = ["user"]
    extra = 0


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "place", "grid", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "place__name"]
    list_select_related = ["place", "grid", "parent"]
    raw_id_fields = ["parent", "place", "grid"]
    inlines = [PartyMembershipInline]


@admin.register(PartyMembership)
class PartyMembershipAdmin(AuditedAdmin):
    list_display = ["user", "organisation", "position", "joined_at"]
    search_fields = ["user__mobile", "user__name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    raw_id_fields = ["user", "organisation"]


@admin.register(LiaisonHousehold)
class LiaisonHouseholdAdmin(AuditedAdmin):
    list_display = ["member", "household_label", "organisation"]
    search_fields = ["member__mobile", "member__name", "household__room", "organisation__name"]
    list_select_related = ["member", "household__unit", "organisation"]
    raw_id_fields = ["member", "household", "organisation", "served"]

    @admin.display(description=_("liaison household"), ordering="household__path")
    def household_label(self, obj):
        return f"{obj.household.unit.name} {obj.household.room}"


@admin.register(SmsCode)
class SmsCodeAdmin(AuditedAdmin):
    """Read-only: codes are sent by the login and sign-up pages; only their hashes are kept."""

    list_display = ["mobile", "purpose", "created_at", "expires_at", "attempts", "used_at"]
    list_filter = ["purpose"]
    search_fields = ["mobile"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
