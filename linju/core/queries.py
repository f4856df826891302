"""Reads for the core pages: the inbox, the audit log inside a user's scope, staff scopes."""

import datetime

from django.utils import timezone

from . import access
from .models import AuditEvent, Notification


def inbox(user):
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def latest_notifications(user, limit: int = 5):
    return list(inbox(user)[:limit])


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_events(
    user,
    *,
    actor_mobile: str = "",
    verb: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
):
    """Audit events inside the user's `core.view_audit` scope, newest first. Dates are local
    calendar days, both ends included; bounds are compared as instants so the index on
    created_at serves the filter."""
    qs = AuditEvent.objects.filter(access.scope(user, "core.view_audit").q("scope_path"))
    if actor_mobile:
        qs = qs.filter(actor__mobile=actor_mobile)
    if verb:
        qs = qs.filter(verb=verb)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if date_from:
        qs = qs.filter(created_at__gte=_local_midnight(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_local_midnight(date_to + datetime.timedelta(days=1)))
    return qs.select_related("actor").order_by("-created_at", "-id")


def staff_grants(user):
    """The user's live role grants with their place or grid, for "your scopes"."""
    from linju.people.models import RoleGrant

    return (
        RoleGrant.objects.filter(user=user, revoked_at__isnull=True)
        .select_related("place", "grid__community")
        .order_by("role", "pk")
    )
