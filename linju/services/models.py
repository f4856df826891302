"""Assisted services (帮办代办) and the mobile desk (流动办公桌), seed 002.

A community publishes its 网格驿站帮办代办事项服务清单: the catalogue of items residents can have
handled for them (what each does, the materials to bring, the role that handles it, a time
limit in working days). A resident requests an item for their household and books one of the
slots staff publish; the handlers of the role move the request along and write notes. The
mobile desk is a schedule of where and when staff sit in an estate.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from linju.people.roles import Role
from linju.places.models import Household, Scoped
from linju.places.paths import PathField

# The roles an item may be handed to: those that handle residents' matters in a scope.
HANDLING_ROLES = [
    (r.value, r.label)
    for r in (
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.BUILDING_HEAD,
        Role.UNIT_HEAD,
        Role.FLOOR_HEAD,
    )
]


class ServiceItem(Scoped):
    """One item of a community's assisted-service list (帮办代办事项)."""

    name = models.CharField(_("item"), max_length=100)
    description = models.TextField(_("what it does"), blank=True)
    materials = models.TextField(_("materials to bring"), blank=True)
    handling_role = models.CharField(_("handled by"), max_length=32, choices=HANDLING_ROLES)
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path", "name"]
        verbose_name = _("assisted-service item")
        verbose_name_plural = _("assisted-service items")
        constraints = [
            models.CheckConstraint(
                condition=Q(time_limit_days__gte=1) & Q(time_limit_days__lte=60),
                name="service_item_time_limit",
            ),
            models.UniqueConstraint(fields=["place", "name"], name="service_item_unique_name"),
        ]
        indexes = [models.Index(fields=["path"], name="service_item_path")]

    def __str__(self):
        return self.name


class ServiceSlot(Scoped):
    """A time slot staff publish for the community's assisted services; `booked` never exceeds
    `capacity` (a database constraint, the last guard under concurrent bookings)."""

    day = models.DateField(_("day"))
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("to"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept, not deleted: closed requests still name the slot they had.
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        ordering = ["day", "starts", "pk"]
        verbose_name = _("service slot")
        verbose_name_plural = _("service slots")
        constraints = [
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="service_slot_cap"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="service_slot_capacity"),
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="service_slot_times"),
        ]
        indexes = [models.Index(fields=["path", "day"], name="service_slot_path_day")]

    def __str__(self):
        return f"{self.day} {self.starts:%H:%M}–{self.ends:%H:%M}"

    @property
    def free(self):
        return self.capacity - self.booked


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (RequestStatus.REQUESTED, RequestStatus.ACCEPTED)


class ServiceRequest(models.Model):
    """A household's request for an item (代办申请). Its scope is the household, so the staff of
    the household's unit, building, grid and community see it."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="requests")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    path = PathField(max_length=255, editable=False, default="")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_requests"
    )
    slot = models.ForeignKey(
        ServiceSlot, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    note = models.TextField(_("note"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    due_on = models.DateField(_("due"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(reason=""), name="service_request_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["path", "status"], name="service_request_path"),
            models.Index(fields=["requester", "-created_at"], name="service_request_mine"),
        ]

    def __str__(self):
        return f"{self.item.name} #{self.pk}"

    @property
    def scope_path(self):
        return self.path

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class RequestNote(models.Model):
    """A handler's note on a request (办理记录)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    status = models.CharField(max_length=16, choices=RequestStatus.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:40]


class DeskSession(Scoped):
    """One sitting of the mobile desk (流动办公桌): where and when staff sit in an estate."""

    day = models.DateField(_("day"))
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("to"))
    location = models.CharField(_("where"), max_length=100)
    staff = models.CharField(_("who sits there"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept, not deleted: the audit trail names the sitting; schedules leave it out.
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["day", "starts", "pk"]
        verbose_name = _("mobile desk session")
        verbose_name_plural = _("mobile desk sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="desk_session_times"),
        ]
        indexes = [models.Index(fields=["path", "day"], name="desk_session_path_day")]

    def __str__(self):
        return f"{self.location} {self.day}"
