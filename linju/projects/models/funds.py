"""Crowdfunding (公益众筹, seed 002: 广泛发动群众出资、出力、出点子 … 制定众筹资金管理办法进行规范化
管理) with its public account: a campaign on a project with fund rules, households' pledges,
payments recorded by the treasurer (the money moves offline or by a payment QR, never through
us), expenses approved by the rules, refunds.

The account is a ledger (DESIGN §4 Ledgers): append-only entries in integer fen, one per
idempotency key, and the campaign's cached totals, changed only together with the entry that
explains them, under CHECK constraints that say income − expenses − refunds = balance ≥ 0."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.core.models import AppendOnlyError
from linju.core.uploads import stored_name
from linju.places.models import Household, Scoped

from .projects import Project

User = settings.AUTH_USER_MODEL

__all__ = [
    "Campaign",
    "CampaignStatus",
    "EntryKind",
    "Expense",
    "ExpenseApproval",
    "ExpenseStatus",
    "FundEntry",
    "Payment",
    "PaymentMethod",
    "PaymentStatus",
    "Pledge",
    "PledgeStatus",
    "Surplus",
]


def receipt_path(instance, filename):
    return stored_name("projects/receipts", filename)


class CampaignStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("campaign status", "Open for pledges")
    CLOSED = "closed", pgettext_lazy("campaign status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("campaign status", "Cancelled")


class Surplus(models.TextChoices):
    """What the fund rules do with money above the goal when the campaign closes."""

    KEEP = "keep", _("Kept for the project")
    REFUND = "refund", _("Refunded, latest payments first")


class Campaign(Scoped):
    """众筹: the fund of one project, open to the households of its scope, with its rules: who
    records payments (the treasurer), who approves spending, the amounts above which a second
    person must confirm a payment and two approvers must approve an expense."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="campaign")
    title = models.CharField(_("title"), max_length=120)
    goal_fen = models.PositiveBigIntegerField(_("goal (fen)"))
    deadline = models.DateField(_("pledges until"))
    status = models.CharField(
        _("status"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    treasurer = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("treasurer")
    )
    approvers = models.ManyToManyField(
        User, related_name="+", verbose_name=_("who approves spending")
    )
    confirm_above_fen = models.PositiveBigIntegerField(
        _("a second person confirms payments above (fen)"), default=100_000
    )
    two_approvals_above_fen = models.PositiveBigIntegerField(
        _("two approvals for expenses above (fen)"), default=200_000
    )
    surplus = models.CharField(
        _("money above the goal"), max_length=8, choices=Surplus.choices, default=Surplus.KEEP
    )
    rules_text = models.TextField(_("fund rules"), max_length=4000, blank=True)
    # Cached from the entries, changed only with them (services_funds).
    pledged_fen = models.PositiveBigIntegerField(default=0)
    income_fen = models.PositiveBigIntegerField(default=0)
    expense_fen = models.PositiveBigIntegerField(default=0)
    refund_fen = models.PositiveBigIntegerField(default=0)
    balance_fen = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("crowdfunding campaign")
        verbose_name_plural = _("crowdfunding campaigns")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["path", "status"], name="campaign_path_status")]
        constraints = [
            models.CheckConstraint(condition=Q(goal_fen__gte=1), name="campaign_goal_positive"),
            models.CheckConstraint(
                condition=Q(balance_fen=F("income_fen") - F("expense_fen") - F("refund_fen")),
                name="campaign_balance_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(balance_fen__gte=0), name="campaign_balance_not_negative"
            ),
        ]

    def __str__(self):
        return self.title


