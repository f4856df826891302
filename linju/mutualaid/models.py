"""Neighbour mutual aid (邻里互助, seed 002): the wish wall (心愿墙) — a resident posts a need or
an offer inside their community, a neighbour claims it, the poster marks it fulfilled and thanks
them — and the flags residents raise on abusive posts, which staff moderate."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.places.models import Scoped

User = settings.AUTH_USER_MODEL


class PostKind(models.TextChoices):
    NEED = "need", _("I need help")
    OFFER = "offer", _("I can offer")


class PostStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLAIMED = "claimed", _("Claimed")
    FULFILLED = "fulfilled", _("Fulfilled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Visibility(models.TextChoices):
    SHOWN = "shown", _("Shown")
    FLAGGED = "flagged", _("Hidden by flags, waiting for staff")
    HIDDEN = "hidden", _("Hidden by staff")


class Post(Scoped):
    """心愿墙: a need or an offer, posted at the community of the poster's home. One claimant
    at a time: the claim is a conditional update of an open row, so two claims cannot both win."""

    kind = models.CharField(_("kind"), max_length=10, choices=PostKind.choices)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("details"), max_length=2000, blank=True)
    poster = models.ForeignKey(User, on_delete=models.PROTECT, related_name="mutualaid_posts")
    status = models.CharField(
        _("status"), max_length=10, choices=PostStatus.choices, default=PostStatus.OPEN
    )
    claimant = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="mutualaid_claims"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    thanks = models.CharField(_("thank-you note"), max_length=300, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.SHOWN
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("wish")
        verbose_name_plural = _("wish wall")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["path", "status"], name="mutualaid_post_path_status")]
        constraints = [
            # A claimed or fulfilled wish names its claimant; an open one does not.
            models.CheckConstraint(
                condition=(
                    Q(status__in=["claimed", "fulfilled"], claimant__isnull=False)
                    | (~Q(status__in=["claimed", "fulfilled"]) & Q(claimant__isnull=True))
                ),
                name="mutualaid_post_claimant",
            ),
            models.CheckConstraint(
                condition=~Q(claimant=models.F("poster")), name="mutualaid_post_not_own"
            ),
        ]

    def __str__(self):
        return self.title


class Flag(models.Model):
    """举报: one per person per post; enough open flags hide the post until staff decide."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="mutualaid_flags")
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="mutualaid_flag_once"),
        ]

    def __str__(self):
        return self.reason[:50]

    @property
    def scope_path(self):
        return self.post.path


# --- Sharing (闲置共享, 共享图书角) ------------------------------------------------------------


class ItemKind(models.TextChoices):
    LEND = "lend", _("To lend")
    GIVE = "give", _("To give away")
    SWAP = "swap", _("To swap")
    BOOK = "book", _("Book of the book corner")


# Kinds that come back to their owner after a loan.
LOAN_KINDS = (ItemKind.LEND, ItemKind.BOOK)


class ItemStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    GONE = "gone", _("Given away")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Item(Scoped):
    """闲置共享 and 共享图书角 (seed 002: 由各位业主捐赠书籍供居民交流阅读): something a resident
    lends, gives away or swaps, shown to their community; a book of the book corner is lent."""

    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="mutualaid_items")
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.AVAILABLE
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.SHOWN
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("shared item")
        verbose_name_plural = _("shared items")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class LoanStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    HANDED = "handed", _("Handed over")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_LOAN = ["requested", "handed"]


class Loan(models.Model):
    """A neighbour's request for an item, its hand-over and (for a loan) its return. One active
    request or loan per item, a constraint of the database."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="loans")
    borrower = models.ForeignKey(User, on_delete=models.PROTECT, related_name="mutualaid_loans")
    status = models.CharField(
        _("status"), max_length=10, choices=LoanStatus.choices, default=LoanStatus.REQUESTED
    )
    requested_at = models.DateTimeField(default=timezone.now)
    handed_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=ACTIVE_LOAN),
                name="mutualaid_one_active_loan",
            ),
        ]

    def __str__(self):
        return f"{self.item} → {self.borrower_id}"

    @property
    def scope_path(self):
        return self.item.path


class ItemFlag(models.Model):
    """举报 of a shared item: one per person per item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="mutualaid_item_flags")
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("item flag")
        verbose_name_plural = _("item flags")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="mutualaid_item_flag_once"),
        ]

    def __str__(self):
        return self.reason[:50]

    @property
    def scope_path(self):
        return self.item.path
