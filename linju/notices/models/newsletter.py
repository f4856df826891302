"""睦邻服务报 (seed 003: 网格党支部在小区里创办了睦邻服务报, 每个季度推出一期,
由支部的党员轮流执笔): a quarterly paper of a place, run by a party organisation whose
members edit it in turn. An issue is assembled from the quarter's good deeds, project
progress, contest results and notices; its editor arranges the items, writes the foreword
and publishes it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.places.models import Scoped

User = settings.AUTH_USER_MODEL


class Newsletter(Scoped):
    """The paper of one estate or community; `organisation` is the party branch whose members
    take turns as editor."""

    name = models.CharField(_("name"), max_length=60)
    organisation = models.ForeignKey(
        "people.PartyOrganisation",
        on_delete=models.PROTECT,
        related_name="newsletters",
        verbose_name=_("party organisation"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["path", "name"]

    def __str__(self):
        return self.name


class IssueStatus(models.TextChoices):
    DRAFT = "draft", _("Being edited")
    PUBLISHED = "published", _("Published")


class NewsletterIssue(models.Model):
    """One quarter's issue (期)."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="issues")
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    number = models.PositiveIntegerField(_("issue number"))
    editor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="newsletter_issues",
        verbose_name=_("editor"),
    )
    foreword = models.TextField(_("foreword"), max_length=5000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=IssueStatus.choices, default=IssueStatus.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        ordering = ["-year", "-quarter", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "year", "quarter"], name="newsletter_issue_per_quarter"
            ),
            models.UniqueConstraint(fields=["newsletter", "number"], name="newsletter_issue_no"),
        ]

    def __str__(self):
        return f"{self.newsletter} {self.year}Q{self.quarter}"

    @property
    def scope_path(self):
        return self.newsletter.path


class Section(models.TextChoices):
    GOOD_DEEDS = "good_deeds", _("Good deeds")
    PROJECTS = "projects", _("Project progress")
    CONTESTS = "contests", _("Contest results")
    NOTICES = "notices", _("Notices")
    UNCIVIL = "uncivil", _("Uncivil behaviour")


class IssueItem(models.Model):
    """A piece of the issue, copied from its source when the issue is assembled so that the
    printed issue does not change when the source does; the editor may reword, reorder or
    leave it out."""

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(_("section"), max_length=16, choices=Section.choices)
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=160)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    source = models.CharField(max_length=64, blank=True, editable=False)
    included = models.BooleanField(_("in the issue"), default=True)

    class Meta:
        verbose_name = _("newsletter item")
        verbose_name_plural = _("newsletter items")
        ordering = ["issue_id", "section", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "source"], condition=~models.Q(source=""), name="issue_item_once"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def scope_path(self):
        return self.issue.newsletter.path