class PledgeStatus(models.TextChoices):
    LIVE = "live", _("Pledged")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Pledge(models.Model):
    """认捐: what a household promises; the money counts only once a payment is recorded."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="pledges")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    # Shown by name on the public account, or as "a household of building 3".
    show_name = models.BooleanField(_("show our name publicly"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=PledgeStatus.choices, default=PledgeStatus.LIVE
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=1), name="pledge_amount_positive"),
            models.UniqueConstraint(
                fields=["campaign", "household"],
                condition=Q(status="live"),
                name="pledge_one_live_per_household",
            ),
        ]

    def __str__(self):
        return f"{self.household_id}: {self.amount_fen}"

    @property
    def scope_path(self):
        return self.household.path


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    QR = "qr", _("Payment QR code")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second person's confirmation")
    CONFIRMED = "confirmed", pgettext_lazy("payment status", "Confirmed")
    REJECTED = "rejected", pgettext_lazy("payment status", "Rejected")


class Payment(models.Model):
    """Money a household paid, as the treasurer records it. Above the campaign's threshold it
    counts only once another person confirms it; then its income entry is written."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="payments")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    pledge = models.ForeignKey(
        Pledge, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    method = models.CharField(_("paid by"), max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField(_("receipt or transfer number"), max_length=80, blank=True)
    paid_on = models.DateField(_("paid on"))
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    key = models.CharField(max_length=120)
    refunded_fen = models.PositiveBigIntegerField(default=0)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="payment_key_once"),
            models.CheckConstraint(condition=Q(amount_fen__gte=1), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_fen__lte=F("amount_fen")), name="payment_refund_within"
            ),
            # The second person is a second person.
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("recorded_by")),
                name="payment_confirmed_by_another",
            ),
        ]

    def __str__(self):
        return f"{self.household_id}: {self.amount_fen}"

    @property
    def scope_path(self):
        return self.campaign.path


class ExpenseStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for approval")
    PAID = "paid", pgettext_lazy("expense status", "Approved and paid")
    REJECTED = "rejected", pgettext_lazy("expense status", "Rejected")


class Expense(models.Model):
    """A spending from the fund: to whom, for what, with the receipt; paid out of the balance
    once the approvals the rules ask for are given (two above the threshold)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="expenses")
    payee = models.CharField(_("payee"), max_length=120)
    purpose = models.CharField(_("purpose"), max_length=300)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    receipt = models.ImageField(_("receipt photo"), upload_to=receipt_path, blank=True)
    spent_on = models.DateField(_("spent on"))
    approvals_needed = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=ExpenseStatus.choices, default=ExpenseStatus.REQUESTED
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gte=1), name="expense_amount_positive"),
            models.CheckConstraint(
                condition=Q(approvals_needed__gte=1, approvals_needed__lte=2),
                name="expense_approvals_needed",
            ),
        ]

    def __str__(self):
        return self.purpose

    @property
    def scope_path(self):
        return self.campaign.path


class ExpenseApproval(models.Model):
    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("expense approval")
        verbose_name_plural = _("expense approvals")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["expense", "approver"], name="expense_approval_once")
        ]

    def __str__(self):
        return f"{self.expense_id}: {self.approver_id}"


class EntryKind(models.TextChoices):
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")
    REFUND = "refund", _("Refund")


class FundEntryQuerySet(models.QuerySet):
    """The public account is never rewritten: a mistake is corrected by another entry."""

    def update(self, **kwargs):
        raise AppendOnlyError("fund entries are append-only")

    def delete(self):
        raise AppendOnlyError("fund entries are append-only")


class FundEntry(models.Model):
    """One line of a campaign's public account (公开账目): income from a confirmed payment, an
    approved expense or a refund, with the balance after it and who approved it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=8, choices=EntryKind.choices)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    balance_fen = models.BigIntegerField(_("balance after (fen)"))
    key = models.CharField(max_length=120)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    expense = models.ForeignKey(
        Expense, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = FundEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("account entry")
        verbose_name_plural = _("account entries")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="fund_entry_key_once"),
            models.CheckConstraint(condition=Q(amount_fen__gte=1), name="fund_entry_positive"),
            models.CheckConstraint(
                condition=Q(balance_fen__gte=0), name="fund_entry_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=(Q(kind="income") & Q(payment__isnull=False) & Q(expense__isnull=True))
                | (Q(kind="expense") & Q(expense__isnull=False) & Q(payment__isnull=True))
                | (Q(kind="refund") & Q(payment__isnull=False) & Q(expense__isnull=True)),
                name="fund_entry_explained",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "created_at"], name="fund_entry_time")]

    def __str__(self):
        return f"{self.kind} {self.amount_fen}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise AppendOnlyError("fund entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("fund entries are append-only")

    @property
    def scope_path(self):
        return self.campaign.path
