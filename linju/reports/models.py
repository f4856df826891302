"""Snap-and-report (随手拍, seeds 002 and 003): residents report a problem with photos; it is
accepted (立案), dispatched (派遣), handled (处置), answered and confirmed (核查), closed (结案);
solved in the grid where possible, coordinated by the three parties where needed, escalated to
the subdistrict or district otherwise (吹哨). Every report gets an answer."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.core.uploads import stored_name
from linju.people.roles import Role
from linju.places.models import Grid, Household, Place
from linju.places.paths import PathField


class Level(models.IntegerChoices):
    """Who handles a report, lowest first; escalation moves one step up."""

    GRID = 1, _("Grid")
    COMMUNITY = 2, _("Community")
    SUBDISTRICT = 3, _("Subdistrict")
    # The district is outside the platform: the subdistrict hands the case over and follows it.
    DISTRICT = 4, _("District")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another report")


# Statuses whose clock runs (a deadline applies) and that staff still have to act on.
OPEN_STATUSES = [
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
    Status.REOPENED,
]
# Answered and waiting only for the reporter (or the 7-day auto-close).
WAITING_STATUSES = [Status.RESOLVED]
FINAL_STATUSES = [Status.REJECTED, Status.CLOSED, Status.MERGED]

# Who a report may be dispatched to (派遣): besides staff of the handling level, the parties of
# seed 002's three-party coordination and partner organisations.
HANDLER_ROLES = [
    Role.GRID_WORKER,
    Role.BUILDING_HEAD,
    Role.UNIT_HEAD,
    Role.COMMUNITY_STAFF,
    Role.PROPERTY_MANAGER,
    Role.OWNERS_COMMITTEE,
    Role.PARTNER,
    Role.SUBDISTRICT_ADMIN,
]


class Category(models.Model):
    """A kind of problem, as data: who handles it, how fast, and whether the public sees it.
    The Open311 service of the same code."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    group = models.CharField(_("group"), max_length=60, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(
        _("handling level"), choices=Level.choices, default=Level.GRID
    )
    handler_role = models.CharField(
        _("handling role"),
        max_length=24,
        choices=[(r.value, r.label) for r in HANDLER_ROLES],
        default=Role.GRID_WORKER,
    )
    accept_hours = models.PositiveSmallIntegerField(_("hours to accept"), default=24)
    resolve_hours = models.PositiveSmallIntegerField(_("hours to resolve"), default=72)
    urgent = models.BooleanField(_("urgent"), default=False)
    # Neighbour disputes and the like stay between the reporter and the handlers.
    is_public = models.BooleanField(_("shown to the public"), default=True)
    active = models.BooleanField(_("open for new reports"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accept_hours__gte=1, resolve_hours__gte=1),
                name="category_limits_positive",
            )
        ]

    def __str__(self):
        return self.name


