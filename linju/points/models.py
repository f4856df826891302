"""Volunteer points (公益积分) and service hours, and the love supermarket (爱心超市) where points
are exchanged (seeds 000, 002, 004: 志愿积分兑换机制, 公益微循环).

Two ledgers, both append-only, each entry carrying an idempotency key that the database keeps
unique: service hours (a person's volunteer record: kept for ever, never spent) and points
(earned and spent). A person's balances are cached on one row each, under a CHECK constraint
that they never go below zero, and changed only together with the entry that explains them
(`ledger.py`). Money-like rules: nothing appears or vanishes, even under concurrent requests."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.core.uploads import stored_name
from linju.places.models import Scoped

User = settings.AUTH_USER_MODEL


def item_photo_path(instance, filename):
    """A random name with the extension of the cleaned photo, not the client's (see
    deliberation.models.private_path)."""
    return stored_name("points/items", filename)


# ---------------------------------------------------------------------------------------------
# Ledgers


class Account(models.Model):
    """A person's balances: points (spendable) and service minutes (kept for ever). Changed only
    by `ledger.post_points` / `ledger.post_hours`, in the transaction that writes the entry."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="points_account")
    points = models.IntegerField(pgettext_lazy("volunteer points", "points"), default=0)
    minutes = models.IntegerField(_("service minutes"), default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=0), name="account_points_not_negative"),
            models.CheckConstraint(
                condition=Q(minutes__gte=0), name="account_minutes_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.points}"


class PointsKind(models.TextChoices):
    SERVICE = "service", _("Volunteer service")
    ACTIVITY = "activity", _("Activity attendance")
    REPORT = "report", _("Accepted report")
    CONTEST = "contest", _("Red flag of the unit contest")
    REDEMPTION = "redemption", _("Love supermarket")
    REFUND = "refund", _("Refund")
    ADJUSTMENT = "adjustment", _("Adjustment by staff")
    EXPIRY = "expiry", _("Expired")


EARNING_KINDS = [PointsKind.SERVICE, PointsKind.ACTIVITY, PointsKind.REPORT, PointsKind.CONTEST]


class PointsEntry(Scoped):
    """One change of a person's points, with why (kind, reason, the thing it is for) and where
    (the community it belongs to). Never changed or deleted: a mistake is undone by another
    entry."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="points_entries")
    amount = models.IntegerField(pgettext_lazy("volunteer points", "points"))
    balance = models.IntegerField(_("balance after"))
    kind = models.CharField(_("kind"), max_length=16, choices=PointsKind.choices)
    key = models.CharField(max_length=120)
    ref = models.CharField(_("for"), max_length=80, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="points_entry_key_once"),
            models.CheckConstraint(condition=~Q(amount=0), name="points_entry_not_zero"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_entry_balance"),
        ]
        indexes = [
            models.Index(fields=["user", "created_at"], name="points_user_time"),
            models.Index(fields=["path", "created_at"], name="points_path_time"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.amount:+d}"


class HoursEntry(Scoped):
    """Service time credited to a volunteer (志愿服务时长): the record a certificate prints."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="hours_entries")
    minutes = models.IntegerField(pgettext_lazy("service time", "minutes"))
    total = models.IntegerField(_("total after (minutes)"))
    served_on = models.DateField(_("served on"))
    what = models.CharField(_("service"), max_length=200)
    key = models.CharField(max_length=120)
    ref = models.CharField(_("for"), max_length=80, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("service hours entry")
        verbose_name_plural = _("service hours entries")
        ordering = ["-served_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="hours_entry_key_once"),
            models.CheckConstraint(condition=~Q(minutes=0), name="hours_entry_not_zero"),
            models.CheckConstraint(condition=Q(total__gte=0), name="hours_entry_total"),
        ]
        indexes = [
            models.Index(fields=["user", "served_on"], name="hours_user_day"),
            models.Index(fields=["path", "served_on"], name="hours_path_day"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.minutes:+d} min"


class EarningRule(Scoped):
    """How a community pays points for a kind of contribution (seed 002: 志愿积分): per hour of
    service or per event, with caps per event, per day and per month; the nearest rule up the
    tree applies (`rules_of.rule_for`). Expiry: points earned more than `expiry_months` ago and
    not spent lapse (0: never)."""

    kind = models.CharField(
        _("earned by"), max_length=16, choices=[(k.value, k.label) for k in EARNING_KINDS]
    )
    points = models.PositiveIntegerField(_("points (per hour of service, or per event)"))
    max_hours_per_event = models.DecimalField(
        _("hours counted per service at most"), max_digits=4, decimal_places=1, default=2
    )
    max_per_day = models.PositiveIntegerField(_("points a day at most (0: no cap)"), default=0)
    max_per_month = models.PositiveIntegerField(_("points a month at most (0: no cap)"), default=0)
    active = models.BooleanField(_("in use"), default=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        ordering = ["path", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["place", "kind"], name="earning_rule_once"),
        ]

    def __str__(self):
        return f"{self.place_id} {self.kind}: {self.points}"


class ExpiryPolicy(Scoped):
    """积分有效期: a community's points lapse this many months after they were earned."""

    months = models.PositiveSmallIntegerField(_("months points stay valid"))
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("expiry policy")
        verbose_name_plural = _("expiry policies")
        constraints = [
            models.UniqueConstraint(fields=["place"], name="expiry_policy_once"),
            models.CheckConstraint(condition=Q(months__gte=1), name="expiry_policy_months"),
        ]

    def __str__(self):
        return f"{self.place_id}: {self.months}"


# ---------------------------------------------------------------------------------------------
# The love supermarket


class StoreItem(Scoped):
    """Something in a community's love supermarket, with its price in points and its stock."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True)
    photo = models.ImageField(_("photo"), upload_to=item_photo_path, blank=True)
    cost = models.PositiveIntegerField(pgettext_lazy("volunteer points", "points"))
    stock = models.IntegerField(_("in stock"), default=0)
    per_person = models.PositiveSmallIntegerField(
        _("at most per person a month (0: no limit)"), default=0
    )
    donor = models.CharField(_("donated by"), max_length=100, blank=True)
    active = models.BooleanField(_("on the shelf"), default=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("supermarket item")
        verbose_name_plural = _("supermarket items")
        ordering = ["path", "cost", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="store_item_stock"),
            models.CheckConstraint(condition=Q(cost__gte=1), name="store_item_cost"),
        ]

    def __str__(self):
        return self.name


class RedemptionStatus(models.TextChoices):
    RESERVED = "reserved", _("Waiting to be collected")
    COLLECTED = "collected", _("Collected")
    CANCELLED = "cancelled", _("Cancelled, points refunded")


def pickup_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


class Redemption(models.Model):
    """兑换: points debited and stock reserved at once; collected at the desk with the pickup
    code (a QR code on the resident's phone); cancelling refunds and restocks."""

    item = models.ForeignKey(StoreItem, on_delete=models.PROTECT, related_name="redemptions")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    points = models.PositiveIntegerField(pgettext_lazy("volunteer points", "points"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.RESERVED,
    )
    code = models.CharField(_("pickup code"), max_length=8, default=pickup_code)
    # The request's idempotency key, also the key of its points entry: sent twice, redeemed once.
    entry_key = models.CharField(max_length=120)
    path = models.CharField(max_length=255, default="", editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    collected_at = models.DateTimeField(null=True, blank=True)
    collected_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at"]
        constraints = [
            # A code identifies a waiting redemption in its community's shop.
            models.UniqueConstraint(
                fields=["path", "code"],
                condition=Q(status="reserved"),
                name="redemption_code_once",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="redemption_quantity"),
            models.UniqueConstraint(fields=["entry_key"], name="redemption_key_once"),
        ]
        indexes = [
            models.Index(fields=["user", "created_at"], name="redemption_user_time"),
            models.Index(fields=["item", "status"], name="redemption_item_status"),
        ]

    def __str__(self):
        return f"{self.item_id} × {self.quantity} ({self.status})"

    @property
    def scope_path(self):
        return self.path
