"""Reads about people, scoped by core.access."""

from django.db.models import Prefetch

from linju.core import access
from linju.places.models import Household

from .models import Residency, ResidencyStatus, RoleGrant


def my_residencies(user):
    """The user's live residencies (pending and verified), households and places loaded."""
    return Residency.objects.filter(
        user=user, status__in=[ResidencyStatus.PENDING, ResidencyStatus.VERIFIED]
    ).select_related("household__unit__parent__parent")


def my_households(user):
    """Households the user is a verified member of, with their verified members."""
    members = Residency.objects.filter(status=ResidencyStatus.VERIFIED).select_related("user")
    return (
        Household.objects.filter(
            residencies__user=user, residencies__status=ResidencyStatus.VERIFIED
        )
        .select_related("unit__parent__parent")
        .prefetch_related(Prefetch("residencies", queryset=members, to_attr="members"))
        .distinct()
    )


def pending_verifications(user):
    """Residency requests the user may decide, oldest first."""
    qs = (
        Residency.objects.filter(status=ResidencyStatus.PENDING)
        .select_related("user", "household__unit__parent__parent")
        .order_by("requested_at", "pk")
    )
    return access.filter_queryset(user, "people.verify_residency", qs, field="household__path")


def visible_households(user):
    qs = Household.objects.select_related("unit__parent__parent")
    return access.filter_queryset(user, "people.view_household", qs)


def grants_manageable_by(user):
    """Live and past role grants inside the user's role-granting scope."""
    s = access.scope(user, "people.grant_role")
    qs = RoleGrant.objects.select_related("user", "place", "grid__community", "granted_by")
    if s.everywhere:
        return qs
    return qs.filter(s.q("place__path") | s.q("grid__community__path"))