class AttributeType(models.TextChoices):
    """Open311 attribute datatypes."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One of a list")
    MULTI = "multivaluelist", _("Several of a list")


class CategoryAttribute(models.Model):
    """An extra question a category asks (Open311 service definition attribute)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField(_("code"), max_length=40)
    datatype = models.CharField(_("type"), max_length=16, choices=AttributeType.choices)
    description = models.CharField(_("question"), max_length=200)
    datatype_description = models.CharField(_("hint"), max_length=200, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # [{"key": "...", "name": "..."}] for the list types.
    values = models.JSONField(_("choices"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category question")
        verbose_name_plural = _("category questions")
        ordering = ["category_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="attribute_unique_code")
        ]

    def __str__(self):
        return self.description

    def value_keys(self) -> list[str]:
        return [str(v.get("key")) for v in self.values or []]


class Source(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")


class Report(models.Model):
    """随手拍: one problem reported by a resident, from submission to closing.

    Its foreign keys carry no index of their own (db_index=False): every read goes by path,
    time, reporter, handler or merged report (the indexes in Meta, which also serve deleting a
    user), and every status change writes a new row version into every index of a table of
    millions, so each index nobody reads slows every transition and the sweep (the sweep over
    5,000,000 reports, cold: 11 s → 8 s). Deleting a place, category, grid or household, rare
    repairs, scans the table instead."""

    token = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("category"),
        db_index=False,
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("reporter"),
        db_index=False,
    )
    # Where: a building or one of its units (or the estate itself for its grounds).
    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("where"),
        db_index=False,
    )
    estate = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="estate_reports",
        verbose_name=_("estate"),
        db_index=False,
    )
    grid = models.ForeignKey(
        Grid,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("grid"),
        db_index=False,
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        db_index=False,
    )
    # The place's path: every scope filter is one prefix scan (see PathField).
    path = PathField(max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=80, blank=True)
    description = models.TextField(_("description"), max_length=2000)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # An optional point on the estate's schematic, 0–1 from the top left corner.
    map_x = models.FloatField(null=True, blank=True)
    map_y = models.FloatField(null=True, blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    attributes = models.JSONField(_("answers"), default=dict, blank=True)
    hide_name = models.BooleanField(_("hide my name from the public"), default=False)
    is_public = models.BooleanField(_("public"), default=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    # For Open311 clients that send no account: the person to answer.
    contact_name = models.CharField(max_length=50, blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    contact_email = models.EmailField(blank=True)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_reports",
        verbose_name=_("handler"),
        db_index=False,
    )
    handler_role = models.CharField(_("handler's role"), max_length=24, blank=True)
    joint = models.BooleanField(_("joint case"), default=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        db_index=False,
    )
    reply = models.TextField(_("reply"), blank=True)
    rating = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    rating_comment = models.CharField(_("comment on the handling"), max_length=500, blank=True)
    supporter_count = models.PositiveIntegerField(default=0)
    escalations = models.PositiveSmallIntegerField(default=0)

    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Limits from the category, fixed when the clock starts: the response and resolution rates
    # compare against them. `due_at` is the deadline now running, which the sweep watches.
    accept_due_at = models.DateTimeField()
    resolve_due_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Scope filters (a prefix scan, see PathField) and newest-first lists: the planner
            # scans by path for a small scope and by time for a large one.
            models.Index(fields=["path"], name="report_path"),
            models.Index(fields=["created_at", "id"], name="report_created"),
            # Overdue lists: reports whose clock runs.
            models.Index(fields=["due_at"], name="report_due", condition=Q(due_at__isnull=False)),
            # The sweep's: without the reports already with the district (overdue, never
            # escalated further), which each batch otherwise skipped (103,000 of them at city
            # scale: 0.1 s a batch).
            models.Index(
                fields=["due_at"],
                name="report_sweep",
                condition=Q(due_at__isnull=False, level__lt=Level.DISTRICT),
            ),
            # The queue's default filter and the desk's capped counts read a scope's open
            # reports without its closed millions; with due_at, "overdue" is counted from the
            # index alone.
            models.Index(
                fields=["path", "due_at"],
                name="report_open_path",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["created_at", "id"],
                name="report_open_created",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # A report page lists the duplicates merged into it (0.6% of reports).
            models.Index(
                fields=["merged_into"],
                name="report_duplicates",
                condition=Q(merged_into__isnull=False),
            ),
            # "Unconfirmed resolutions close themselves after 7 days."
            models.Index(
                fields=["resolved_at"],
                name="report_waiting",
                condition=Q(status="resolved"),
            ),
            models.Index(fields=["reporter", "-created_at"], name="report_reporter"),
            models.Index(
                fields=["handler", "-created_at"],
                name="report_handler",
                condition=Q(handler__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="report_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="report_merged_has_target",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title or self.description[:30]}"

    @property
    def scope_path(self):
        return self.path

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and self.due_at < timezone.now()


class Supporter(models.Model):
    """Me too (我也遇到): a resident backs an open report instead of filing a duplicate."""

    # The unique (report, user) index serves lookups by report.
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="supporters", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="supporter_once"),
        ]

    def __str__(self):
        return f"{self.report_id} · {self.user_id}"


class StepKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DISPATCHED = "dispatched", _("Dispatched")
    STARTED = "started", _("Work started")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Confirmed solved")
    REOPENED = "reopened", _("Not solved: reopened")
    AUTO_CLOSED = "auto_closed", _("Closed after 7 days without confirmation")
    ESCALATED = "escalated", _("Escalated")
    AUTO_ESCALATED = "auto_escalated", _("Escalated: time limit passed")
    EXTENDED = "extended", _("More time given")
    MERGED = "merged", _("Merged as a duplicate")
    JOINT = "joint", _("Joint case opened")
    RATED = "rated", _("Rated")
    SUPPORTED = "supported", _("Me too")
    NOTE = "note", _("Note")


class Step(models.Model):
    """One entry of a report's timeline; the public sees those marked public (Open311
    servicerequestupdates)."""

    # The (report, created_at) index serves lookups by report.
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="steps", db_index=False
    )
    kind = models.CharField(max_length=16, choices=StepKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report step")
        verbose_name_plural = _("report steps")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["report", "created_at"], name="step_report"),
            # Open311 servicerequestupdates: public steps of every report, by time.
            models.Index(
                fields=["created_at", "id"], name="step_created", condition=Q(public=True)
            ),
        ]

    def __str__(self):
        return f"{self.report_id} {self.kind}"


def photo_path(instance, filename):
    """A random name (see deliberation.models.private_path); the photo is always a JPEG."""
    return stored_name("reports", filename)


class Photo(models.Model):
    """A photo of the problem or of the fix: resized and stripped of EXIF on upload, served
    only to those who may see the report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    step = models.ForeignKey(
        Step, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos"
    )
    image = models.ImageField(upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.image.name


class Message(models.Model):
    """A message in a joint case's coordination thread (三方协调: residents' committee, owners'
    committee, property company)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    role = models.CharField(max_length=24)
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("coordination message")
        verbose_name_plural = _("coordination messages")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:40]
