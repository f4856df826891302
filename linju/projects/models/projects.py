"""Micro-projects (微项目) and elevator retrofits (既有住宅加装电梯), seed 002: 凡动议必先征求全体
居民意见、凡建设居民必众筹出钱出力、凡结果必由群众评价收官; "x units signed, x under
construction, x installed". A project walks its stages in order, none skipped; every change is
kept as a row and in the audit log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.core.uploads import stored_name
from linju.places.models import Scoped

from .lists import Need, Partner, Resource

User = settings.AUTH_USER_MODEL

__all__ = [
    "RETROFIT_ORDER",
    "STAGE_ORDER",
    "BudgetLine",
    "BudgetSource",
    "ElevatorRetrofit",
    "Milestone",
    "ProgressUpdate",
    "Project",
    "ProjectRating",
    "ProjectStage",
    "ProjectTask",
    "ResourceUse",
    "RetrofitStage",
    "RetrofitStageChange",
    "StageChange",
    "TaskStatus",
    "UpdatePhoto",
]


def update_photo_path(instance, filename):
    return stored_name("projects/updates", filename)


class ProjectStage(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    DELIBERATED = "deliberated", _("Deliberated with residents")
    APPROVED = "approved", pgettext_lazy("project stage", "Approved")
    FUNDING = "funding", _("Raising funds")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", pgettext_lazy("project stage", "Completed")
    EVALUATED = "evaluated", _("Evaluated by residents")
    CANCELLED = "cancelled", pgettext_lazy("project stage", "Cancelled")


# The one road a project walks (cancelled is a way out of any stage before completion).
STAGE_ORDER = [
    ProjectStage.PROPOSED,
    ProjectStage.DELIBERATED,
    ProjectStage.APPROVED,
    ProjectStage.FUNDING,
    ProjectStage.IN_PROGRESS,
    ProjectStage.COMPLETED,
    ProjectStage.EVALUATED,
]


class Project(Scoped):
    """微项目: a small work decided with the residents of its scope, built with their money and
    labour where they choose, and evaluated by them."""

    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), max_length=8000, blank=True)
    stage = models.CharField(
        _("stage"), max_length=12, choices=ProjectStage.choices, default=ProjectStage.PROPOSED
    )
    needs = models.ManyToManyField(
        Need, blank=True, related_name="projects", verbose_name=_("needs it answers")
    )
    resources = models.ManyToManyField(
        Resource, through="ResourceUse", blank=True, related_name="projects"
    )
    partners = models.ManyToManyField(
        Partner, blank=True, related_name="projects", verbose_name=_("partners")
    )
    # The deliberation that decided it: its topic and, for an owners' decision, its ballot.
    topic = models.ForeignKey(
        "deliberation.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("topic"),
    )
    ballot = models.ForeignKey(
        "deliberation.Ballot",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("ballot"),
    )
    lead = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("project lead"),
    )
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Residents' overall stars (1–5), cached from ProjectRating under the project's lock.
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    stage_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["path", "stage"], name="project_path_stage")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating_sum__lte=5 * models.F("rating_count")),
                name="project_rating_sum_range",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def rating_average(self):
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None


class ResourceUse(models.Model):
    """A resource put to a project, and how much of it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="resource_uses")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="uses")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("resource used")
        verbose_name_plural = _("resources used")
        constraints = [
            models.UniqueConstraint(fields=["project", "resource"], name="resource_use_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="resource_use_positive"),
        ]

    def __str__(self):
        return f"{self.resource_id} × {self.quantity}"


class StageChange(models.Model):
    """One step of a project's road: the record the public page shows as its history."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=12, choices=ProjectStage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=ProjectStage.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_stage} → {self.to_stage}"


class BudgetSource(models.TextChoices):
    GOVERNMENT = "government", _("Government funds")
    CROWDFUNDING = "crowdfunding", _("Crowdfunding")
    PARTNER = "partner", _("Partner")
    LABOUR = "labour", _("Residents' labour")
    OTHER = "other", _("Other")


class BudgetLine(models.Model):
    """Where the means come from: money in integer fen, or residents' labour in hours."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    source = models.CharField(_("source"), max_length=12, choices=BudgetSource.choices)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"), default=0)
    hours = models.PositiveIntegerField(_("hours of labour"), default=0)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="budget_lines"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["id"]
        constraints = [
            # Labour is counted in hours, everything else in money; a line is never empty.
            models.CheckConstraint(
                condition=(Q(source="labour") & Q(amount_fen=0) & Q(hours__gte=1))
                | (~Q(source="labour") & Q(hours=0) & Q(amount_fen__gte=1)),
                name="budget_line_measured",
            ),
            models.CheckConstraint(
                condition=Q(partner__isnull=True) | Q(source="partner"),
                name="budget_line_partner_source",
            ),
        ]

    def __str__(self):
        return f"{self.source}: {self.amount_fen or self.hours}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=120)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["position", "due_on", "id"]

    def __str__(self):
        return self.title


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("task status", "To do")
    DONE = "done", pgettext_lazy("task status", "Done")


class ProjectTask(models.Model):
    """A piece of work with its owner: a person or a partner organisation (共建单位认领任务)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="project_tasks",
        verbose_name=_("owner"),
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("partner"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("project task")
        verbose_name_plural = _("project tasks")
        ordering = ["status", "due_on", "id"]

    def __str__(self):
        return self.title


class ProgressUpdate(models.Model):
    """进展: a public note of what happened, with photos (定期发布共同缔造项目进展情况)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("what happened"), max_length=4000)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.text[:40]


