"""The needs and resources lists (需求清单, 资源清单) and the partner organisations (共建单位) with
their co-building agreements (共建协议) and what they delivered (seed 000: 梳理需求、资源、项目
"三张清单", 推动辖区单位、社会组织与楼组签订共建协议; seed 004: 需求清单、资源清单)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.core.uploads import stored_name
from linju.places.models import Scoped

User = settings.AUTH_USER_MODEL

__all__ = [
    "Agreement",
    "Delivery",
    "Need",
    "NeedSource",
    "NeedStatus",
    "NeedSupport",
    "Partner",
    "PartnerKind",
    "Resource",
    "ResourceKind",
    "ResourceStatus",
]


def agreement_path(instance, filename):
    """A random name with the sniffed extension (core.uploads), never the client's."""
    return stored_name("projects/agreements", filename)


class PartnerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    GOVERNMENT = "government", _("Government department")
    SCHOOL = "school", _("School")
    SOCIAL = "social", _("Social organisation")
    OTHER = "other", _("Other")


class Partner(Scoped):
    """共建单位: an organisation that builds the community with its residents. Its people act for
    it through a `partner` role grant at the community and membership here."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    members = models.ManyToManyField(
        User, blank=True, related_name="partners", verbose_name=_("people acting for it")
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="partner_name_once_per_scope")
        ]
        indexes = [models.Index(fields=["path", "active"], name="partner_path_active")]

    def __str__(self):
        return self.name


class Agreement(models.Model):
    """共建协议: what a partner commits to for a term, with the signed document."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(_("title"), max_length=120)
    commitments = models.TextField(_("commitments"), max_length=4000)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    signed_on = models.DateField(_("signed on"))
    document = models.FileField(_("document"), upload_to=agreement_path, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("co-building agreement")
        verbose_name_plural = _("co-building agreements")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="agreement_term_ordered"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def scope_path(self):
        return self.partner.path


class Delivery(models.Model):
    """What a partner delivered: the record that shows an agreement was kept."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="deliveries")
    agreement = models.ForeignKey(
        Agreement, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("project"),
    )
    delivered_on = models.DateField(_("delivered on"))
    what = models.CharField(_("what was delivered"), max_length=300)
    # In integer fen, when it has a money value (funds given, materials at cost).
    value_fen = models.PositiveBigIntegerField(_("value (fen)"), default=0)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("partner delivery")
        verbose_name_plural = _("partner deliveries")
        ordering = ["-delivered_on", "-id"]

    def __str__(self):
        return self.what

    @property
    def scope_path(self):
        return self.partner.path


class NeedSource(models.TextChoices):
    SURVEY = "survey", _("A survey")
    REPORT = "report", _("A report")
    TOPIC = "topic", _("A topic")
    VISIT = "visit", _("A home visit")
    OTHER = "other", _("Other")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a project")
    ANSWERED = "answered", _("Answered by a project")
    CLOSED = "closed", _("Closed without a project")


class Need(Scoped):
    """需求清单: what residents need, where it came from, who supports it and how many
    households it concerns."""

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=NeedSource.choices)
    # The thing it came from: "report:<token>", "topic:<id>", "survey:<id>", a visit's note.
    source_ref = models.CharField(_("source reference"), max_length=80, blank=True)
    households = models.PositiveIntegerField(_("households concerned"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    close_reason = models.CharField(_("reason"), max_length=300, blank=True)
    support_count = models.PositiveIntegerField(_("supporters"), default=0)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["path", "status"], name="need_path_status")]

    def __str__(self):
        return self.title

    def settle(self) -> None:
        """A need answered by a live (not cancelled) project is `answered`, one no live project
        answers is `open`; a closed need stays closed. Saved when it changes."""
        if self.status == NeedStatus.CLOSED:
            return
        answered = self.projects.exclude(stage="cancelled").exists()
        status = NeedStatus.ANSWERED if answered else NeedStatus.OPEN
        if self.status != status:
            self.status = status
            self.save(update_fields=["status"])


class NeedSupport(models.Model):
    """A resident who says "I need this too"; one per person and need."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("need supporter")
        verbose_name_plural = _("need supporters")
        constraints = [
            models.UniqueConstraint(fields=["need", "user"], name="need_support_once"),
        ]

    def __str__(self):
        return f"{self.need_id}: {self.user_id}"


class ResourceKind(models.TextChoices):
    VENUE = "venue", _("Venue")
    FUNDS = "funds", _("Funds")
    VOLUNTEERS = "volunteers", _("Volunteers")
    EXPERTISE = "expertise", _("Expertise")
    MATERIALS = "materials", _("Materials")
    OTHER = "other", _("Other")


class ResourceStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Resource(Scoped):
    """资源清单: what a partner or a resident offers, how much and when."""

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=ResourceKind.choices)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("offered by partner"),
    )
    # A resident's own offer (a retired engineer's expertise, a family's tools).
    offered_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offered by resident"),
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit = models.CharField(_("unit of quantity"), max_length=20, blank=True)
    # Funds in integer fen.
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"), default=0)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ResourceStatus.choices, default=ResourceStatus.AVAILABLE
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["path", "status"], name="resource_path_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(available_until__isnull=True)
                | Q(available_from__isnull=True)
                | Q(available_until__gte=F("available_from")),
                name="resource_availability_ordered",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="resource_quantity_positive"),
        ]

    def __str__(self):
        return self.title