class UpdatePhoto(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=update_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")
        ordering = ["id"]

    def __str__(self):
        return self.image.name


class ProjectRating(models.Model):
    """A resident's overall stars and comment on a completed project (群众评价收官); the marks
    item by item are kept by ratings.evaluations under the subject "project:<id>"."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(_("stars"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("project rating")
        verbose_name_plural = _("project ratings")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="project_rating_once"),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="project_rating_stars"
            ),
        ]

    def __str__(self):
        return f"{self.project_id}: {self.stars}"


class RetrofitStage(models.TextChoices):
    CONSULTATION = "consultation", _("Consulting the unit's owners")
    CONSENT = "consent", _("Consent ballot passed")
    SIGNED = "signed", _("Agreement signed")
    APPROVED = "approved", _("Approved by the authorities")
    CONSTRUCTION = "construction", _("Under construction")
    IN_USE = "in_use", _("In use")
    ABANDONED = "abandoned", _("Abandoned")


RETROFIT_ORDER = [
    RetrofitStage.CONSULTATION,
    RetrofitStage.CONSENT,
    RetrofitStage.SIGNED,
    RetrofitStage.APPROVED,
    RetrofitStage.CONSTRUCTION,
    RetrofitStage.IN_USE,
]


class ElevatorRetrofit(Scoped):
    """加装电梯: one unit's elevator, from consulting its owners to the lift in use. `place` is
    the unit; the consent ballot is the owners' decision of deliberation (affected households
    each approving). One live retrofit per unit."""

    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retrofits",
        verbose_name=_("project"),
    )
    stage = models.CharField(
        _("stage"),
        max_length=12,
        choices=RetrofitStage.choices,
        default=RetrofitStage.CONSULTATION,
    )
    ballot = models.ForeignKey(
        "deliberation.Ballot",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retrofits",
        verbose_name=_("consent ballot"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    construction_started_on = models.DateField(_("construction started on"), null=True, blank=True)
    in_use_on = models.DateField(_("in use since"), null=True, blank=True)

    class Meta:
        verbose_name = _("elevator retrofit")
        verbose_name_plural = _("elevator retrofits")
        ordering = ["path"]
        indexes = [models.Index(fields=["path", "stage"], name="retrofit_path_stage")]
        constraints = [
            models.UniqueConstraint(
                fields=["place"],
                condition=~Q(stage="abandoned"),
                name="retrofit_one_live_per_unit",
            )
        ]

    def __str__(self):
        return f"{self.path}: {self.stage}"


class RetrofitStageChange(models.Model):
    retrofit = models.ForeignKey(
        ElevatorRetrofit, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=12, choices=RetrofitStage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=RetrofitStage.choices)
    on = models.DateField()
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("retrofit stage change")
        verbose_name_plural = _("retrofit stage changes")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_stage} → {self.to_stage}"
